//! Omni (seed 000) on `/`, plus `/admin` and `/analytics`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use omni_socket_core::models::omni as m;
use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use socketioxide_core::adapter::DefinedAdapter;

use crate::auth::Role;
use crate::rate::omni_limit;
use crate::state::{
    anonymous_subject, auth_str, emit, emit_error, expire_with_token, refuse, refuse_rate, session,
    verify_auth_token, Refusal, Session, Shared,
};
use crate::store::valid_id;
use crate::time::{iso8601, now_iso, now_ms};

/// Longest room name accepted in `join_room` / `leave_room`.
const MAX_ROOM_LEN: usize = 160;
/// Events `/` answers; anything else is counted in the "other" rate bucket.
const KNOWN_EVENTS: &[&str] = &[
    "heartbeat",
    "join_room",
    "leave_room",
    "license_check",
    "notification_read",
    "binary_data",
];

/// Registers `/`, `/admin` and `/analytics`.
pub fn register<A: Adapter + DefinedAdapter>(io: &SocketIo<A>, with_root: bool) -> Vec<A::InitRes> {
    let mut init = Vec::new();
    if with_root {
        init.push(io.ns("/", on_connect.with(authenticate)));
    }
    init.push(io.ns("/admin", on_admin_connect.with(authenticate_admin)));
    let analytics = on_analytics_connect.with(authenticate_required);
    init.push(io.ns("/analytics", analytics));
    init
}

/// Checks the CONNECT auth `{token?, license_key?, role?}`. No credentials at
/// all gives an anonymous session (seed 000 connects without auth); any
/// credential that is present must be valid.
async fn authenticate<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let auth = auth.unwrap_or(Value::Null);
    let session = build_session(&app, &auth)?;
    admit(&s, &app, session)?;
    register_root_handlers(&s);
    Ok(())
}

/// Stores the session on the socket; an identified one takes one of its
/// subject's socket slots (`--max-sockets-per-user`), an anonymous one is
/// counted by its address.
pub fn admit<A: Adapter>(
    s: &SocketRef<A>,
    app: &Shared,
    mut session: Session,
) -> Result<(), Refusal> {
    if session.is_authenticated() {
        s.extensions.insert(app.open_socket(&session.subject)?);
    } else {
        session.subject = anonymous_subject(s);
    }
    s.extensions.insert(session);
    Ok(())
}

/// Handlers are registered before CONNECT is answered: the connect handler
/// runs as a separate task, and a client may emit as soon as it is connected.
fn register_root_handlers<A: Adapter>(s: &SocketRef<A>) {
    s.on("heartbeat", on_heartbeat);
    s.on("join_room", on_join_room);
    s.on("leave_room", on_leave_room);
    s.on("license_check", on_license_check);
    s.on("notification_read", on_notification_read);
    s.on("binary_data", on_binary_data);
    s.on_fallback(on_unknown);
    s.on_disconnect(|s: SocketRef<A>| async move { session(&s).closed.notify_one() });
}

fn build_session(app: &Shared, auth: &Value) -> Result<Session, Refusal> {
    let has_token = auth.get("token").is_some();
    let license = auth_str(auth, "license_key");
    let mut session = if has_token {
        Session::from_claims(verify_auth_token(app, auth)?)
    } else {
        Session::anonymous()
    };
    if let Some(key) = license {
        let store = app.store();
        let now = now_ms();
        let lic = store
            .licenses
            .get(key)
            .filter(|l| key.len() <= 64 && l.is_valid(now))
            .ok_or_else(|| Refusal::new("INVALID_LICENSE", "License key is invalid or expired"))?;
        match &session.user_id {
            Some(uid) if *uid != lic.owner && !session.licenses.iter().any(|k| k == key) => {
                return Err(Refusal::new(
                    "INVALID_LICENSE",
                    "License key is not held by this user",
                ));
            }
            Some(_) => {}
            None => {
                // A key alone identifies a license, not a person: the session
                // acts for the license (its room, its checks) and is nobody's
                // user session (README: license-only sessions).
                session.role = Some(Role::User);
                session.subject = format!("license:{key}");
            }
        }
        session.license_key = Some(key.to_string());
        if !session.licenses.iter().any(|k| k == key) {
            session.licenses.push(key.to_string());
        }
    }
    if let Some(role) = auth_str(auth, "role") {
        // A client may state the role it expects, but never gain one;
        // license-only sessions are plain users.
        let granted = session.role.map(Role::as_str);
        if granted != Some(role) {
            return Err(Refusal::new(
                "INVALID_TOKEN",
                format!("Token does not grant the role '{}'", truncate(role, 32)),
            ));
        }
    }
    if let Some(uid) = &session.user_id {
        // Licenses the data set says this user owns count as held too.
        let store = app.store();
        let owned = store
            .licenses
            .values()
            .filter(|l| &l.owner == uid)
            .map(|l| &l.key);
        let listed = store
            .users
            .get(uid)
            .into_iter()
            .flat_map(|u| u.licenses.iter());
        for key in owned.chain(listed) {
            if !session.licenses.contains(key) {
                session.licenses.push(key.clone());
            }
        }
    }
    Ok(session)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

async fn on_connect<A: Adapter>(s: SocketRef<A>, State(app): State<Shared>) {
    let sess = session(&s);
    if sess.is_authenticated() {
        let (permissions, expires_at) = {
            let store = app.store();
            let lic = sess
                .license_key
                .as_ref()
                .and_then(|k| store.licenses.get(k));
            let mut permissions = lic.map(|l| l.permissions()).unwrap_or_else(|| vec!["read"]);
            if sess.claims.is_some() && !permissions.contains(&"write") {
                permissions.push("write");
            }
            if sess.is_admin() {
                permissions.push("admin");
            }
            let exp_ms = match (&sess.claims, lic) {
                (Some(c), _) => c.exp.saturating_mul(1000),
                (None, Some(l)) => l.expires_at_ms,
                (None, None) => now_ms(),
            };
            (permissions, iso8601(exp_ms))
        };
        emit(
            &s,
            &m::Authenticated {
                user_id: sess.user_id.clone(),
                license_key: sess.license_key.clone(),
                permissions: Some(permissions.into_iter().map(String::from).collect()),
                expires_at: Some(expires_at),
            },
        );
        expire_with_token(&s, &sess);
    }
}

/// Counts the event in the user's budget of the seed's rate table (shared
/// by `/`, `/admin` and `/analytics`); `None` when refused (the ack, if asked
/// for, is answered then).
fn gate<A: Adapter>(
    s: &SocketRef<A>,
    app: &Shared,
    event: &str,
    ack: AckSender<A>,
) -> Option<(Session, AckSender<A>)> {
    app.count_event();
    let sess = session(s);
    match sess.check(app, "omni", event, omni_limit(event)) {
        Ok(()) => Some((sess, ack)),
        Err(r) => {
            refuse_rate(s, ack, r);
            None
        }
    }
}

async fn on_heartbeat<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<m::Heartbeat>,
    ack: AckSender<A>,
) {
    let Some((_, ack)) = gate(&s, &app, "heartbeat", ack) else {
        return;
    };
    let Ok(hb) = data else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "heartbeat expects {timestamp: number, client_info?: object}",
        );
    };
    let now = now_ms();
    // One-way estimate: the client's clock may differ, so never report a negative latency.
    let latency = (now - i64::try_from(hb.timestamp).unwrap_or(i64::MAX)).clamp(0, 3_600_000);
    let response = m::HeartbeatResponse {
        server_timestamp: u64::try_from(now).unwrap_or(0),
        latency: latency as f64,
        status: "healthy".into(),
    };
    // Also as the ack when the client asked for one, for ack-based round-trip timing.
    let _ = ack.send(&response);
    emit(&s, &response);
}

fn room_error<A: Adapter>(s: &SocketRef<A>, room: &str, code: &str, message: &str) {
    emit(
        s,
        &m::RoomError {
            room: room.chars().take(MAX_ROOM_LEN).collect(),
            code: code.into(),
            message: message.into(),
        },
    );
}

enum RoomKind {
    User,
    License,
    Admin,
}

impl RoomKind {
    fn name(&self) -> &'static str {
        match self {
            RoomKind::User => "user",
            RoomKind::License => "license",
            RoomKind::Admin => "admin",
        }
    }
}

/// Decides whether `sess` may join `room`.
fn authorize_room(
    app: &Shared,
    sess: &Session,
    room: &str,
) -> Result<RoomKind, (&'static str, &'static str)> {
    let kind = if room == m::ADMIN_DASHBOARD_ROOM {
        RoomKind::Admin
    } else if let Some(id) = room.strip_prefix("user_") {
        if !valid_id(id) {
            return Err(("ROOM_NOT_FOUND", "Room does not exist"));
        }
        RoomKind::User
    } else if let Some(key) = room.strip_prefix("license_") {
        if !app.store().licenses.contains_key(key) {
            return Err(("ROOM_NOT_FOUND", "Room does not exist"));
        }
        RoomKind::License
    } else {
        return Err(("ROOM_NOT_FOUND", "Room does not exist"));
    };
    if !sess.is_authenticated() {
        return Err(("UNAUTHORIZED", "Authentication is required to join rooms"));
    }
    let allowed = match kind {
        RoomKind::Admin => sess.is_admin(),
        // User ids look like `user_12345`, so the room is the id itself; a
        // license-only session has no user and no user room.
        RoomKind::User => sess
            .user_id
            .as_ref()
            .is_some_and(|uid| room == m::user_room(uid)),
        RoomKind::License => {
            let key = &room["license_".len()..];
            sess.is_admin() || sess.licenses.iter().any(|k| k == key)
        }
    };
    if allowed {
        Ok(kind)
    } else {
        Err(("FORBIDDEN", "You are not allowed to join this room"))
    }
}

async fn on_join_room<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<m::JoinRoom>,
    ack: AckSender<A>,
) {
    let Some((sess, _)) = gate(&s, &app, "join_room", ack) else {
        return;
    };
    let Ok(req) = data else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "join_room expects {room: string, type?: string}",
        );
    };
    if req.room.is_empty() || req.room.len() > MAX_ROOM_LEN {
        return emit_error(&s, "INVALID_PAYLOAD", "room must be 1 to 160 characters");
    }
    match authorize_room(&app, &sess, &req.room) {
        Ok(kind) if req.kind.as_deref().is_some_and(|t| t != kind.name()) => room_error(
            &s,
            &req.room,
            "INVALID_ROOM_TYPE",
            "Room type does not match the room name",
        ),
        Ok(kind) => {
            s.join(req.room.clone());
            // Across every node when a remote adapter is in use.
            let members = match s.within(req.room.clone()).fetch_sockets().await {
                Ok(all) => all.len(),
                Err(_) => s.within(req.room.clone()).sockets().len(),
            };
            emit(
                &s,
                &m::RoomJoined {
                    room: req.room,
                    kind: kind.name().into(),
                    members_count: members as u64,
                },
            );
        }
        Err((code, message)) => room_error(&s, &req.room, code, message),
    }
}

async fn on_leave_room<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<m::LeaveRoom>,
    ack: AckSender<A>,
) {
    if gate(&s, &app, "leave_room", ack).is_none() {
        return;
    }
    let Ok(req) = data else {
        return emit_error(&s, "INVALID_PAYLOAD", "leave_room expects {room: string}");
    };
    // Only the rooms `join_room` hands out can be left, never internal ones.
    let joinable = req.room == m::ADMIN_DASHBOARD_ROOM
        || req.room.starts_with("user_")
        || req.room.starts_with("license_");
    if !joinable || req.room.len() > MAX_ROOM_LEN || !s.rooms().iter().any(|r| r == &req.room) {
        return room_error(&s, &req.room, "NOT_IN_ROOM", "You are not in this room");
    }
    s.leave(req.room.clone());
    emit(&s, &m::RoomLeft { room: req.room });
}

async fn on_license_check<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<m::LicenseCheck>,
    ack: AckSender<A>,
) {
    let Some((sess, _)) = gate(&s, &app, "license_check", ack) else {
        return;
    };
    let Ok(req) = data else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "license_check expects {license_key: string}",
        );
    };
    if !sess.is_authenticated() {
        return emit_error(
            &s,
            "UNAUTHORIZED",
            "Authentication is required to check licenses",
        );
    }
    if req.license_key.len() > 64 {
        return emit_error(&s, "INVALID_PAYLOAD", "license_key is too long");
    }
    // Only holders and admins learn anything about a key, so the check is no oracle.
    let may_see = sess.is_admin() || sess.licenses.iter().any(|k| k == &req.license_key);
    let now = now_ms();
    let result = match app.store().licenses.get(&req.license_key) {
        Some(l) if may_see => m::LicenseCheckResult {
            license_key: l.key.clone(),
            valid: l.is_valid(now),
            status: l.status.clone(),
            expires_at: Some(iso8601(l.expires_at_ms)),
            days_remaining: Some(l.days_remaining(now)),
        },
        _ => m::LicenseCheckResult {
            license_key: req.license_key.clone(),
            valid: false,
            status: "not_found".into(),
            expires_at: None,
            days_remaining: None,
        },
    };
    emit(&s, &result);
}

async fn on_notification_read<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<m::NotificationRead>,
    ack: AckSender<A>,
) {
    let Some((sess, ack)) = gate(&s, &app, "notification_read", ack) else {
        return;
    };
    let Ok(req) = data else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "notification_read expects {notification_id: string}",
        );
    };
    let Some(uid) = sess.user_id else {
        return refuse(&s, ack, "UNAUTHORIZED", "Authentication is required");
    };
    let found = {
        let mut store = app.store();
        match store.notifications.get_mut(&req.notification_id) {
            Some(n) if n.user_id == uid => {
                n.read = true;
                true
            }
            _ => false,
        }
    };
    if !found {
        return refuse(&s, ack, "NOT_FOUND", "Notification not found");
    }
    let _ =
        ack.send(&json!({ "success": true, "notification_id": req.notification_id, "read": true }));
}

async fn on_binary_data<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<Bytes>,
    ack: AckSender<A>,
) {
    if gate(&s, &app, "binary_data", ack).is_none() {
        return;
    }
    let Ok(data) = data else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "binary_data expects one binary argument",
        );
    };
    // The seed's answer is binary itself; echoing the bytes lets a client verify the round trip.
    let _ = s.emit("binary_response", &data);
}

async fn on_unknown<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    Event(event): Event,
    ack: AckSender<A>,
) {
    // Unknown names share one bucket so a client cannot grow the limiter map.
    let bucket = if KNOWN_EVENTS.contains(&event.as_str()) {
        event.as_str()
    } else {
        "other"
    };
    let Some((_, ack)) = gate(&s, &app, bucket, ack) else {
        return;
    };
    refuse(
        &s,
        ack,
        "UNKNOWN_EVENT",
        format!("Unknown event '{}'", truncate(&event, 64)),
    );
}

/// `/admin` accepts only admin tokens.
async fn authenticate_admin<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let auth = auth.unwrap_or(Value::Null);
    let claims = verify_auth_token(&app, &auth)?;
    if claims.role != Role::Admin {
        return Err(Refusal::new("FORBIDDEN", "The admin role is required"));
    }
    admit(&s, &app, Session::from_claims(claims))?;
    s.on(
        "get_stats",
        async |s: SocketRef<A>, State(app): State<Shared>, io: SocketIo<A>, ack: AckSender<A>| {
            let Some((_, ack)) = gate(&s, &app, "get_stats", ack) else {
                return;
            };
            let _ = ack.send(&stats(&app, &io));
        },
    );
    // Unknown events here spend the same `other` budget as on `/`.
    s.on_fallback(on_unknown);
    s.on_disconnect(|s: SocketRef<A>| async move { session(&s).closed.notify_one() });
    Ok(())
}

async fn on_admin_connect<A: Adapter>(s: SocketRef<A>) {
    let sess = session(&s);
    emit(
        &s,
        &m::Authenticated {
            user_id: sess.user_id.clone(),
            license_key: None,
            permissions: Some(vec!["read".into(), "write".into(), "admin".into()]),
            expires_at: sess
                .claims
                .as_ref()
                .map(|c| iso8601(c.exp.saturating_mul(1000))),
        },
    );
    expire_with_token(&s, &sess);
}

/// `/analytics` needs a valid token or license (same rules as `/`, but not anonymous).
async fn authenticate_required<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let auth = auth.unwrap_or(Value::Null);
    let sess = build_session(&app, &auth)?;
    if !sess.is_authenticated() {
        return Err(Refusal::new(
            "INVALID_TOKEN",
            "Authentication token is missing",
        ));
    }
    admit(&s, &app, sess)?;
    s.on_disconnect(|s: SocketRef<A>| async move { session(&s).closed.notify_one() });
    Ok(())
}

async fn on_analytics_connect<A: Adapter>(s: SocketRef<A>) {
    expire_with_token(&s, &session(&s));
}

/// Connection counts of this node per namespace and in total, for
/// `real_time_stats`, `system_status` and the admin API.
pub fn stats<A: Adapter>(app: &Shared, io: &SocketIo<A>) -> Value {
    let mut namespaces = serde_json::Map::new();
    let mut total = 0usize;
    for ns in [
        "/",
        "/admin",
        "/analytics",
        "/deployments",
        "/doa",
        "/fama",
        "/marketplace",
    ] {
        let n = io.of(ns).map(|op| op.sockets().len()).unwrap_or(0);
        total += n;
        namespaces.insert(ns.to_string(), json!(n));
    }
    json!({
        "connections": total,
        "namespaces": namespaces,
        "events_total": app.events_total.load(Ordering::Relaxed),
        // Held against --max-sessions / --max-connections (this node).
        "engineio_sessions": app.sessions.in_use(),
        "http_connections": app.connections.in_use(),
        "notifications_kept": app.store().notifications.len(),
        "uptime_seconds": (now_ms() - app.started_ms) / 1000,
        "timestamp": now_iso(),
    })
}

/// The periodic `system_status` payload.
pub fn system_status<A: Adapter>(app: &Shared, io: &SocketIo<A>) -> m::SystemStatus {
    let st = stats(app, io);
    let (cpu, memory) = host_load();
    m::SystemStatus {
        status: "healthy".into(),
        services: [("api", "operational"), ("socket", "operational")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        load: m::SystemLoad {
            cpu,
            memory,
            connections: st["connections"].as_u64().unwrap_or(0),
        },
        timestamp: now_iso(),
    }
}

/// CPU load (1-minute load average per core) and memory use, both in percent,
/// read from `/proc` where it exists; zero elsewhere.
fn host_load() -> (f64, f64) {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let cpu = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |l| round((l / cores * 100.0).clamp(0.0, 100.0)));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |name: &str| {
        meminfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    };
    let memory = match (field("MemTotal:"), field("MemAvailable:")) {
        (Some(total), Some(avail)) if total > 0.0 => round((1.0 - avail / total) * 100.0),
        _ => 0.0,
    };
    (cpu, memory)
}

/// Starts the periodic `system_status` (on `/`) and `real_time_stats` (on `/analytics`) broadcasts.
pub fn spawn_periodic<A: Adapter>(
    io: SocketIo<A>,
    app: Shared,
    status_every: Duration,
    stats_every: Duration,
) {
    let (io2, app2) = (io.clone(), app.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(status_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Some(op) = io.of("/") {
                // `local`: every node sends its own periodic events to its own clients.
                let _ = op
                    .local()
                    .emit(
                        <m::SystemStatus as omni_socket_core::models::Event>::NAME,
                        &system_status(&app, &io),
                    )
                    .await;
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(stats_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Some(op) = io2.of("/analytics") {
                let _ = op
                    .local()
                    .emit("real_time_stats", &stats(&app2, &io2))
                    .await;
            }
        }
    });
}
