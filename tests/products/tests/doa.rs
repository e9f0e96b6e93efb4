//! DOA WhatsApp manager (seed 002) end to end through
//! `omni_socket::products::doa` against the reference server on `/doa`.

use std::time::Duration;

use omni_product_tests::*;
use omni_socket::models::doa::Typing;
use omni_socket::products::doa::Doa;
use omni_socket::{Client, Error, RoomState, Socket};
use serde_json::json;

both_transports!(
    auth_token,
    auth_refused,
    conversations_allowed_and_refused,
    client_events_answered,
    typing_is_not_paced,
    server_events_through_the_admin_api,
    restart_rejoins_conversations,
);

async fn doa(s: &Server, t: Transport, user: &str) -> (Client, Doa) {
    let client = t
        .apply(Doa::builder(&s.url_of("/doa"), &token(user)))
        .connect()
        .await
        .expect("connect");
    let doa = Doa::new(Socket::clone(&client));
    (client, doa)
}

async fn auth_token(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, agent) = doa(&s, t, ids::AGENT).await;
    let status = agent.status();
    assert!(status.is_connected);
    assert!(status.socket_id.is_some());
    assert_eq!(status.reconnect_attempts, 0);
}

async fn auth_refused(t: Transport) {
    let s = Server::start(&[]).await;
    assert_token_refusals(t, ids::AGENT, |token| {
        Doa::builder(&s.url_of("/doa"), token)
    })
    .await;
    // DOA users are numbered; others have no account there.
    assert_eq!(
        auth_refusal(t, Doa::builder(&s.url_of("/doa"), &token(ids::JOHN))).await,
        "INVALID_TOKEN: User not found"
    );
}

async fn conversations_allowed_and_refused(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, agent) = doa(&s, t, ids::AGENT).await;
    agent
        .join_conversation(123)
        .await
        .expect("the agent's conversation");
    let reason = |r: Result<(), Error>| match r {
        Err(Error::RoomRefused { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        reason(agent.join_conversation(456).await),
        "You cannot access this conversation"
    );
    assert_eq!(
        reason(agent.join_conversation(999).await),
        "Conversation not found"
    );
    let (_a, admin) = doa(&s, t, ids::DOA_ADMIN).await;
    admin
        .join_conversation(456)
        .await
        .expect("admins follow any");
    admin
        .join_conversation(123)
        .await
        .expect("admins follow any");
    agent.leave_conversation(123).expect("leave");
}

async fn client_events_answered(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, agent) = doa(&s, t, ids::AGENT).await;
    let (_a, admin) = doa(&s, t, ids::DOA_ADMIN).await;
    agent.join_conversation(123).await.expect("join");
    admin.join_conversation(123).await.expect("join");
    // typing → user_typing to the conversation's others.
    let mut typing = admin.typing();
    assert!(agent.send_typing(123, true).await.expect("typing"));
    // The seed's 500 ms throttle: a second "typing" at once is skipped.
    assert!(!agent.send_typing(123, true).await.expect("typing"));
    let u = next("user_typing", typing.next()).await;
    assert_eq!((u.user_id, u.conversation_id, u.is_typing), (42, 123, true));
    // "Stopped typing" always goes. (Sent once the first is relayed: the
    // server runs each event on a task of its own, and a "stopped" handled
    // first would make it throttle the "typing".)
    assert!(agent.send_typing(123, false).await.expect("typing"));
    let u = next("user_typing", typing.next()).await;
    assert!(!u.is_typing);
    // mark_read → message_read to the conversation and the reader.
    let mut reads = admin.reads();
    agent.mark_read("msg_123").await.expect("mark_read");
    let r = next("message_read", reads.next()).await;
    assert_eq!((r.message_id.as_str(), r.read_by), ("msg_123", 42));
    // A refused one is an `error`.
    let mut errors = agent.errors();
    agent.mark_read("msg_missing").await.expect("emit");
    assert_eq!(
        next("error", errors.next()).await.message,
        "Message not found"
    );
    // leave_conversation: the server no longer counts the agent in it
    // (its typing, sent after the leave on the same socket, is refused).
    // The server runs each event's handler on a task of its own, so a
    // typing sent right after the leave may still find the agent in; one
    // sent a little later may not.
    agent.leave_conversation(123).expect("leave");
    within("typing refused after the leave", async {
        loop {
            agent.send_typing(123, false).await.expect("typing");
            let answer = tokio::time::timeout(Duration::from_millis(300), errors.next()).await;
            if matches!(answer, Ok(Some(e)) if e.message == "Join the conversation first") {
                return;
            }
        }
    })
    .await;
}

/// Issue 20: with Omni's table applied to every product, 28 of 60 typing
/// emits on `/doa` were still held in the client 4 s later. The DOA server
/// allows 240 a minute: all go at once.
async fn typing_is_not_paced(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, agent) = doa(&s, t, ids::AGENT).await;
    let (_a, admin) = doa(&s, t, ids::DOA_ADMIN).await;
    agent.join_conversation(123).await.expect("join");
    admin.join_conversation(123).await.expect("join");
    let mut typing = admin.typing();
    // "Stopped typing" is relayed every time (the server throttles only
    // "typing"), so each emit shows at the other end.
    for _ in 0..60 {
        agent
            .socket()
            .emit_typed(&Typing {
                conversation_id: 123,
                is_typing: false,
            })
            .await
            .expect("emit");
    }
    let received = tokio::time::timeout(Duration::from_secs(4), async {
        let mut n = 0;
        while n < 60 {
            typing.next().await.expect("client open");
            n += 1;
        }
        n
    })
    .await;
    assert_eq!(received, Ok(60), "every typing emit relayed within 4 s");
    // A client that names no product paces nothing either.
    let plain = t
        .apply(
            Client::builder(&s.url_of("/doa")).auth(omni_socket::Auth::Credentials(
                omni_socket::Credentials::token(token(ids::AGENT)),
            )),
        )
        .connect()
        .await
        .expect("connect");
    let plain = Doa::new(Socket::clone(&plain));
    plain.join_conversation(123).await.expect("join");
    for _ in 0..60 {
        plain.send_typing(123, false).await.expect("emit");
    }
    let received = tokio::time::timeout(Duration::from_secs(4), async {
        for _ in 0..60 {
            typing.next().await.expect("client open");
        }
    })
    .await;
    assert!(received.is_ok(), "every typing emit relayed within 4 s");
}

async fn server_events_through_the_admin_api(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, agent) = doa(&s, t, ids::AGENT).await;
    let (_a, admin) = doa(&s, t, ids::DOA_ADMIN).await;
    let mut to_agent = agent.messages();
    let mut to_admin = admin.messages();
    s.post(
        "/admin/api/doa/messages",
        json!({"conversationId": 123, "customerName": "Ahmet Yılmaz", "customerPhone": "+905551234567",
               "messageContent": "Merhaba, sipariş durumu nedir?"}),
    )
    .await;
    let m = next("new_message to the agent", to_agent.next()).await;
    assert_eq!(m.customer_name, "Ahmet Yılmaz");
    assert_eq!(m.direction.as_deref(), Some("INBOUND"));
    assert_eq!(m.is_read, Some(false));
    let id = m.id.clone().expect("an id");
    let m = next("new_message to the admins", to_admin.next()).await;
    assert_eq!(m.user_id, Some(42));
    // The new message can be marked read, by its agent.
    agent.join_conversation(123).await.expect("join");
    let mut reads = agent.reads();
    agent.mark_read(&id).await.expect("mark_read");
    assert_eq!(next("message_read", reads.next()).await.message_id, id);
}

async fn restart_rejoins_conversations(t: Transport) {
    let mut s = Server::start(&[]).await;
    let (_c, agent) = doa(&s, t, ids::AGENT).await;
    let (_a, admin) = doa(&s, t, ids::DOA_ADMIN).await;
    let mut events = Events::new(agent.socket().events());
    let mut admin_events = Events::new(admin.socket().events());
    let mut reconnects = agent.reconnects();
    agent.join_conversation(123).await.expect("join");
    admin.join_conversation(123).await.expect("join");
    events
        .room("/doa", "conversation:123", RoomState::Joined)
        .await;
    admin_events
        .room("/doa", "conversation:123", RoomState::Joined)
        .await;
    s.restart().await;
    let attempts = next("reconnect", reconnects.next()).await;
    assert!(attempts >= 1);
    events
        .room("/doa", "conversation:123", RoomState::Joined)
        .await;
    assert!(agent.status().is_connected);
    // Both are in the conversation again: typing reaches the agent.
    let mut typing = agent.typing();
    admin_events
        .room("/doa", "conversation:123", RoomState::Joined)
        .await;
    assert!(admin.send_typing(123, false).await.expect("typing"));
    let u = next("user_typing after restart", typing.next()).await;
    assert_eq!(u.user_id, 1);
}
