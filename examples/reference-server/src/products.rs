//! The other seed products, each on its own namespace:
//! `/deployments` (001), `/doa` (002), `/fama` (003) and `/marketplace` (004).
//!
//! Payloads are the SDK's typed models (`omni_socket_core::models`), so what
//! the server emits is exactly what the clients decode.

use omni_socket_core::models::{deployments as dep, doa, fama, marketplace as mk, Event};
use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event as EventName, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use socketioxide_core::adapter::DefinedAdapter;

use crate::auth::Role;
use crate::omni::admit;
use crate::rate::product_limit;
use crate::state::{
    answer, emit, emit_error, expire_with_token, expire_with_token_as, refuse, refuse_rate,
    session, verify_auth_token, ExpiryNotice, Refusal, Session, Shared,
};
use crate::store::valid_id;
use crate::time::{now_iso, now_ms};

/// Longest chat message body accepted, in characters.
const MAX_CONTENT_LEN: usize = 5000;
/// Most attachments on one order message.
const MAX_ATTACHMENTS: usize = 10;
/// Minimum spacing of relayed DOA typing indicators (the seed's 500 ms throttle).
const TYPING_THROTTLE_MS: i64 = 500;

/// Registers the four product namespaces.
pub fn register<A: Adapter + DefinedAdapter>(io: &SocketIo<A>) -> Vec<A::InitRes> {
    vec![
        io.ns("/deployments", deployments_connect.with(deployments_auth)),
        io.ns("/doa", doa_connect.with(doa_auth)),
        io.ns("/fama", fama_connect),
        io.ns("/marketplace", marketplace_connect.with(marketplace_auth)),
    ]
}

/// Room of the staff (admins, and moderators on the marketplace) of a namespace.
const STAFF_ROOM: &str = "staff";

/// Who is told when this socket's user comes and goes (README: presence).
#[derive(Clone)]
struct PresenceAudience(Vec<String>);

/// Emits a presence event to the socket's audience (itself excluded).
async fn presence<T: Event, A: Adapter>(s: &SocketRef<A>, payload: &T) {
    let rooms = s
        .extensions
        .get::<PresenceAudience>()
        .map(|a| a.0)
        .unwrap_or_default();
    if !rooms.is_empty() {
        let _ = s.to(rooms).emit(T::NAME, payload).await;
    }
}

/// Emits a typed payload to `rooms`, `s` included when it is a member.
async fn to_rooms<T: Event, A: Adapter>(s: &SocketRef<A>, rooms: Vec<String>, payload: &T) {
    let _ = s.within(rooms).emit(T::NAME, payload).await;
}

/// Every product except FAMA refuses a missing or bad token at CONNECT.
fn require_token<A: Adapter>(
    s: &SocketRef<A>,
    app: &Shared,
    auth: Option<Value>,
) -> Result<Session, Refusal> {
    let claims = verify_auth_token(app, &auth.unwrap_or(Value::Null))?;
    let sess = Session::from_claims(claims);
    admit(s, app, sess.clone())?;
    Ok(sess)
}

/// DOA and FAMA identify users by number; other ids have no account there.
fn numeric_id(sess: &Session) -> Option<u64> {
    sess.user_id.as_deref()?.parse().ok()
}

/// What a handler gets past [`gate`]: the session, its user id and the ack.
type Passed<A> = (Session, String, AckSender<A>);

/// Counts the event in the user's budget for `product` (each product has
/// its own); over it, emits `rate_limited`, answers the ack and returns `None`.
fn gate<A: Adapter>(
    s: &SocketRef<A>,
    app: &Shared,
    product: &'static str,
    event: &str,
    ack: AckSender<A>,
) -> Option<Passed<A>> {
    app.count_event();
    let sess = session(s);
    if let Err(r) = sess.check(app, product, event, product_limit(event)) {
        refuse_rate(s, ack, r);
        return None;
    }
    let uid = sess.user_id.clone()?;
    Some((sess, uid, ack))
}

/// The namespace's product name, which keys its rate budget.
fn product_of<A: Adapter>(s: &SocketRef<A>) -> &'static str {
    match s.ns() {
        "/deployments" => "deployments",
        "/doa" => "doa",
        _ => "marketplace",
    }
}

fn fallback<A: Adapter>(s: &SocketRef<A>) {
    s.on_fallback(
        async |s: SocketRef<A>,
               State(app): State<Shared>,
               EventName(event): EventName,
               ack: AckSender<A>| {
            if let Some((_, _, ack)) = gate(&s, &app, product_of(&s), "other", ack) {
                let name: String = event.chars().take(64).collect();
                refuse(&s, ack, "UNKNOWN_EVENT", format!("Unknown event '{name}'"));
            }
        },
    );
    s.on_disconnect(|s: SocketRef<A>| async move { session(&s).closed.notify_one() });
}

/// Reads an id the seeds send either bare or inside an object under `field`.
fn id_arg(v: &Value, field: &str) -> Option<String> {
    let raw = match v {
        Value::Object(m) => m.get(field)?,
        other => other,
    };
    let id = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_u64() => n.to_string(),
        _ => return None,
    };
    valid_id(&id).then_some(id)
}

fn in_room<A: Adapter>(s: &SocketRef<A>, room: &str) -> bool {
    s.rooms().iter().any(|r| r == room)
}

// Handlers are registered and the server's own rooms joined in the
// middleware, before CONNECT is answered: the connect handler runs as a
// separate task, and a client may emit at once, or be sent an event for its
// user room (a client told it is connected must be in its rooms).

// ---------------------------------------------------------------- deployments

async fn deployments_auth<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let sess = require_token(&s, &app, auth.ok())?;
    let uid = sess.user_id.clone().unwrap_or_default();
    s.join(format!("user:{uid}"));
    if sess.is_admin() {
        s.join(STAFF_ROOM);
    }
    s.on("deployment:subscribe", deployment_subscribe);
    s.on("deployment:unsubscribe", deployment_unsubscribe);
    fallback(&s);
    s.on_disconnect(async |s: SocketRef<A>| {
        let sess = session(&s);
        sess.closed.notify_one();
        let user_id = dep::UserId::String(sess.user_id.unwrap_or_default());
        let status = "offline".into();
        presence(&s, &dep::UserOffline { user_id, status }).await;
    });
    Ok(())
}

async fn deployments_connect<A: Adapter>(s: SocketRef<A>) {
    let sess = session(&s);
    let uid = sess.user_id.clone().unwrap_or_default();
    expire_with_token(&s, &sess);
    // A PaaS user's presence is for the operators and the user's own other
    // sockets; other customers have no business knowing it.
    let audience = vec![STAFF_ROOM.to_string(), format!("user:{uid}")];
    s.extensions.insert(PresenceAudience(audience));
    let online = dep::UserOnline {
        user_id: dep::UserId::String(uid),
        status: "online".into(),
    };
    presence(&s, &online).await;
}

async fn deployment_subscribe<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender<A>,
) {
    let Some((sess, uid, ack)) = gate(&s, &app, "deployments", "deployment:subscribe", ack) else {
        return;
    };
    let Some(id) = data.ok().as_ref().and_then(|v| id_arg(v, "deploymentId")) else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "deployment:subscribe expects a deployment id string",
        );
    };
    let status = {
        let store = app.store();
        match store.deployments.get(&id) {
            None => Err(("NOT_FOUND", "Deployment not found")),
            Some(d) if d.owner == uid || sess.is_admin() => Ok(d.status.clone()),
            Some(_) => Err(("FORBIDDEN", "This deployment belongs to someone else")),
        }
    };
    match status {
        Err((code, msg)) => refuse(&s, ack, code, msg),
        Ok(status) => {
            s.join(dep::deployment_key(&id));
            answer(ack, &json!({ "success": true, "deploymentId": id }));
            // The current status at once, so a late subscriber is not blind until the next change.
            let deployment_id = id;
            emit(
                &s,
                &dep::DeploymentStatus {
                    deployment_id,
                    status,
                },
            );
        }
    }
}

async fn deployment_unsubscribe<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender<A>,
) {
    let Some((_, _, ack)) = gate(&s, &app, "deployments", "deployment:unsubscribe", ack) else {
        return;
    };
    let Some(id) = data.ok().as_ref().and_then(|v| id_arg(v, "deploymentId")) else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "deployment:unsubscribe expects a deployment id string",
        );
    };
    s.leave(dep::deployment_key(&id));
    answer(ack, &json!({ "success": true, "deploymentId": id }));
}

// ------------------------------------------------------------------------ doa

/// When this socket last relayed a typing indicator (epoch ms).
#[derive(Clone, Copy)]
struct TypingClock(i64);

async fn doa_auth<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let sess = require_token(&s, &app, auth.ok())?;
    let Some(uid) = numeric_id(&sess) else {
        return Err(Refusal::new("INVALID_TOKEN", "User not found"));
    };
    s.join(doa::user_room(uid));
    if sess.is_admin() {
        s.join("admin");
    }
    s.extensions.insert(TypingClock(0));
    s.on("join_conversation", doa_join);
    s.on("leave_conversation", doa_leave);
    s.on("typing", doa_typing);
    s.on("mark_read", doa_mark_read);
    fallback(&s);
    Ok(())
}

async fn doa_connect<A: Adapter>(s: SocketRef<A>) {
    expire_with_token(&s, &session(&s));
}

/// A conversation id: a positive integer, bare or as `{conversationId}`, number or digits.
fn conversation_id(v: &Value) -> Option<u64> {
    let raw = match v {
        Value::Object(m) => m.get("conversationId")?,
        other => other,
    };
    match raw {
        Value::Number(n) => n.as_u64().filter(|n| *n > 0),
        Value::String(s) if s.len() <= 19 => s.parse().ok().filter(|n: &u64| *n > 0),
        _ => None,
    }
}

/// The agent of a conversation and admins may follow it.
fn may_follow(app: &Shared, sess: &Session, conv: u64) -> Result<(), (&'static str, &'static str)> {
    match app.store().conversations.get(&conv) {
        None => Err(("NOT_FOUND", "Conversation not found")),
        Some(c) if Some(c.agent) == numeric_id(sess) || sess.is_admin() => Ok(()),
        Some(_) => Err(("FORBIDDEN", "You cannot access this conversation")),
    }
}

async fn doa_join<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender<A>,
) {
    let Some((sess, _, ack)) = gate(&s, &app, "doa", "join_conversation", ack) else {
        return;
    };
    let Some(conv) = data.ok().as_ref().and_then(conversation_id) else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "join_conversation expects a conversation id",
        );
    };
    match may_follow(&app, &sess, conv) {
        Ok(()) => {
            s.join(doa::conversation_room(conv));
            answer(ack, &json!({ "success": true, "conversationId": conv }));
        }
        Err((code, msg)) => refuse(&s, ack, code, msg),
    }
}

async fn doa_leave<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender<A>,
) {
    let Some((_, _, ack)) = gate(&s, &app, "doa", "leave_conversation", ack) else {
        return;
    };
    let Some(conv) = data.ok().as_ref().and_then(conversation_id) else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "leave_conversation expects a conversation id",
        );
    };
    s.leave(doa::conversation_room(conv));
    answer(ack, &json!({ "success": true, "conversationId": conv }));
}

async fn doa_typing<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<doa::Typing>,
    ack: AckSender<A>,
) {
    let Some((sess, _, _)) = gate(&s, &app, "doa", "typing", ack) else {
        return;
    };
    let (Ok(t), Some(uid)) = (data, numeric_id(&sess)) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "typing expects {conversationId: number, isTyping: boolean}",
        );
    };
    let room = doa::conversation_room(t.conversation_id);
    if !in_room(&s, &room) {
        return emit_error(&s, "NOT_IN_CONVERSATION", "Join the conversation first");
    }
    let now = now_ms();
    let last = s.extensions.get::<TypingClock>().map_or(0, |t| t.0);
    // A "stopped typing" always goes through so no indicator is left stuck on.
    if t.is_typing && now - last < TYPING_THROTTLE_MS {
        return;
    }
    s.extensions.insert(TypingClock(now));
    let payload = doa::UserTyping {
        user_id: uid,
        conversation_id: t.conversation_id,
        is_typing: t.is_typing,
    };
    let _ = s.to(room).emit(doa::UserTyping::NAME, &payload).await;
}

async fn doa_mark_read<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<doa::MarkRead>,
    ack: AckSender<A>,
) {
    let Some((sess, _, _)) = gate(&s, &app, "doa", "mark_read", ack) else {
        return;
    };
    let (Some(req), Some(uid)) = (
        data.ok().filter(|m| valid_id(&m.message_id)),
        numeric_id(&sess),
    ) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "mark_read expects {messageId: string}",
        );
    };
    let conv = app
        .store()
        .doa_messages
        .get(&req.message_id)
        .map(|m| m.conversation_id);
    let Some(conv) = conv else {
        return emit_error(&s, "NOT_FOUND", "Message not found");
    };
    if let Err((code, msg)) = may_follow(&app, &sess, conv) {
        return emit_error(&s, code, msg);
    }
    if let Some(m) = app.store().doa_messages.get_mut(&req.message_id) {
        m.is_read = true;
    }
    let payload = doa::MessageRead {
        message_id: req.message_id,
        read_by: uid,
        read_at: now_iso(),
    };
    let rooms = vec![doa::conversation_room(conv), doa::user_room(uid)];
    to_rooms(&s, rooms, &payload).await;
}

// ----------------------------------------------------------------------- fama

/// FAMA accepts the transport, then reports auth failures with
/// `error {message}` and disconnects, as its seed describes.
async fn fama_connect<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) {
    let verdict = verify_auth_token(&app, &auth.unwrap_or(Value::Null))
        .map(Session::from_claims)
        .and_then(|sess| match numeric_id(&sess) {
            Some(uid) => Ok((sess, uid)),
            None => Err(Refusal::new("INVALID_TOKEN", "User not found")),
        });
    let verdict = verdict.and_then(|(sess, uid)| {
        let slot = app.open_socket(&sess.subject)?;
        Ok((sess, uid, slot))
    });
    match verdict {
        Ok((sess, uid, slot)) => {
            s.extensions.insert(slot);
            s.join(fama::user_room(uid));
            let user = fama::User {
                user_id: uid,
                username: sess.username(),
            };
            let message = "Successfully connected".into();
            emit(&s, &fama::Connected { message, user });
            // FAMA's own shape, which its clients answer with a token refresh.
            expire_with_token_as(&s, &sess, ExpiryNotice::FamaError);
            s.extensions.insert(sess);
            s.on_fallback(
                async |s: SocketRef<A>,
                       State(app): State<Shared>,
                       EventName(event): EventName,
                       ack: AckSender<A>| {
                    let Some((_, _, ack)) = gate(&s, &app, "fama", "other", ack) else {
                        return;
                    };
                    let name: String = event.chars().take(64).collect();
                    let message = format!("Unknown event '{name}'");
                    answer(ack, &json!({ "success": false, "message": message }));
                    emit(&s, &fama::Error { message });
                },
            );
            s.on_disconnect(|s: SocketRef<A>| async move { session(&s).closed.notify_one() });
        }
        Err(refusal) => {
            let message = format!("Authentication failed: {}", refusal.message);
            emit(&s, &fama::Error { message });
            let _ = s.disconnect();
        }
    }
}

// ---------------------------------------------------------------- marketplace

async fn marketplace_auth<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    let sess = require_token(&s, &app, auth.ok())?;
    s.join(format!(
        "user:{}",
        sess.user_id.as_deref().unwrap_or_default()
    ));
    if matches!(sess.role, Some(Role::Admin | Role::Moderator)) {
        s.join(STAFF_ROOM);
    }
    s.on("join_order_chat", join_order_chat);
    s.on("leave_order_chat", leave_order_chat);
    s.on("join_dispute_chat", join_dispute_chat);
    s.on("leave_dispute_chat", leave_dispute_chat);
    s.on("order_message", order_message);
    s.on("dispute_message", dispute_message);
    s.on("order_typing", order_typing);
    s.on("dispute_typing", dispute_typing);
    fallback(&s);
    s.on_disconnect(async |s: SocketRef<A>| {
        let sess = session(&s);
        sess.closed.notify_one();
        let user_id = sess.user_id.unwrap_or_default();
        presence(
            &s,
            &mk::UserPresence {
                user_id,
                is_online: false,
            },
        )
        .await;
    });
    Ok(())
}

async fn marketplace_connect<A: Adapter>(s: SocketRef<A>, State(app): State<Shared>) {
    let sess = session(&s);
    let uid = sess.user_id.clone().unwrap_or_default();
    expire_with_token(&s, &sess);
    // Presence is for the people the user deals with: the other party of
    // each of their orders, plus staff and the user's own other sockets.
    let mut audience = vec![STAFF_ROOM.to_string(), format!("user:{uid}")];
    for o in app.store().orders.values() {
        let other = if o.client == uid {
            &o.performer
        } else if o.performer == uid {
            &o.client
        } else {
            continue;
        };
        let room = format!("user:{other}");
        if !audience.contains(&room) {
            audience.push(room);
        }
    }
    s.extensions.insert(PresenceAudience(audience));
    presence(
        &s,
        &mk::UserPresence {
            user_id: uid,
            is_online: true,
        },
    )
    .await;
}

type Denied = (&'static str, &'static str);
/// Decides whether a session may join a chat room.
type ChatCheck = fn(&Shared, &Session, &str, &str) -> Result<(), Denied>;

/// Order chats: the order's client and performer, and admins.
fn may_join_order(app: &Shared, sess: &Session, uid: &str, order: &str) -> Result<(), Denied> {
    match app.store().orders.get(order) {
        None => Err(("NOT_FOUND", "Order not found")),
        Some(o) if o.client == uid || o.performer == uid || sess.is_admin() => Ok(()),
        Some(_) => Err(("FORBIDDEN", "You are not a participant of this order")),
    }
}

/// Dispute chats: the disputed order's client and performer, moderators and admins.
fn may_join_dispute(app: &Shared, sess: &Session, uid: &str, dispute: &str) -> Result<(), Denied> {
    let store = app.store();
    let Some(d) = store.disputes.get(dispute) else {
        return Err(("NOT_FOUND", "Dispute not found"));
    };
    let party = store
        .orders
        .get(&d.order_id)
        .is_some_and(|o| o.client == uid || o.performer == uid);
    if party || matches!(sess.role, Some(Role::Admin | Role::Moderator)) {
        Ok(())
    } else {
        Err(("FORBIDDEN", "You are not a participant of this dispute"))
    }
}

/// Joins or leaves a chat room after validation; `check` is `None` for leaving.
async fn chat_membership<A: Adapter>(
    s: SocketRef<A>,
    app: Shared,
    data: Option<Value>,
    ack: AckSender<A>,
    event: &'static str,
    field: &'static str,
    check: Option<ChatCheck>,
) {
    let Some((sess, uid, ack)) = gate(&s, &app, "marketplace", event, ack) else {
        return;
    };
    let Some(id) = data
        .as_ref()
        .filter(|v| v.is_object())
        .and_then(|v| id_arg(v, field))
    else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            format!("{event} expects {{{field}: string}}"),
        );
    };
    let room = if field == "orderId" {
        mk::order_chat_room(&id)
    } else {
        mk::dispute_chat_room(&id)
    };
    match check.map_or(Ok(()), |c| c(&app, &sess, &uid, &id)) {
        Ok(()) => {
            if check.is_some() {
                s.join(room);
            } else {
                s.leave(room);
            }
            answer(ack, &json!({ "success": true, field: id }));
        }
        Err((code, msg)) => {
            refuse(&s, ack, code, msg);
        }
    }
}

async fn join_order_chat<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(d): TryData<Value>,
    ack: AckSender<A>,
) {
    chat_membership(
        s,
        app,
        d.ok(),
        ack,
        "join_order_chat",
        "orderId",
        Some(may_join_order),
    )
    .await;
}

async fn leave_order_chat<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(d): TryData<Value>,
    ack: AckSender<A>,
) {
    chat_membership(s, app, d.ok(), ack, "leave_order_chat", "orderId", None).await;
}

async fn join_dispute_chat<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(d): TryData<Value>,
    ack: AckSender<A>,
) {
    chat_membership(
        s,
        app,
        d.ok(),
        ack,
        "join_dispute_chat",
        "disputeId",
        Some(may_join_dispute),
    )
    .await;
}

async fn leave_dispute_chat<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(d): TryData<Value>,
    ack: AckSender<A>,
) {
    chat_membership(s, app, d.ok(), ack, "leave_dispute_chat", "disputeId", None).await;
}

fn valid_content(c: &str) -> bool {
    !c.trim().is_empty() && c.chars().count() <= MAX_CONTENT_LEN
}

fn message_id(app: &Shared, prefix: &str) -> String {
    let n = app.events_total.load(std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}_{}_{n}", now_ms())
}

async fn order_message<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<mk::SendOrderMessage>,
    ack: AckSender<A>,
) {
    let Some((_, uid, ack)) = gate(&s, &app, "marketplace", "order_message", ack) else {
        return;
    };
    let valid = |m: &mk::SendOrderMessage| {
        let attachments = m.attachments.as_deref().unwrap_or_default();
        valid_id(&m.order_id)
            && valid_content(&m.content)
            && attachments.len() <= MAX_ATTACHMENTS
            && attachments.iter().all(|a| {
                (1..=2048).contains(&a.file_url.len()) && (1..=255).contains(&a.file_name.len())
            })
    };
    let Some(msg) = data.ok().filter(valid) else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "order_message expects {orderId, content (1-5000 chars), attachments?: [{fileUrl, fileName}] (at most 10)}",
        );
    };
    let room = mk::order_chat_room(&msg.order_id);
    if !in_room(&s, &room) {
        return refuse(&s, ack, "NOT_IN_CHAT", "Join the order chat first");
    }
    let id = message_id(&app, "msg");
    let payload = mk::OrderChatMessage {
        id: Some(id.clone()),
        order_id: msg.order_id,
        sender_id: Some(uid),
        content: msg.content,
        attachments: msg.attachments.filter(|a| !a.is_empty()),
        created_at: Some(now_iso()),
    };
    to_rooms(&s, vec![room], &payload).await;
    answer(ack, &json!({ "success": true, "id": id }));
}

async fn dispute_message<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<mk::SendDisputeMessage>,
    ack: AckSender<A>,
) {
    let Some((_, uid, ack)) = gate(&s, &app, "marketplace", "dispute_message", ack) else {
        return;
    };
    let valid = |m: &mk::SendDisputeMessage| valid_id(&m.dispute_id) && valid_content(&m.content);
    let Some(msg) = data.ok().filter(valid) else {
        return refuse(
            &s,
            ack,
            "INVALID_PAYLOAD",
            "dispute_message expects {disputeId, content (1-5000 chars)}",
        );
    };
    let room = mk::dispute_chat_room(&msg.dispute_id);
    if !in_room(&s, &room) {
        return refuse(&s, ack, "NOT_IN_CHAT", "Join the dispute chat first");
    }
    let id = message_id(&app, "dmsg");
    let payload = mk::DisputeChatMessage {
        id: Some(id.clone()),
        dispute_id: msg.dispute_id,
        sender_id: Some(uid),
        content: msg.content,
        created_at: Some(now_iso()),
    };
    to_rooms(&s, vec![room], &payload).await;
    answer(ack, &json!({ "success": true, "id": id }));
}

async fn order_typing<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<mk::SendOrderTyping>,
    ack: AckSender<A>,
) {
    let Some((_, uid, _)) = gate(&s, &app, "marketplace", "order_typing", ack) else {
        return;
    };
    let Some(t) = data.ok().filter(|t| valid_id(&t.order_id)) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "order_typing expects {orderId, isTyping: boolean}",
        );
    };
    let room = mk::order_chat_room(&t.order_id);
    if !in_room(&s, &room) {
        return emit_error(&s, "NOT_IN_CHAT", "Join the order chat first");
    }
    let payload = mk::OrderTyping {
        user_id: uid,
        order_id: t.order_id,
        is_typing: Some(t.is_typing),
    };
    let _ = s.to(room).emit(mk::OrderTyping::NAME, &payload).await;
}

async fn dispute_typing<A: Adapter>(
    s: SocketRef<A>,
    State(app): State<Shared>,
    TryData(data): TryData<mk::SendDisputeTyping>,
    ack: AckSender<A>,
) {
    let Some((_, uid, _)) = gate(&s, &app, "marketplace", "dispute_typing", ack) else {
        return;
    };
    let Some(t) = data.ok().filter(|t| valid_id(&t.dispute_id)) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "dispute_typing expects {disputeId, isTyping: boolean}",
        );
    };
    let room = mk::dispute_chat_room(&t.dispute_id);
    if !in_room(&s, &room) {
        return emit_error(&s, "NOT_IN_CHAT", "Join the dispute chat first");
    }
    let payload = mk::DisputeTyping {
        user_id: uid,
        dispute_id: t.dispute_id,
        is_typing: Some(t.is_typing),
    };
    let _ = s.to(room).emit(mk::DisputeTyping::NAME, &payload).await;
}
