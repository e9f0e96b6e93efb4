//! Omni (seed 000) end to end through `omni_socket::products::omni`
//! against the reference server: every auth form, every room of the seed
//! (allowed and refused), every client-to-server event with its answer,
//! every server-to-client event (through the admin API where the server
//! has one), `/admin` and `/analytics`, and a server restart.

use bytes::Bytes;
use omni_product_tests::*;
use omni_socket::models::omni::OmniServerEvent;
use omni_socket::products::omni::Omni;
use omni_socket::{Auth, Client, Credentials, Error, Event, RateLimitConfig, RoomState};
use serde_json::json;

both_transports!(
    auth_token_license_and_role,
    auth_refused,
    auth_token_expiring_in_session_is_refreshed,
    rooms_allowed,
    rooms_refused,
    client_events_answered,
    server_events_through_the_admin_api,
    server_rate_limit_pauses_the_event,
    admin_namespace,
    analytics_namespace,
    restart_rejoins_every_room,
);

async fn omni(s: &Server, t: Transport, credentials: Credentials) -> (Client, Omni) {
    let client = t
        .apply(Omni::builder(&s.url(), credentials))
        .connect()
        .await
        .expect("connect");
    let omni = Omni::new(omni_socket::Socket::clone(&client));
    (client, omni)
}

/// A client whose subscriptions exist before it connects, so the
/// `authenticated` the server sends at once is not missed.
async fn authenticated(
    s: &Server,
    t: Transport,
    credentials: Credentials,
) -> omni_socket::models::omni::Authenticated {
    let client = t
        .apply(Omni::builder(&s.url(), credentials))
        .build()
        .expect("client");
    let mut auth = client.subscribe::<omni_socket::models::omni::Authenticated>();
    client.reconnect().expect("connect");
    client.connect_outcome().await.expect("connect");
    next("authenticated", auth.next()).await
}

async fn auth_token_license_and_role(t: Transport) {
    let s = Server::start(&[]).await;
    // Token and license key, as the seed connects.
    let a = authenticated(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_license_key(ids::LICENSE),
    )
    .await;
    assert_eq!(a.user_id.as_deref(), Some(ids::JOHN));
    assert_eq!(a.license_key.as_deref(), Some(ids::LICENSE));
    assert!(a
        .permissions
        .unwrap_or_default()
        .contains(&"write".to_owned()));
    // Token only.
    let a = authenticated(&s, t, Credentials::token(token(ids::CAROL))).await;
    assert_eq!(a.user_id.as_deref(), Some(ids::CAROL));
    // License only: the license's session, nobody's user.
    let a = authenticated(&s, t, Credentials::default().with_license_key(ids::LICENSE)).await;
    assert_eq!(
        (a.user_id, a.license_key.as_deref()),
        (None, Some(ids::LICENSE))
    );
    // The seed's admin form `{token, role: "admin"}`.
    let a = authenticated(
        &s,
        t,
        Credentials::token(token(ids::ADMIN)).with_role("admin"),
    )
    .await;
    assert!(a
        .permissions
        .unwrap_or_default()
        .contains(&"admin".to_owned()));
    // Anonymous: connected, no `authenticated`.
    let (_c, anon) = omni(&s, t, Credentials::default()).await;
    assert!(anon.status().is_connected);
}

async fn refused(s: &Server, t: Transport, credentials: Credentials) -> String {
    match t
        .apply(Omni::builder(&s.url(), credentials))
        .connect()
        .await
    {
        Err(Error::Auth { message, .. }) => message,
        other => panic!("expected an auth refusal, got {other:?}"),
    }
}

async fn auth_refused(t: Transport) {
    let s = Server::start(&[]).await;
    let m = refused(&s, t, Credentials::token(forged_token(ids::JOHN))).await;
    assert_eq!(m, "INVALID_TOKEN: Token is invalid");
    let m = refused(&s, t, Credentials::token(expired_token(ids::JOHN))).await;
    assert_eq!(m, "TOKEN_EXPIRED: Token expired");
    let m = refused(
        &s,
        t,
        Credentials::default().with_license_key("OMNI-PREM-DEAD-0000-BEEF"),
    )
    .await;
    assert_eq!(m, "INVALID_LICENSE: License key is invalid or expired");
    // Someone else's license with a valid token.
    let m = refused(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_license_key(ids::CAROL_LICENSE),
    )
    .await;
    assert!(m.starts_with("INVALID_LICENSE"), "{m}");
    // A role the token does not grant.
    let m = refused(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_role("admin"),
    )
    .await;
    assert!(m.starts_with("INVALID_TOKEN"), "{m}");
}

async fn auth_token_expiring_in_session_is_refreshed(t: Transport) {
    let s = Server::start(&[]).await;
    // `exp` has one-second resolution: this token dies 2-3 s from now.
    let short = token_until(ids::JOHN, "user", now_secs() + 3);
    let client = t
        .apply(Omni::builder(&s.url(), Credentials::token(short)))
        .build()
        .expect("client");
    let mut auth_errors = client.subscribe::<omni_socket::models::omni::AuthError>();
    let mut events = Events::new(client.events());
    client
        .refresh_auth(|_| async { Some(Auth::Credentials(Credentials::token(token(ids::JOHN)))) });
    client.reconnect().expect("connect");
    client.connect_outcome().await.expect("connect");
    let omni = Omni::new(omni_socket::Socket::clone(&client));
    omni.join_user_room(ids::JOHN).await.expect("join");
    events.room("/", ids::JOHN, RoomState::Joined).await;
    let e = next("auth_error at exp", auth_errors.next()).await;
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("TOKEN_EXPIRED", "Token expired")
    );
    events
        .take("refresh asked", |e| {
            matches!(e, Event::AuthRefreshNeeded { .. })
        })
        .await;
    events.room("/", ids::JOHN, RoomState::Joined).await;
    // Delivered again with the new token.
    let mut notes = omni.notifications();
    s.post(
        "/admin/api/notifications",
        json!({"user_id": ids::JOHN, "title": "t", "message": "after refresh"}),
    )
    .await;
    assert_eq!(
        next("notification", notes.next()).await.message,
        "after refresh"
    );
}

async fn rooms_allowed(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = omni(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_license_key(ids::LICENSE),
    )
    .await;
    let mut joined = john
        .socket()
        .subscribe::<omni_socket::models::omni::RoomJoined>();
    john.join_user_room(ids::JOHN).await.expect("user room");
    john.join_license_room(ids::LICENSE)
        .await
        .expect("license room");
    let first = next("room_joined", joined.next()).await;
    assert_eq!(
        (first.room.as_str(), first.kind.as_str()),
        (ids::JOHN, "user")
    );
    let second = next("room_joined", joined.next()).await;
    assert_eq!(second.kind, "license");
    assert!(second.members_count >= 1);
    let (_a, admin) = omni(&s, t, Credentials::token(token(ids::ADMIN))).await;
    admin.join_admin_dashboard().await.expect("admin_dashboard");
    // Admins may follow any license.
    admin
        .join_license_room(ids::CAROL_LICENSE)
        .await
        .expect("any license");
}

async fn rooms_refused(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = omni(&s, t, Credentials::token(token(ids::JOHN))).await;
    let reason = |r: Result<(), Error>| match r {
        Err(Error::RoomRefused { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let forbidden = "You are not allowed to join this room";
    assert_eq!(reason(john.join_user_room(ids::CAROL).await), forbidden);
    assert_eq!(
        reason(john.join_license_room(ids::CAROL_LICENSE).await),
        forbidden
    );
    assert_eq!(reason(john.join_admin_dashboard().await), forbidden);
    assert_eq!(
        reason(john.join_room("license_INVALID").await),
        "Room does not exist"
    );
    assert_eq!(reason(john.join_room("lobby").await), "Room does not exist");
    // A license-only session has no user room.
    let (_l, license) = omni(&s, t, Credentials::default().with_license_key(ids::LICENSE)).await;
    assert_eq!(reason(license.join_user_room(ids::JOHN).await), forbidden);
    license
        .join_license_room(ids::LICENSE)
        .await
        .expect("its own license room");
    // Anonymous sockets join nothing.
    let (_a, anon) = omni(&s, t, Credentials::default()).await;
    assert_eq!(
        reason(anon.join_user_room(ids::JOHN).await),
        "Authentication is required to join rooms"
    );
    // A refused room does not stop the others working.
    john.join_user_room(ids::JOHN).await.expect("own room");
}

async fn client_events_answered(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = omni(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_license_key(ids::LICENSE),
    )
    .await;
    // heartbeat → heartbeat_response: the first goes out on connect.
    let mut latency = john.socket().state();
    within(
        "a latency sample",
        latency.wait_for(|s| s.latency.count >= 1),
    )
    .await
    .expect("client open");
    assert!(john.latency().count >= 1);
    // join_room / leave_room → room_joined / room_left.
    let mut left = john
        .socket()
        .subscribe::<omni_socket::models::omni::RoomLeft>();
    john.join_user_room(ids::JOHN).await.expect("join");
    john.leave_room(ids::JOHN).expect("leave");
    assert_eq!(next("room_left", left.next()).await.room, ids::JOHN);
    // license_check → license_check_result.
    let r = john.license_check(ids::LICENSE).await.expect("check");
    assert!(r.valid && r.status == "active", "{r:?}");
    assert!(r.days_remaining.unwrap_or(0) > 300);
    let r = john.license_check(ids::CAROL_LICENSE).await.expect("check");
    assert_eq!((r.valid, r.status.as_str()), (false, "not_found"));
    // notification_read, acknowledged.
    john.join_user_room(ids::JOHN).await.expect("join");
    let mut notes = john.notifications();
    s.post(
        "/admin/api/notifications",
        json!({"user_id": ids::JOHN, "title": "T", "message": "M", "priority": "high"}),
    )
    .await;
    let n = next("notification", notes.next()).await;
    john.mark_notification_read(&n.id)
        .await
        .expect("marked read");
    match john.mark_notification_read("notif_missing").await {
        Err(Error::Refused { code, .. }) => assert_eq!(code.as_deref(), Some("NOT_FOUND")),
        other => panic!("expected NOT_FOUND, got {other:?}"),
    }
    // binary_data → binary_response with the same bytes.
    let data = Bytes::from((0..=255u8).cycle().take(3000).collect::<Vec<_>>());
    assert_eq!(john.send_binary(data.clone()).await.expect("binary"), data);
    // An anonymous license_check is refused with the server's reason.
    let (_a, anon) = omni(&s, t, Credentials::default()).await;
    match anon.license_check(ids::LICENSE).await {
        Err(Error::Refused { code, .. }) => assert_eq!(code.as_deref(), Some("UNAUTHORIZED")),
        other => panic!("expected UNAUTHORIZED, got {other:?}"),
    }
}

async fn server_events_through_the_admin_api(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, john) = omni(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_license_key(ids::LICENSE),
    )
    .await;
    let (_a, admin) = omni(&s, t, Credentials::token(token(ids::ADMIN))).await;
    let mut ev = john.events();
    let mut admin_ev = admin.events();
    john.join_user_room(ids::JOHN).await.expect("user room");
    john.join_license_room(ids::LICENSE)
        .await
        .expect("license room");
    admin.join_admin_dashboard().await.expect("admin_dashboard");

    async fn wait(
        ev: &mut omni_socket::products::ServerEvents<OmniServerEvent>,
        name: &str,
    ) -> OmniServerEvent {
        within(name, async {
            loop {
                let e = ev.next().await.expect("client open");
                if e.name() == name {
                    return e;
                }
            }
        })
        .await
    }

    s.post(
        "/admin/api/notifications",
        json!({"user_id": ids::JOHN, "title": "Hi", "message": "there"}),
    )
    .await;
    assert!(
        matches!(wait(&mut ev, "notification").await, OmniServerEvent::Notification(n) if n.title == "Hi")
    );
    s.post(
        "/admin/api/usage",
        json!({"license_key": ids::LICENSE, "api_calls": 1250, "storage_used_gb": 15.5, "active_users": 12}),
    )
    .await;
    assert!(
        matches!(wait(&mut ev, "usage_update").await, OmniServerEvent::UsageUpdate(u) if u.api_calls == 1250)
    );
    s.post(
        "/admin/api/quota-warning",
        json!({"license_key": ids::LICENSE, "type": "api_calls", "current": 9500, "limit": 10000,
               "percentage": 95, "message": "95% used"}),
    )
    .await;
    assert!(
        matches!(wait(&mut ev, "quota_warning").await, OmniServerEvent::QuotaWarning(q) if q.percentage == 95.0)
    );
    s.post(
        "/admin/api/licenses/updated",
        json!({"license_key": ids::LICENSE, "changes": {"updated_at": "2024-01-15T11:00:00Z"}}),
    )
    .await;
    wait(&mut ev, "license_updated").await;
    s.post(
        "/admin/api/licenses/renewed",
        json!({"license_key": ids::LICENSE}),
    )
    .await;
    wait(&mut ev, "license_renewed").await;
    // The whole lifecycle of a new license, seen on admin_dashboard.
    let key = "OMNI-TEST-0000-1111-2222";
    s.post(
        "/admin/api/licenses/created",
        json!({"license_key": key, "client_id": ids::CAROL, "plan": "premium"}),
    )
    .await;
    assert!(
        matches!(wait(&mut admin_ev, "license_created").await, OmniServerEvent::LicenseCreated(l) if l.license_key == key)
    );
    for (route, name) in [
        ("renewed", "license_renewed"),
        ("expired", "license_expired"),
        ("deleted", "license_deleted"),
    ] {
        if route == "renewed" {
            s.post(
                "/admin/api/licenses/updated",
                json!({"license_key": key, "changes": {"status": {"old": "active", "new": "suspended"}}}),
            )
            .await;
            assert!(matches!(wait(&mut admin_ev, "license_updated").await,
                OmniServerEvent::LicenseUpdated(u) if u.changes.status.as_ref().is_some_and(|c| c.new == "suspended")));
        }
        s.post(
            &format!("/admin/api/licenses/{route}"),
            json!({"license_key": key}),
        )
        .await;
        wait(&mut admin_ev, name).await;
    }
    s.post(
        "/admin/api/users/login",
        json!({"user_id": ids::CAROL, "username": "carol", "ip_address": "192.168.1.100"}),
    )
    .await;
    assert!(
        matches!(wait(&mut admin_ev, "user_login").await, OmniServerEvent::UserLogin(l) if l.user_id == ids::CAROL)
    );
    s.post(
        "/admin/api/users/logout",
        json!({"user_id": ids::CAROL, "session_duration": 7200}),
    )
    .await;
    wait(&mut admin_ev, "user_logout").await;
    s.post(
        "/admin/api/maintenance",
        json!({"enabled": true, "message": "System maintenance in progress", "estimated_duration": 1800}),
    )
    .await;
    assert!(
        matches!(wait(&mut ev, "maintenance_mode").await, OmniServerEvent::MaintenanceMode(m) if m.enabled)
    );
    s.post("/admin/api/system-status", json!({})).await;
    assert!(
        matches!(wait(&mut ev, "system_status").await, OmniServerEvent::SystemStatus(st) if st.status == "healthy")
    );
}

async fn server_rate_limit_pauses_the_event(t: Transport) {
    let s = Server::start(&[]).await;
    // Client-side pacing off: the server's limit (100 `license_check` a
    // minute per user) answers the 101st with `rate_limited` and `error`.
    let client = t
        .apply(Omni::builder(
            &s.url(),
            Credentials::token(token(ids::JOHN)).with_license_key(ids::LICENSE),
        ))
        .rate_limit(RateLimitConfig::disabled())
        .connect()
        .await
        .expect("connect");
    let omni = Omni::new(omni_socket::Socket::clone(&client));
    let mut limited = omni.rate_limits();
    let mut events = Events::new(client.events());
    for _ in 0..100 {
        omni.license_check(ids::LICENSE)
            .await
            .expect("within the budget");
    }
    match omni.license_check(ids::LICENSE).await {
        Err(Error::Refused { code, .. }) => assert_eq!(code.as_deref(), Some("RATE_LIMITED")),
        other => panic!("expected RATE_LIMITED, got {other:?}"),
    }
    let r = next("rate_limited", limited.next()).await;
    assert_eq!(
        (r.event.as_str(), r.limit, r.window),
        ("license_check", 100, 60)
    );
    assert!(r.retry_after >= 1);
    // The client pauses the event for retry_after.
    let e = events
        .take("pause", |e| matches!(e, Event::RateLimited { .. }))
        .await;
    assert!(
        matches!(e, Event::RateLimited { event, retry_after, .. } if event == "license_check" && retry_after >= 1000)
    );
}

async fn admin_namespace(t: Transport) {
    let s = Server::start(&[]).await;
    let (_c, admin) = omni(&s, t, Credentials::token(token(ids::ADMIN))).await;
    let admin_ns = admin.admin();
    let mut logins = admin_ns.logins();
    let mut logouts = admin_ns.logouts();
    admin_ns
        .socket()
        .wait_connected(WAIT)
        .await
        .expect("/admin connected");
    let stats = admin_ns.get_stats().await.expect("get_stats");
    assert!(
        stats["namespaces"]["/admin"].as_u64().unwrap_or(0) >= 1,
        "{stats}"
    );
    s.post(
        "/admin/api/users/login",
        json!({"user_id": ids::JOHN, "username": "john_doe", "ip_address": "10.0.0.1"}),
    )
    .await;
    assert_eq!(next("user_login", logins.next()).await.user_id, ids::JOHN);
    s.post(
        "/admin/api/users/logout",
        json!({"user_id": ids::JOHN, "session_duration": 60}),
    )
    .await;
    assert_eq!(
        next("user_logout", logouts.next()).await.session_duration,
        60
    );
    // Refused for anyone else.
    let (_j, john) = omni(&s, t, Credentials::token(token(ids::JOHN))).await;
    let mut events = Events::new(john.socket().events());
    let _ns = john.admin();
    let e = events
        .take(
            "connect_error on /admin",
            |e| matches!(e, Event::ConnectError { nsp, .. } if nsp == "/admin"),
        )
        .await;
    assert!(
        matches!(e, Event::ConnectError { message, .. } if message == "FORBIDDEN: The admin role is required")
    );
}

async fn analytics_namespace(t: Transport) {
    let s = Server::start(&["--stats-interval-ms", "200"]).await;
    let (_c, john) = omni(&s, t, Credentials::token(token(ids::JOHN))).await;
    let analytics = john.analytics();
    let mut stats = analytics.stats();
    let first = next("real_time_stats", stats.next()).await;
    assert!(
        first.0["connections"].as_u64().unwrap_or(0) >= 1,
        "{:?}",
        first.0
    );
    // Anonymous sessions may not.
    let (_a, anon) = omni(&s, t, Credentials::default()).await;
    let mut events = Events::new(anon.socket().events());
    let _ns = anon.analytics();
    let e = events
        .take(
            "connect_error on /analytics",
            |e| matches!(e, Event::ConnectError { nsp, .. } if nsp == "/analytics"),
        )
        .await;
    assert!(
        matches!(e, Event::ConnectError { message, .. } if message.starts_with("INVALID_TOKEN"))
    );
}

async fn restart_rejoins_every_room(t: Transport) {
    let mut s = Server::start(&[]).await;
    let (_c, john) = omni(
        &s,
        t,
        Credentials::token(token(ids::JOHN)).with_license_key(ids::LICENSE),
    )
    .await;
    let mut events = Events::new(john.socket().events());
    john.join_user_room(ids::JOHN).await.expect("user room");
    john.join_license_room(ids::LICENSE)
        .await
        .expect("license room");
    let license_room = format!("license_{}", ids::LICENSE);
    events.room("/", ids::JOHN, RoomState::Joined).await;
    events.room("/", &license_room, RoomState::Joined).await;
    s.restart().await;
    events.reconnect().await;
    events.room("/", ids::JOHN, RoomState::Joined).await;
    events.room("/", &license_room, RoomState::Joined).await;
    // The new server delivers to both rooms.
    let mut notes = john.notifications();
    let mut usage = john.usage();
    s.post(
        "/admin/api/notifications",
        json!({"user_id": ids::JOHN, "title": "back", "message": "again"}),
    )
    .await;
    s.post(
        "/admin/api/usage",
        json!({"license_key": ids::LICENSE, "api_calls": 1, "storage_used_gb": 1, "active_users": 1}),
    )
    .await;
    assert_eq!(next("notification", notes.next()).await.title, "back");
    assert_eq!(next("usage_update", usage.next()).await.api_calls, 1);
    assert!(john.status().is_connected);
}
