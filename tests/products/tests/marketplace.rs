//! The orders and disputes marketplace (seed 004) end to end through
//! `omni_socket::products::marketplace` against the reference server on
//! `/marketplace`.

use std::time::Duration;

use omni_product_tests::*;
use omni_socket::models::marketplace::Attachment;
use omni_socket::products::marketplace::Marketplace;
use omni_socket::{Client, Error, RoomState, Socket};
use serde_json::json;

both_transports!(
    auth_token,
    auth_refused,
    chats_allowed_and_refused,
    messages_with_attachments_and_typing,
    leaving_a_chat,
    server_events_through_the_admin_api,
    presence_online_and_offline,
    restart_rejoins_chats,
);

async fn market(s: &Server, t: Transport, user: &str) -> (Client, Marketplace) {
    let client = t
        .apply(Marketplace::builder(
            &s.url_of("/marketplace"),
            &token(user),
        ))
        .connect()
        .await
        .expect("connect");
    let m = Marketplace::new(Socket::clone(&client));
    (client, m)
}

async fn auth_token(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = market(&s, t, ids::JOHN).await;
    assert!(john.is_connected());
    assert!(john.status().socket_id.is_some());
}

async fn auth_refused(t: Transport) {
    let s = Server::start(&[]).await;
    assert_token_refusals(t, ids::JOHN, |token| {
        Marketplace::builder(&s.url_of("/marketplace"), token)
    })
    .await;
}

fn reason(r: Result<(), Error>) -> String {
    match r {
        Err(Error::RoomRefused { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Issue 20: a refused join was reported joined; the server's answer is
/// ack `{success: false}` with `error {code: "FORBIDDEN"}`.
async fn chats_allowed_and_refused(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = market(&s, t, ids::JOHN).await;
    john.join_order_chat("order-1").await.expect("john's order");
    assert_eq!(
        reason(john.join_order_chat("order-2").await),
        "You are not a participant of this order"
    );
    assert_eq!(
        reason(john.join_order_chat("order-9").await),
        "Order not found"
    );
    john.join_dispute_chat("dispute-1")
        .await
        .expect("a party of the disputed order");
    assert_eq!(
        reason(john.join_dispute_chat("dispute-9").await),
        "Dispute not found"
    );
    // Alice is no party of order-1: neither its chat nor its dispute.
    let (_a, alice) = market(&s, t, ids::ALICE).await;
    assert_eq!(
        reason(alice.join_dispute_chat("dispute-1").await),
        "You are not a participant of this dispute"
    );
    alice
        .join_order_chat("order-2")
        .await
        .expect("alice performs order-2");
    // Moderators join disputes; admins every chat.
    let (_m, moderator) = market(&s, t, ids::MODERATOR).await;
    moderator
        .join_dispute_chat("dispute-1")
        .await
        .expect("moderator");
    let (_d, admin) = market(&s, t, ids::ADMIN).await;
    admin.join_order_chat("order-2").await.expect("admin");
}

async fn messages_with_attachments_and_typing(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = market(&s, t, ids::JOHN).await;
    let (_k, carol) = market(&s, t, ids::CAROL).await;
    let (_m, moderator) = market(&s, t, ids::MODERATOR).await;
    john.join_order_chat("order-1").await.expect("join");
    carol.join_order_chat("order-1").await.expect("join");
    john.join_dispute_chat("dispute-1").await.expect("join");
    moderator
        .join_dispute_chat("dispute-1")
        .await
        .expect("join");

    // order_message with attachments → the chat, sender included.
    let mut to_carol = carol.order_messages();
    let got_messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got_messages.clone();
    let handler = john.on_order_message(move |m| sink.lock().unwrap().push(m));
    let attachments = vec![
        Attachment {
            file_url: "https://files.example/spec.pdf".into(),
            file_name: "spec.pdf".into(),
        },
        Attachment {
            file_url: "https://files.example/photo.jpg".into(),
            file_name: "photo.jpg".into(),
        },
    ];
    let id = john
        .send_order_message("order-1", "here is the spec", attachments.clone())
        .await
        .expect("sent");
    let m = next("order_message", to_carol.next()).await;
    assert_eq!(m.id.as_deref(), Some(id.as_str()));
    assert_eq!(m.sender_id.as_deref(), Some(ids::JOHN));
    assert_eq!(m.content, "here is the spec");
    assert_eq!(m.attachments, Some(attachments));
    within("the sender's own copy", async {
        while got_messages.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    handler.abort();
    // dispute_message.
    let mut to_moderator = moderator.dispute_messages();
    let id = john
        .send_dispute_message("dispute-1", "the work is late")
        .await
        .expect("sent");
    let m = next("dispute_message", to_moderator.next()).await;
    assert_eq!(
        (m.id.as_deref(), m.content.as_str()),
        (Some(id.as_str()), "the work is late")
    );
    // Typing, relayed to the chat's others.
    let mut order_typing = carol.order_typing();
    john.send_order_typing("order-1", true)
        .await
        .expect("typing");
    let ty = next("order_typing", order_typing.next()).await;
    assert_eq!(
        (ty.user_id.as_str(), ty.order_id.as_str(), ty.is_typing),
        (ids::JOHN, "order-1", Some(true))
    );
    let mut dispute_typing = moderator.dispute_typing();
    john.send_dispute_typing("dispute-1", false)
        .await
        .expect("typing");
    let ty = next("dispute_typing", dispute_typing.next()).await;
    assert_eq!(
        (ty.dispute_id.as_str(), ty.is_typing),
        ("dispute-1", Some(false))
    );
    // Refused sends carry the server's reason.
    match carol.send_dispute_message("dispute-1", "x").await {
        Err(Error::Refused { code, message }) => {
            assert_eq!(
                (code.as_deref(), message.as_str()),
                (Some("NOT_IN_CHAT"), "Join the dispute chat first")
            )
        }
        other => panic!("expected NOT_IN_CHAT, got {other:?}"),
    }
    let too_many = (0..11)
        .map(|i| Attachment {
            file_url: format!("https://f/{i}"),
            file_name: format!("{i}"),
        })
        .collect();
    assert!(matches!(
        john.send_order_message("order-1", "x", too_many).await,
        Err(Error::Refused { code: Some(c), .. }) if c == "INVALID_PAYLOAD"
    ));
}

async fn leaving_a_chat(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = market(&s, t, ids::JOHN).await;
    john.join_order_chat("order-1").await.expect("join");
    john.join_dispute_chat("dispute-1").await.expect("join");
    john.leave_order_chat("order-1").expect("leave");
    john.leave_dispute_chat("dispute-1").expect("leave");
    // Once the server has each leave, sending there is refused.
    for (what, send) in [("order", true), ("dispute", false)] {
        within(&format!("left the {what} chat"), async {
            loop {
                let r = if send {
                    john.send_order_message("order-1", "still here?", Vec::new())
                        .await
                } else {
                    john.send_dispute_message("dispute-1", "still here?").await
                };
                if matches!(r, Err(Error::Refused { code: Some(ref c), .. }) if c == "NOT_IN_CHAT")
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
    }
}

async fn server_events_through_the_admin_api(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = market(&s, t, ids::JOHN).await;
    let (_k, carol) = market(&s, t, ids::CAROL).await;
    john.join_dispute_chat("dispute-1").await.expect("join");
    // order_status_update: both parties, in their user rooms.
    let mut john_orders = john.order_status_updates();
    let mut carol_orders = carol.order_status_updates();
    s.post(
        "/admin/api/orders/order-1/status",
        json!({"status": "completed"}),
    )
    .await;
    for stream in [&mut john_orders, &mut carol_orders] {
        let u = next("order_status_update", stream.next()).await;
        assert_eq!(
            (u.order_id.as_str(), u.status.as_str()),
            ("order-1", "completed")
        );
    }
    // dispute_status_update: the dispute's chat.
    let mut disputes = john.dispute_status_updates();
    s.post(
        "/admin/api/disputes/dispute-1/status",
        json!({"status": "resolved"}),
    )
    .await;
    let u = next("dispute_status_update", disputes.next()).await;
    assert_eq!(
        (u.dispute_id.as_str(), u.status.as_str()),
        ("dispute-1", "resolved")
    );
    // notification: the user's room.
    let mut notes = carol.notifications();
    s.post(
        "/admin/api/marketplace/notifications",
        json!({"userId": ids::CAROL, "content": "New order"}),
    )
    .await;
    assert_eq!(
        next("notification", notes.next()).await.content,
        "New order"
    );
}

async fn presence_online_and_offline(t: Transport) {
    let s = Server::start(&[]).await;
    // Carol performs john's order-1: she sees him come and go.
    let (_k, carol) = market(&s, t, ids::CAROL).await;
    let mut presence = carol.presence();
    let (john_client, _john) = market(&s, t, ids::JOHN).await;
    let p = next("user_presence", presence.next()).await;
    assert_eq!((p.user_id.as_str(), p.is_online), (ids::JOHN, true));
    john_client.disconnect().await.expect("disconnect");
    let p = next("user_presence", presence.next()).await;
    assert_eq!((p.user_id.as_str(), p.is_online), (ids::JOHN, false));
}

async fn restart_rejoins_chats(t: Transport) {
    let mut s = Server::start(&[]).await;
    let (_c, john) = market(&s, t, ids::JOHN).await;
    let (_k, carol) = market(&s, t, ids::CAROL).await;
    let mut events = Events::new(john.socket().events());
    let mut carol_events = Events::new(carol.socket().events());
    john.join_order_chat("order-1").await.expect("join");
    john.join_dispute_chat("dispute-1").await.expect("join");
    carol.join_order_chat("order-1").await.expect("join");
    for key in ["order:order-1", "dispute:dispute-1"] {
        events.room("/marketplace", key, RoomState::Joined).await;
    }
    carol_events
        .room("/marketplace", "order:order-1", RoomState::Joined)
        .await;
    s.restart().await;
    events.reconnect().await;
    for key in ["order:order-1", "dispute:dispute-1"] {
        events.room("/marketplace", key, RoomState::Joined).await;
    }
    carol_events
        .room("/marketplace", "order:order-1", RoomState::Joined)
        .await;
    // The new server has both in the chat: a message goes through.
    let mut to_carol = carol.order_messages();
    john.send_order_message("order-1", "after restart", Vec::new())
        .await
        .expect("sent");
    assert_eq!(
        next("order_message", to_carol.next()).await.content,
        "after restart"
    );
    let mut disputes = john.dispute_status_updates();
    s.post(
        "/admin/api/disputes/dispute-1/status",
        json!({"status": "escalated"}),
    )
    .await;
    assert_eq!(
        next("dispute_status_update", disputes.next()).await.status,
        "escalated"
    );
}
