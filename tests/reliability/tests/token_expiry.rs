//! A token that expires in the middle of a session. The reference server
//! sends `auth_error {code: "TOKEN_EXPIRED"}` and disconnects the socket at
//! the token's `exp`. The client must run its refresh hook
//! (`AuthRefreshNeeded`), connect again with the token the hook supplied,
//! and get its room back.

use std::time::Duration;

use omni_reliability_tests::*;
use omni_socket::{
    core::client::AuthFailureSource, Auth, AuthApply, Client, Credentials, Event, RoomState,
};
use serde_json::json;

const USER: &str = "user_12345";

// Single-threaded on purpose: the client task cannot run before the
// subscriptions below exist, so no early event is missed.
#[tokio::test]
async fn expired_token_is_refreshed_and_rooms_come_back() {
    init_logs();
    let server = OmniServer::start(&[]).await;
    // `exp` has one-second resolution: this token dies 2–3 s from now.
    let short_exp = now_secs() + 3;
    let short = mint_token(USER, "user", &[], short_exp);
    let client = Client::builder(&server.url())
        .auth(Auth::Credentials(Credentials::token(short)))
        .timeout(Duration::from_secs(2))
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(300))
        .connect_lazy()
        .expect("client");
    let mut events = Events::new(client.events());
    let mut authenticated = client.on_event("authenticated");
    client.connect_outcome().await.expect("first connect");
    let first = tokio::time::timeout(WAIT, authenticated.next())
        .await
        .expect("authenticated in time")
        .expect("client open");
    let first = omni_socket::value::to_json(&first.args[0]);
    assert_eq!(first["user_id"], json!(USER), "{first}");

    client.join_room(USER, "user").await.expect("join");
    events.take("room joined", |e| is_joined(e, USER)).await;

    // The refresh hook: the application mints a new token when asked.
    let e = events
        .take_within(Duration::from_secs(10), "auth failure at exp", |e| {
            matches!(e, Event::AuthFailed { .. })
        })
        .await;
    assert!(
        matches!(
            &e,
            Event::AuthFailed { source: AuthFailureSource::AuthErrorEvent, message, .. }
                if message.contains("Token expired")
        ),
        "{e:?}"
    );
    assert!(now_secs() >= short_exp, "auth_error before the token's exp");
    let e = events
        .take("the refresh hook", |e| {
            matches!(e, Event::AuthRefreshNeeded { .. })
        })
        .await;
    assert_eq!(e, Event::AuthRefreshNeeded { failures: 1 });
    let long_exp = now_secs() + 3600;
    let fresh = mint_token(USER, "user", &[], long_exp);
    client
        .set_auth(
            Auth::Credentials(Credentials::token(fresh)),
            AuthApply::NextConnect,
        )
        .expect("set_auth");

    // Back with the new token: the server's `authenticated` carries its
    // expiry, and the room is joined again.
    events
        .take("connect with the new token", |e| {
            matches!(e, Event::Connect { .. })
        })
        .await;
    let second = tokio::time::timeout(WAIT, authenticated.next())
        .await
        .expect("authenticated again in time")
        .expect("client open");
    let second = omni_socket::value::to_json(&second.args[0]);
    assert_eq!(second["user_id"], json!(USER), "{second}");
    assert_ne!(
        second["expires_at"], first["expires_at"],
        "the server saw the old token again"
    );
    events.take("room re-joined", |e| is_joined(e, USER)).await;

    // The server delivers to the room again.
    let mut notes = client.on_event("notification");
    notify_user(server.addr(), USER, "t", "after refresh").await;
    let m = tokio::time::timeout(WAIT, notes.next())
        .await
        .expect("notification in time")
        .expect("client open");
    assert_eq!(
        omni_socket::value::to_json(&m.args[0])["message"],
        json!("after refresh")
    );

    // The new token lasts: no second failure in the next 1.5 s.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    events.drain_ready();
    let failures = events
        .log
        .iter()
        .filter(|e| matches!(e, Event::AuthFailed { .. }))
        .count();
    assert_eq!(failures, 1, "{:?}", events.log);
    assert!(client.connected());
}

fn is_joined(e: &Event, room: &str) -> bool {
    matches!(e, Event::RoomState { key, state: RoomState::Joined, .. } if key == room)
}
