//! PaaS deployments (seed 001) end to end through
//! `omni_socket::products::deployments` against the reference server on
//! `/deployments`.

use omni_product_tests::*;
use omni_socket::models::deployments::UserId;
use omni_socket::products::deployments::{DeploymentUpdate, Deployments};
use omni_socket::{Client, Error, RoomState, Socket};
use serde_json::json;

both_transports!(
    auth_token,
    auth_refused,
    subscriptions_allowed_and_refused,
    unsubscribe_stops_the_feed,
    server_events_through_the_admin_api,
    presence_online_and_offline,
    restart_resubscribes,
);

async fn deployments(s: &Server, t: Transport, user: &str) -> (Client, Deployments) {
    let client = t
        .apply(Deployments::builder(
            &s.url_of("/deployments"),
            &token(user),
        ))
        .connect()
        .await
        .expect("connect");
    let d = Deployments::new(Socket::clone(&client));
    (client, d)
}

async fn auth_token(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, d) = deployments(&s, t, ids::JOHN).await;
    assert!(d.status().is_connected);
}

async fn auth_refused(t: Transport) {
    let s = Server::start(&[]).await;
    assert_token_refusals(t, ids::JOHN, |token| {
        Deployments::builder(&s.url_of("/deployments"), token)
    })
    .await;
}

async fn subscriptions_allowed_and_refused(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = deployments(&s, t, ids::JOHN).await;
    // The current status arrives at once.
    let mut feed = john
        .subscribe_to_deployment("dep-100")
        .await
        .expect("own deployment");
    assert_eq!(
        next("current status", feed.next()).await,
        DeploymentUpdate::Status(omni_socket::models::deployments::DeploymentStatus {
            deployment_id: "dep-100".into(),
            status: "running".into(),
        })
    );
    let reason = |r: Result<_, Error>| match r {
        Err(Error::RoomRefused { reason, .. }) => reason,
        Err(e) => panic!("expected a refusal, got {e:?}"),
        Ok(_) => panic!("expected a refusal, got a feed"),
    };
    let mut errors = john.socket().on_event("error");
    assert_eq!(
        reason(john.subscribe_to_deployment("dep-200").await),
        "This deployment belongs to someone else"
    );
    // The server's `error {code, message}` that comes with the refusal.
    let e = omni_socket::value::to_json(&next("error", errors.next()).await.args[0]);
    assert_eq!(e["code"], "FORBIDDEN");
    assert_eq!(
        reason(john.subscribe_to_deployment("dep-999").await),
        "Deployment not found"
    );
    let (_a, admin) = deployments(&s, t, ids::ADMIN).await;
    let mut feed = admin
        .subscribe_to_deployment("dep-200")
        .await
        .expect("admins follow any");
    assert!(
        matches!(next("status", feed.next()).await, DeploymentUpdate::Status(s) if s.status == "building")
    );
}

async fn unsubscribe_stops_the_feed(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, admin) = deployments(&s, t, ids::ADMIN).await;
    let mut feed = admin
        .subscribe_to_deployment("dep-100")
        .await
        .expect("subscribe");
    next("current status", feed.next()).await;
    let mut other = admin
        .subscribe_to_deployment("dep-200")
        .await
        .expect("subscribe");
    next("current status", other.next()).await;
    admin
        .unsubscribe_from_deployment("dep-100")
        .expect("unsubscribe");
    // The server runs each event on a task of its own: once it has the
    // unsubscribe, a log of dep-100 no longer comes before one of dep-200
    // posted after it.
    let mut logs = admin.logs();
    within("unsubscribed on the server", async {
        loop {
            s.post("/admin/api/deployments/dep-100/log", json!({"log": "a"}))
                .await;
            s.post("/admin/api/deployments/dep-200/log", json!({"log": "b"}))
                .await;
            let first = logs.next().await.expect("client open");
            if first.deployment_id == "dep-200" {
                return;
            }
            // Still subscribed: dep-200's log is next.
            logs.next().await.expect("client open");
        }
    })
    .await;
    // The wire answer of `deployment:unsubscribe` is its ack.
    let answer = admin
        .socket()
        .emit_with_ack(
            "deployment:unsubscribe",
            vec![omni_socket::Value::String("dep-200".into())],
            WAIT,
        )
        .await
        .expect("ack");
    let answer = omni_socket::value::to_json(&answer[0]);
    assert_eq!(answer, json!({"success": true, "deploymentId": "dep-200"}));
}

async fn server_events_through_the_admin_api(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = deployments(&s, t, ids::JOHN).await;
    let mut feed = john
        .subscribe_to_deployment("dep-100")
        .await
        .expect("subscribe");
    next("current status", feed.next()).await;
    s.post(
        "/admin/api/deployments/dep-100/status",
        json!({"status": "deploying"}),
    )
    .await;
    s.post(
        "/admin/api/deployments/dep-100/log",
        json!({"log": "Step 1/3: build"}),
    )
    .await;
    assert!(
        matches!(next("status", feed.next()).await, DeploymentUpdate::Status(s) if s.status == "deploying")
    );
    assert!(
        matches!(next("log", feed.next()).await, DeploymentUpdate::Log(l) if l.log == "Step 1/3: build")
    );
}

async fn presence_online_and_offline(t: Transport) {
    let s = Server::start(&[]).await;
    // Staff see everyone come and go; so do the user's own other sockets.
    let (_a, admin) = deployments(&s, t, ids::ADMIN).await;
    let mut online = admin.users_online();
    let mut offline = admin.users_offline();
    let (john_client, _john) = deployments(&s, t, ids::JOHN).await;
    let on = next("user:online", online.next()).await;
    assert_eq!(
        (on.user_id, on.status.as_str()),
        (UserId::String(ids::JOHN.into()), "online")
    );
    john_client.disconnect().await.expect("disconnect");
    let off = next("user:offline", offline.next()).await;
    assert_eq!(
        (off.user_id, off.status.as_str()),
        (UserId::String(ids::JOHN.into()), "offline")
    );
}

async fn restart_resubscribes(t: Transport) {
    let mut s = Server::start(&[]).await;
    let (_c, john) = deployments(&s, t, ids::JOHN).await;
    let mut events = Events::new(john.socket().events());
    let mut feed = john
        .subscribe_to_deployment("dep-100")
        .await
        .expect("subscribe");
    next("current status", feed.next()).await;
    events
        .room("/deployments", "deployment:dep-100", RoomState::Joined)
        .await;
    s.restart().await;
    events.reconnect().await;
    events
        .room("/deployments", "deployment:dep-100", RoomState::Joined)
        .await;
    // The new server's current status, then its logs.
    assert!(matches!(
        next("status after restart", feed.next()).await,
        DeploymentUpdate::Status(_)
    ));
    s.post(
        "/admin/api/deployments/dep-100/log",
        json!({"log": "after restart"}),
    )
    .await;
    assert!(
        matches!(next("log", feed.next()).await, DeploymentUpdate::Log(l) if l.log == "after restart")
    );
}
