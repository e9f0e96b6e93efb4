//! Credentials changed during a session apply to the next CONNECT.
mod common;

use common::*;
use omni_socket::{Auth, AuthApply, Credentials, Event};
use serde_json::json;

#[tokio::test]
async fn set_auth_with_reconnect_sends_the_new_token() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .auth(Auth::Credentials(Credentials::token("old")))
        .connect_lazy()
        .unwrap();
    let mut welcomes = client.on_event("welcome");
    let first = next_named(&mut welcomes, "welcome").await;
    assert_eq!(as_json(&first.args[0])["auth"], json!({"token": "old"}));

    let mut events = client.events();
    client
        .set_auth(
            Auth::Credentials(Credentials::token("new")),
            AuthApply::Reconnect,
        )
        .unwrap();
    next_event(&mut events, |e| matches!(e, Event::Connect { .. })).await;
    let second = next_named(&mut welcomes, "welcome").await;
    assert_eq!(as_json(&second.args[0])["auth"], json!({"token": "new"}));
}

#[tokio::test]
async fn volatile_emits_are_dropped_offline_and_sent_online() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let mut echoes = client.on_event("echo");
    assert!(client
        .emit_volatile("echo", vec![s("online")])
        .await
        .unwrap());
    assert_eq!(
        next_named(&mut echoes, "echo").await.args,
        vec![s("online")]
    );

    client.disconnect().await.unwrap();
    assert!(!client
        .emit_volatile("echo", vec![s("offline")])
        .await
        .unwrap());
    client.reconnect().unwrap();
    client.wait_connected(WAIT).await.unwrap();
    client.emit("echo", vec![s("after")]).await.unwrap();
    // The volatile emit made offline never arrives; the next one does.
    assert_eq!(next_named(&mut echoes, "echo").await.args, vec![s("after")]);
}

/// With `ask_auth` every CONNECT waits for credentials asked for with
/// `AuthRequested`: the first connection and each reconnection.
#[tokio::test]
async fn ask_auth_gets_fresh_credentials_for_every_connect() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .config(|c| c.ask_auth = true)
        .connect_lazy()
        .unwrap();
    let mut events = client.events();
    let mut welcomes = client.on_event("welcome");
    for n in 1..=2 {
        next_event(&mut events, |e| matches!(e, Event::AuthRequested { .. })).await;
        client
            .set_auth(
                Auth::Credentials(Credentials::token(format!("t{n}"))),
                AuthApply::NextConnect,
            )
            .unwrap();
        let welcome = next_named(&mut welcomes, "welcome").await;
        assert_eq!(
            as_json(&welcome.args[0])["auth"],
            json!({ "token": format!("t{n}") })
        );
        if n == 1 {
            // A server disconnect, then a reconnection: its CONNECT asks again.
            client.emit("kick", vec![]).await.unwrap();
            next_event(&mut events, |e| matches!(e, Event::Disconnect { .. })).await;
            client.reconnect().unwrap();
        }
    }
}
