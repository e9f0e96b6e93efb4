//! Auth: per-CONNECT credentials, refresh after failures, giving up.

use serde_json::json;

use super::util::*;
use crate::client::*;

fn token_config(token: &str) -> ClientConfig {
    let mut config = Pair::config();
    config.auth = Some(json!({"token": token}));
    config
}

fn last_auth(p: &Pair) -> Option<serde_json::Value> {
    p.server.connects().last().and_then(|(_, a)| a.clone())
}

#[test]
fn credentials_are_built_for_every_connect() {
    let mut p = Pair::new(Pair::config());
    p.client.set_auth(
        Auth::Credentials(
            Credentials::bearer("abc")
                .with_license_key("OMNI-1")
                .with_role("admin"),
        ),
        AuthApply::NextConnect,
        p.now,
    );
    p.client.connect(p.now);
    p.drive();
    assert_eq!(
        last_auth(&p),
        Some(json!({"token": "Bearer abc", "license_key": "OMNI-1", "role": "admin"}))
    );
    // A token that already has the prefix is not prefixed twice; a raw
    // token stays raw. New credentials apply at the next CONNECT.
    p.client.set_auth(
        Auth::Credentials(Credentials::bearer("Bearer def")),
        AuthApply::NextConnect,
        p.now,
    );
    assert_eq!(p.server.connects().len(), 1, "no reconnect for NextConnect");
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(last_auth(&p), Some(json!({"token": "Bearer def"})));
    p.client.set_auth(
        Auth::Credentials(Credentials::token("raw")),
        AuthApply::NextConnect,
        p.now,
    );
    p.kill_transport();
    p.advance(5_000);
    assert_eq!(last_auth(&p), Some(json!({"token": "raw"})));
}

#[test]
fn auth_option_is_sent_as_is() {
    let p = Pair::connected_with(token_config("t1"));
    assert_eq!(last_auth(&p), Some(json!({"token": "t1"})));
}

#[test]
fn set_auth_with_reconnect_applies_at_once() {
    let mut p = Pair::connected_with(token_config("old"));
    p.take_events();
    p.client.set_auth(
        Auth::Credentials(Credentials::token("new")),
        AuthApply::Reconnect,
        p.now,
    );
    p.drive();
    assert_eq!(p.server.connects().len(), 2);
    assert_eq!(last_auth(&p), Some(json!({"token": "new"})));
    assert!(p.client.is_connected("/"));
    assert!(p.saw(|e| matches!(
        e,
        Event::Disconnect {
            reason: DisconnectReason::IoClientDisconnect,
            ..
        }
    )));
}

#[test]
fn token_refresh_after_connect_error() {
    let mut config = token_config("expired");
    config.auth_refresh_timeout = 10_000;
    let mut p = Pair::new(config);
    p.server
        .policy
        .insert("/".into(), Policy::Reject("Token expired".into(), None));
    p.client.connect(p.now);
    p.drive();
    assert!(
        p.saw(|e| matches!(e, Event::ConnectError { message, .. } if message == "Token expired"))
    );
    assert!(p.saw(|e| matches!(
        e,
        Event::AuthFailed {
            source: AuthFailureSource::ConnectError,
            ..
        }
    )));
    assert!(p.saw(|e| matches!(e, Event::AuthRefreshNeeded { failures: 1 })));
    // The client waits for the driver's refresh instead of retrying.
    p.advance(5_000);
    assert_eq!(p.server.connects().len(), 1);
    p.server.policy.insert("/".into(), Policy::Accept);
    p.client.set_auth(
        Auth::Credentials(Credentials::token("fresh")),
        AuthApply::NextConnect,
        p.now,
    );
    p.drive();
    assert_eq!(p.server.connects().len(), 2);
    assert_eq!(last_auth(&p), Some(json!({"token": "fresh"})));
    assert!(p.client.is_connected("/"));
    assert_eq!(p.client.auth_failures(), 0);
}

#[test]
fn refresh_timeout_retries_with_old_credentials() {
    let mut config = token_config("t");
    config.auth_refresh_timeout = 4_000;
    let mut p = Pair::new(config);
    p.server
        .policy
        .insert("/".into(), Policy::Reject("jwt malformed".into(), None));
    p.client.connect(p.now);
    p.drive();
    p.server.policy.insert("/".into(), Policy::Accept);
    p.advance(3_999);
    assert_eq!(p.server.connects().len(), 1);
    p.advance(1);
    assert_eq!(p.server.connects().len(), 2);
    assert!(p.client.is_connected("/"));
}

#[test]
fn refresh_when_the_server_also_closes_the_transport() {
    let mut config = token_config("old");
    config.auth_refresh_timeout = 30_000;
    let mut p = Pair::new(config);
    p.server
        .policy
        .insert("/".into(), Policy::Reject("Unauthorized".into(), None));
    p.client.connect(p.now);
    p.drive();
    p.kill_transport();
    // Backoff alone would retry after ~1 s; the refresh wait holds it back.
    p.advance(10_000);
    assert_eq!(p.server.connects().len(), 1);
    p.server.policy.insert("/".into(), Policy::Accept);
    p.client.set_auth(
        Auth::Credentials(Credentials::token("new")),
        AuthApply::NextConnect,
        p.now,
    );
    p.drive();
    assert!(p.client.is_connected("/"));
    assert_eq!(last_auth(&p), Some(json!({"token": "new"})));
}

#[test]
fn gives_up_after_repeated_auth_failures() {
    let mut config = token_config("bad");
    config.max_auth_failures = 3;
    config.auth_refresh_timeout = 1_000;
    let mut p = Pair::new(config);
    p.server.policy.insert(
        "/".into(),
        Policy::Reject("Authentication failed".into(), None),
    );
    p.client.connect(p.now);
    p.drive();
    p.advance(60_000);
    assert_eq!(p.server.connects().len(), 3);
    assert!(p.saw(|e| matches!(e, Event::AuthGaveUp { failures: 3 })));
    assert_eq!(p.client.state(), ConnectionState::Idle);
    p.advance(600_000);
    assert_eq!(p.server.connects().len(), 3, "no hammering after giving up");
}

#[test]
fn non_auth_connect_errors_are_not_auth_failures() {
    let mut p = Pair::new(Pair::config());
    p.server
        .policy
        .insert("/".into(), Policy::Reject("Server busy".into(), None));
    p.client.connect(p.now);
    p.drive();
    assert!(!p.saw(|e| matches!(e, Event::AuthFailed { .. })));
    p.server.policy.insert("/".into(), Policy::Accept);
    p.advance(5_000);
    assert!(p.client.is_connected("/"), "retried after a backoff");
}

#[test]
fn token_expired_error_event_then_server_disconnect() {
    let mut p = Pair::connected_with(token_config("old"));
    p.server_emit(
        "/",
        "error",
        json!([{"message": "Authentication failed: Token expired"}]),
    );
    assert!(p.saw(|e| matches!(e, Event::Message { event, .. } if event == "error")));
    assert!(p.saw(|e| matches!(
        e,
        Event::AuthFailed {
            source: AuthFailureSource::TokenExpired,
            ..
        }
    )));
    assert!(p.saw(|e| matches!(e, Event::AuthRefreshNeeded { failures: 1 })));
    p.server_send("41");
    assert!(!p.client.is_connected("/"));
    p.client.set_auth(
        Auth::Credentials(Credentials::bearer("new")),
        AuthApply::NextConnect,
        p.now,
    );
    p.drive();
    assert!(p.client.is_connected("/"));
    assert_eq!(last_auth(&p), Some(json!({"token": "Bearer new"})));
}

/// Found by the product matrix over long-polling: the refresh hook
/// answered `auth_error` before the server's DISCONNECT arrived (it comes
/// in a later poll), the namespace was still connected then, and the
/// disconnect that followed left it for good. New credentials that come
/// while the server has yet to disconnect are used when it does.
#[test]
fn credentials_refreshed_before_the_servers_disconnect_are_used_after_it() {
    let mut p = Pair::connected_with(token_config("old"));
    p.server_emit(
        "/",
        "auth_error",
        json!([{"code": "TOKEN_EXPIRED", "message": "Token expired"}]),
    );
    assert!(p.saw(|e| matches!(e, Event::AuthRefreshNeeded { failures: 1 })));
    p.client.set_auth(
        Auth::Credentials(Credentials::token("new")),
        AuthApply::NextConnect,
        p.now,
    );
    p.drive();
    assert_eq!(
        p.server.connects().len(),
        1,
        "still connected: nothing to do yet"
    );
    p.server_send("41");
    p.drive();
    assert!(p.client.is_connected("/"));
    assert_eq!(p.server.connects().len(), 2);
    assert_eq!(last_auth(&p), Some(json!({"token": "new"})));
}

#[test]
fn omni_auth_error_event() {
    let mut p = Pair::connected();
    p.server_emit("/", "auth_error", json!([{"message": "License revoked"}]));
    assert!(p.saw(|e| matches!(e, Event::AuthFailed { source: AuthFailureSource::AuthErrorEvent, message, .. } if message == "License revoked")));
    // Other error events are plain messages.
    p.take_events();
    p.server_emit(
        "/",
        "error",
        json!([{"code": "RATE_LIMITED", "message": "Too many requests"}]),
    );
    assert!(!p.saw(|e| matches!(e, Event::AuthFailed { .. })));
}

#[test]
fn refresh_timeout_after_transport_loss_reconnects_with_old_credentials() {
    let mut config = token_config("old");
    config.auth_refresh_timeout = 8_000;
    let mut p = Pair::new(config);
    p.server
        .policy
        .insert("/".into(), Policy::Reject("Unauthorized".into(), None));
    p.client.connect(p.now);
    p.drive();
    let failed_at = p.now;
    p.kill_transport();
    p.server.policy.insert("/".into(), Policy::Accept);
    p.advance(7_999);
    assert_eq!(p.server.connects().len(), 1);
    p.advance(1);
    assert_eq!(p.now, failed_at.plus_millis(8_000));
    assert!(p.client.is_connected("/"), "{:?}", p.events);
    assert_eq!(p.server.connects().len(), 2);
    assert_eq!(last_auth(&p), Some(json!({"token": "old"})));
}

#[test]
fn auth_patterns_match_without_ascii_case() {
    use crate::client::contains_ignore_ascii_case as has;
    assert!(has("Invalid TOKEN: expired", "token"));
    assert!(has("Token Expired", "token expired"));
    assert!(has("anything", ""));
    assert!(!has("tok", "token"));
    assert!(!has("Lizenz ungültig", "license"));
    assert!(has("Lizenz ungültig", "ungültig"));
}

/// `ask_auth` (socket.io-client's `auth` callback): every CONNECT waits
/// for credentials asked for with `AuthRequested`, reconnections included.
#[test]
fn ask_auth_before_every_connect() {
    // What a driver does with the application's answer.
    let answer = |p: &mut Pair, n: u64| {
        let auth = Auth::from_json(json!({ "n": n })).expect("an object");
        p.client.set_auth(auth, AuthApply::NextConnect, p.now);
        p.drive();
    };
    let mut config = Pair::config();
    config.ask_auth = true;
    config.timeout = 2_000;
    let mut p = Pair::new(config);
    p.client.connect(p.now);
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::AuthRequested { nsp } if nsp == "/")));
    assert!(
        p.server.connects().is_empty(),
        "no CONNECT before the answer"
    );
    answer(&mut p, 1);
    assert!(p.client.is_connected("/"));
    assert_eq!(last_auth(&p), Some(json!({"n": 1})));

    // A reconnection asks again; no answer within `timeout` is a connect
    // timeout, retried (and asked again) with the backoff.
    p.take_events();
    p.kill_transport();
    p.advance(5_000);
    let asked = p
        .events
        .iter()
        .filter(|e| matches!(e, Event::AuthRequested { .. }))
        .count();
    assert!(asked >= 2, "{:?}", p.events);
    assert!(p.saw(|e| matches!(e, Event::ConnectError { message, .. } if message == "timeout")));
    assert_eq!(p.server.connects().len(), 1);
    answer(&mut p, 2);
    assert!(p.client.is_connected("/"));
    assert_eq!(last_auth(&p), Some(json!({"n": 2})));
    assert_eq!(p.server.connects().len(), 2);

    // An answer after an auth failure is used as it is, not asked again.
    p.server
        .policy
        .insert("/".into(), Policy::Reject("Unauthorized".into(), None));
    p.take_events();
    p.kill_transport();
    p.advance(2_000);
    answer(&mut p, 3);
    assert!(p.saw(|e| matches!(e, Event::AuthRefreshNeeded { .. })));
    p.server.policy.insert("/".into(), Policy::Accept);
    p.take_events();
    answer(&mut p, 4);
    assert!(p.client.is_connected("/"));
    assert_eq!(last_auth(&p), Some(json!({"n": 4})));
    assert!(!p.saw(|e| matches!(e, Event::AuthRequested { .. })));
}

/// Found by the browser product matrix over long-polling (FAMA, expired at
/// connect): the server's CONNECT answer, its `error {message: "…Token
/// expired"}` and its DISCONNECT came in one poll; the refreshed
/// credentials then reconnected the namespace with the credentials its
/// socket had answered before (the expired ones), over and over. New
/// client-wide credentials replace what a namespace was answered.
#[test]
fn refreshed_credentials_replace_a_namespaces_answered_ones() {
    let mut config = Pair::config();
    config.ask_auth = true;
    let mut p = Pair::new(config);
    p.client.connect(p.now);
    p.drive();
    assert!(p.saw(|e| matches!(e, Event::AuthRequested { nsp } if nsp == "/")));
    p.client
        .answer_auth("/", Auth::Credentials(Credentials::token("old")), p.now);
    p.drive();
    assert!(p.client.is_connected("/"));
    assert_eq!(last_auth(&p), Some(json!({"token": "old"})));
    p.take_events();
    p.server_emit(
        "/",
        "error",
        json!([{"message": "Authentication failed: Token expired"}]),
    );
    p.server_send("41");
    assert!(p.saw(|e| matches!(e, Event::AuthRefreshNeeded { failures: 1 })));
    assert!(!p.client.is_connected("/"));
    // The refresh hook's answer, for every namespace.
    p.client.set_auth(
        Auth::Credentials(Credentials::token("new")),
        AuthApply::NextConnect,
        p.now,
    );
    p.drive();
    assert!(p.client.is_connected("/"));
    assert_eq!(p.server.connects().len(), 2);
    assert_eq!(last_auth(&p), Some(json!({"token": "new"})));
}
