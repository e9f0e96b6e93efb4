//! FAMA (seed 003) end to end through `omni_socket::products::fama`
//! against the reference server on `/fama`: both token forms, refusals as
//! `error {message}`, and "Token expired" answered with a refreshed token
//! and a reconnection.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use omni_product_tests::*;
use omni_socket::products::fama::{Fama, TokenForm};
use omni_socket::{Error, Event};

both_transports!(
    auth_raw_and_bearer_token,
    auth_refused,
    expired_at_connect_is_refreshed,
    token_expiring_in_session_is_refreshed,
    unknown_event_answered_with_error,
    restart_reconnects,
);

fn fama_url(s: &Server) -> String {
    s.url_of("/fama")
}

async fn auth_raw_and_bearer_token(t: Transport) {
    let s = Server::start(&[]).await;
    for form in [TokenForm::Raw, TokenForm::Bearer] {
        let fama = Fama::builder(&fama_url(&s), &token(ids::ALICE), form)
            .client(|b| t.apply(b))
            .connect()
            .await
            .expect("connect");
        let c = fama.connected().await.expect("connected");
        assert_eq!(c.message, "Successfully connected");
        assert_eq!((c.user.user_id, c.user.username.as_str()), (5, "alice"));
    }
}

async fn refused_with(s: &Server, t: Transport, token: &str) -> String {
    let form = if token.is_empty() {
        TokenForm::Raw
    } else {
        TokenForm::Bearer
    };
    let fama = Fama::builder(&fama_url(s), token, form)
        .client(|b| t.apply(b))
        .connect()
        .await
        .expect("FAMA accepts the transport");
    match fama.connected().await {
        Err(Error::Auth { message, .. }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn auth_refused(t: Transport) {
    let s = Server::start(&[]).await;
    assert_eq!(
        refused_with(&s, t, &forged_token(ids::ALICE)).await,
        "Authentication failed: Token is invalid"
    );
    assert_eq!(
        refused_with(&s, t, &expired_token(ids::ALICE)).await,
        "Authentication failed: Token expired"
    );
    assert_eq!(
        refused_with(&s, t, "").await,
        "Authentication failed: Authentication token is missing"
    );
    // FAMA users are numbered.
    assert_eq!(
        refused_with(&s, t, &token(ids::JOHN)).await,
        "Authentication failed: User not found"
    );
}

/// A refresh hook that hands out fresh tokens and counts its calls.
fn refresher(calls: Arc<AtomicU32>) -> impl Fn(u32) -> std::future::Ready<Option<String>> {
    move |_| {
        calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Some(token(ids::ALICE)))
    }
}

async fn expired_at_connect_is_refreshed(t: Transport) {
    let s = Server::start(&[]).await;
    let calls = Arc::new(AtomicU32::new(0));
    let fama = Fama::builder(&fama_url(&s), &expired_token(ids::ALICE), TokenForm::Raw)
        .client(|b| t.apply(b))
        .refresh_token(refresher(calls.clone()))
        .connect()
        .await
        .expect("connect");
    // The refused session said so first; the refreshed one connects.
    within("connected with the refreshed token", async {
        loop {
            match fama.connected().await {
                Ok(c) => return c,
                Err(Error::Auth { .. }) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await
                }
                Err(e) => panic!("{e:?}"),
            }
        }
    })
    .await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

async fn token_expiring_in_session_is_refreshed(t: Transport) {
    let s = Server::start(&[]).await;
    let calls = Arc::new(AtomicU32::new(0));
    // `exp` has one-second resolution: this token dies 2-3 s from now.
    let short = token_until(ids::ALICE, "user", now_secs() + 3);
    let fama = Fama::builder(&fama_url(&s), &short, TokenForm::Bearer)
        .client(|b| t.apply(b))
        .refresh_token(refresher(calls.clone()))
        .connect()
        .await
        .expect("connect");
    let mut errors = fama.errors();
    let mut events = Events::new(fama.socket().events());
    fama.connected().await.expect("connected");
    // FAMA's own shape: `error {message: "Token expired"}`, then a disconnect.
    let e = next("error at exp", errors.next()).await;
    assert_eq!(e.message, "Token expired");
    assert!(e.is_token_expired());
    events
        .take("refresh asked", |e| {
            matches!(e, Event::AuthRefreshNeeded { .. })
        })
        .await;
    events
        .take("connected again", |e| matches!(e, Event::Connect { .. }))
        .await;
    let c = fama
        .connected()
        .await
        .expect("connected with the new token");
    assert_eq!(c.user.user_id, 5);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(fama.status().is_connected);
}

async fn unknown_event_answered_with_error(t: Transport) {
    let s = Server::start(&[]).await;
    let fama = Fama::builder(&fama_url(&s), &token(ids::ALICE), TokenForm::Raw)
        .client(|b| t.apply(b))
        .connect()
        .await
        .expect("connect");
    fama.connected().await.expect("connected");
    let mut errors = fama.errors();
    // The seed lists no client events; anything sent is answered `error`.
    fama.socket()
        .emit("ping_me", Vec::new())
        .await
        .expect("emit");
    assert_eq!(
        next("error", errors.next()).await.message,
        "Unknown event 'ping_me'"
    );
}

async fn restart_reconnects(t: Transport) {
    let mut s = Server::start(&[]).await;
    let fama = Fama::builder(&fama_url(&s), &token(ids::ALICE), TokenForm::Bearer)
        .client(|b| t.apply(b))
        .connect()
        .await
        .expect("connect");
    fama.connected().await.expect("connected");
    let mut events = Events::new(fama.socket().events());
    s.restart().await;
    events.reconnect().await;
    events
        .take("connected again", |e| matches!(e, Event::Connect { .. }))
        .await;
    let c = fama.connected().await.expect("connected after the restart");
    assert_eq!(c.user.username, "alice");
}
