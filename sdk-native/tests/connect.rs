//! Connecting with auth, and the errors of a failed first connect.
mod common;

use common::*;
use omni_socket::{Auth, Credentials, Error};
use serde_json::json;

#[tokio::test]
async fn connect_with_auth_sends_the_auth_object() {
    let server = NodeServer::start().await;
    let client = builder(&server.url())
        .auth(Auth::Credentials(
            Credentials::bearer("abc")
                .with_license_key("OMNI-PREM-1")
                .with_role("admin"),
        ))
        .connect_lazy()
        .unwrap();
    let mut any = client.on_any();
    let welcome = next_named(&mut any, "welcome").await;
    let body = as_json(&welcome.args[0]);
    assert_eq!(
        body["auth"],
        json!({"token": "Bearer abc", "license_key": "OMNI-PREM-1", "role": "admin"})
    );
    assert_eq!(body["nsp"], "/");
    assert!(client.connected());
    assert_eq!(client.id().as_deref(), body["id"].as_str());
}

#[tokio::test]
async fn auth_failure_is_reported_as_auth() {
    let server = NodeServer::start().await;
    let err = builder(&server.url())
        .auth(Auth::Credentials(Credentials::token("invalid")))
        .connect()
        .await
        .unwrap_err();
    match err {
        Error::Auth { message, data } => {
            assert!(message.contains("invalid token"), "{message}");
            assert_eq!(data, Some(json!({"code": "AUTH_INVALID"})));
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
}

#[tokio::test]
async fn other_refusals_are_rejected() {
    let server = NodeServer::start().await;
    let err = builder(&server.url())
        .auth(Auth::Credentials(Credentials::token("forbidden")))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Rejected { ref message, .. } if message.contains("maintenance")),
        "{err:?}"
    );
}

#[tokio::test]
async fn refused_connection_and_bad_url() {
    // A port bound by a socket that never listens: connecting is refused,
    // and no other test's server can be given the port meanwhile (as it
    // could be after binding and dropping a listener).
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = reserved.local_addr().unwrap().port();
    let err = builder(&format!("http://127.0.0.1:{port}"))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConnectionRefused { .. }), "{err:?}");
    drop(reserved);

    let err = builder("ftp://example.com").connect().await.unwrap_err();
    assert!(matches!(err, Error::InvalidUrl { .. }), "{err:?}");
    let err = builder("not a url").connect().await.unwrap_err();
    assert!(matches!(err, Error::InvalidUrl { .. }), "{err:?}");
}
