//! The other seed products, each on its own namespace:
//! `/deployments` (001), `/doa` (002), `/fama` (003) and `/marketplace` (004).

use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

use crate::auth::Role;
use crate::rate::product_limit;
use crate::state::{
    emit_error, expire_with_token, id_value, session, verify_auth_token, Refusal, Session, Shared,
};
use crate::store::valid_id;
use crate::time::{now_iso, now_ms};

/// Longest chat message body accepted.
const MAX_CONTENT_LEN: usize = 5000;
/// Most attachments on one order message.
const MAX_ATTACHMENTS: usize = 10;
/// Minimum spacing of relayed DOA typing indicators (the seed's 500 ms throttle).
const TYPING_THROTTLE_MS: i64 = 500;

/// Registers the four product namespaces.
pub fn register(io: &SocketIo) {
    io.ns("/deployments", deployments_connect.with(deployments_auth));
    io.ns("/doa", doa_connect.with(doa_auth));
    io.ns("/fama", fama_connect);
    io.ns("/marketplace", marketplace_connect.with(marketplace_auth));
}

/// Every product except FAMA refuses a missing or bad token at CONNECT.
fn require_token(
    s: &SocketRef,
    app: &Shared,
    auth: Result<Value, impl Sized>,
) -> Result<(), Refusal> {
    let claims = verify_auth_token(app, &auth.unwrap_or(Value::Null))?;
    s.extensions.insert(Session::from_claims(claims));
    Ok(())
}

// Handlers are registered in the middleware, before CONNECT is answered: the
// connect handler runs as a separate task, and a client may emit at once.

async fn deployments_auth(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    require_token(&s, &app, auth)?;
    s.on("deployment:subscribe", deployment_subscribe);
    s.on("deployment:unsubscribe", deployment_unsubscribe);
    fallback(&s);
    s.on_disconnect(async |s: SocketRef| {
        let sess = session(&s);
        sess.closed.notify_one();
        let uid = sess.user_id.unwrap_or_default();
        let _ = s
            .broadcast()
            .emit(
                "user:offline",
                &json!({ "userId": uid, "status": "offline" }),
            )
            .await;
    });
    Ok(())
}

async fn doa_auth(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    require_token(&s, &app, auth)?;
    s.extensions.insert(TypingClock(0));
    s.on("join_conversation", doa_join);
    s.on("leave_conversation", doa_leave);
    s.on("typing", doa_typing);
    s.on("mark_read", doa_mark_read);
    fallback(&s);
    Ok(())
}

async fn marketplace_auth(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(auth): TryData<Value>,
) -> Result<(), Refusal> {
    require_token(&s, &app, auth)?;
    s.on("join_order_chat", join_order_chat);
    s.on("leave_order_chat", leave_order_chat);
    s.on("join_dispute_chat", join_dispute_chat);
    s.on("leave_dispute_chat", leave_dispute_chat);
    s.on("order_message", order_message);
    s.on("dispute_message", dispute_message);
    s.on("order_typing", order_typing);
    s.on("dispute_typing", dispute_typing);
    fallback(&s);
    s.on_disconnect(async |s: SocketRef| {
        let sess = session(&s);
        sess.closed.notify_one();
        let uid = sess.user_id.unwrap_or_default();
        let _ = s
            .broadcast()
            .emit(
                "user_presence",
                &json!({ "userId": uid, "isOnline": false }),
            )
            .await;
    });
    Ok(())
}

/// Counts the event; emits `rate_limited` and returns `None` when over.
fn gate(s: &SocketRef, app: &Shared, event: &str) -> Option<(Session, String)> {
    app.count_event();
    let sess = session(s);
    if !sess.allow(s, event, product_limit(event)) {
        return None;
    }
    let uid = sess.user_id.clone()?;
    Some((sess, uid))
}

fn fallback(s: &SocketRef) {
    s.on_fallback(
        async |s: SocketRef, State(app): State<Shared>, Event(event): Event| {
            if gate(&s, &app, "other").is_some() {
                let name: String = event.chars().take(64).collect();
                emit_error(&s, "UNKNOWN_EVENT", format!("Unknown event '{name}'"));
            }
        },
    );
    s.on_disconnect(|s: SocketRef| async move { session(&s).closed.notify_one() });
}

/// Reads an id that the seeds send either as a bare value or inside an object.
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

// ---------------------------------------------------------------- deployments

async fn deployments_connect(s: SocketRef) {
    let sess = session(&s);
    let uid = sess.user_id.clone().unwrap_or_default();
    expire_with_token(&s, &sess);
    s.join(format!("user:{uid}"));
    let _ = s
        .broadcast()
        .emit("user:online", &json!({ "userId": uid, "status": "online" }))
        .await;
    s.on("deployment:subscribe", deployment_subscribe);
    s.on("deployment:unsubscribe", deployment_unsubscribe);
    fallback(&s);
    s.on_disconnect(async |s: SocketRef| {
        let sess = session(&s);
        sess.closed.notify_one();
        let uid = sess.user_id.unwrap_or_default();
        let _ = s
            .broadcast()
            .emit(
                "user:offline",
                &json!({ "userId": uid, "status": "offline" }),
            )
            .await;
    });
}

async fn deployment_subscribe(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let Some((sess, uid)) = gate(&s, &app, "deployment:subscribe") else {
        return;
    };
    let Some(id) = data.ok().as_ref().and_then(|v| id_arg(v, "deploymentId")) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "deployment:subscribe expects a deployment id string",
        );
    };
    let status = {
        let store = app.store();
        match store.deployments.get(&id) {
            None => None,
            Some(d) if d.owner == uid || sess.is_admin() => Some(Ok(d.status.clone())),
            Some(_) => Some(Err(())),
        }
    };
    match status {
        None => emit_error(&s, "NOT_FOUND", format!("Deployment {id} not found")),
        Some(Err(())) => emit_error(&s, "FORBIDDEN", format!("Deployment {id} is not yours")),
        Some(Ok(status)) => {
            s.join(format!("deployment:{id}"));
            let _ = ack.send(&json!({ "success": true, "deploymentId": id }));
            // The current status right away, so a late subscriber is not blind until the next change.
            let _ = s.emit(
                "deployment:status",
                &json!({ "deploymentId": id, "status": status, "timestamp": now_iso() }),
            );
        }
    }
}

async fn deployment_unsubscribe(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    if gate(&s, &app, "deployment:unsubscribe").is_none() {
        return;
    }
    let Some(id) = data.ok().as_ref().and_then(|v| id_arg(v, "deploymentId")) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "deployment:unsubscribe expects a deployment id string",
        );
    };
    s.leave(format!("deployment:{id}"));
    let _ = ack.send(&json!({ "success": true, "deploymentId": id }));
}

// ------------------------------------------------------------------------ doa

async fn doa_connect(s: SocketRef) {
    let sess = session(&s);
    let uid = sess.user_id.clone().unwrap_or_default();
    expire_with_token(&s, &sess);
    s.join(format!("user:{uid}"));
    if sess.is_admin() {
        s.join("admin");
    }
}

/// When this socket last relayed a typing indicator (epoch ms).
#[derive(Clone, Copy)]
struct TypingClock(i64);

fn conversation_id(v: &Value) -> Option<i64> {
    let raw = match v {
        Value::Object(m) => m.get("conversationId")?,
        other => other,
    };
    match raw {
        Value::Number(n) => n.as_i64().filter(|n| *n > 0),
        Value::String(s) if s.len() <= 19 => s.parse().ok().filter(|n: &i64| *n > 0),
        _ => None,
    }
}

/// The agent of a conversation and admins may follow it.
fn may_follow(
    app: &Shared,
    sess: &Session,
    uid: &str,
    conv: i64,
) -> Result<(), (&'static str, &'static str)> {
    match app.store().conversations.get(&conv) {
        None => Err(("NOT_FOUND", "Conversation not found")),
        Some(c) if c.agent == uid || sess.is_admin() => Ok(()),
        Some(_) => Err(("FORBIDDEN", "You cannot access this conversation")),
    }
}

async fn doa_join(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let Some((sess, uid)) = gate(&s, &app, "join_conversation") else {
        return;
    };
    let Some(conv) = data.ok().as_ref().and_then(conversation_id) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "join_conversation expects a conversation id",
        );
    };
    match may_follow(&app, &sess, &uid, conv) {
        Ok(()) => {
            s.join(format!("conversation:{conv}"));
            let _ = ack.send(&json!({ "success": true, "conversationId": conv }));
        }
        Err((code, msg)) => emit_error(&s, code, msg),
    }
}

async fn doa_leave(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    if gate(&s, &app, "leave_conversation").is_none() {
        return;
    }
    let Some(conv) = data.ok().as_ref().and_then(conversation_id) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "leave_conversation expects a conversation id",
        );
    };
    s.leave(format!("conversation:{conv}"));
    let _ = ack.send(&json!({ "success": true, "conversationId": conv }));
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Typing {
    conversation_id: Value,
    is_typing: bool,
}

async fn doa_typing(s: SocketRef, State(app): State<Shared>, TryData(data): TryData<Typing>) {
    let Some((_, uid)) = gate(&s, &app, "typing") else {
        return;
    };
    let Some((conv, is_typing)) = data
        .ok()
        .and_then(|t| conversation_id(&t.conversation_id).map(|c| (c, t.is_typing)))
    else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "typing expects {conversationId, isTyping: boolean}",
        );
    };
    let room = format!("conversation:{conv}");
    if !s.rooms().iter().any(|r| *r == room) {
        return emit_error(&s, "NOT_IN_CONVERSATION", "Join the conversation first");
    }
    let now = now_ms();
    let last = s.extensions.get::<TypingClock>().map(|t| t.0).unwrap_or(0);
    // A "stopped typing" always goes through so no indicator is left stuck on.
    if is_typing && now - last < TYPING_THROTTLE_MS {
        return;
    }
    s.extensions.insert(TypingClock(now));
    let _ = s
        .to(room)
        .emit(
            "user_typing",
            &json!({ "userId": id_value(&uid), "conversationId": conv, "isTyping": is_typing }),
        )
        .await;
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarkRead {
    message_id: String,
}

async fn doa_mark_read(s: SocketRef, State(app): State<Shared>, TryData(data): TryData<MarkRead>) {
    let Some((sess, uid)) = gate(&s, &app, "mark_read") else {
        return;
    };
    let Some(req) = data.ok().filter(|m| valid_id(&m.message_id)) else {
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
    if let Err((code, msg)) = may_follow(&app, &sess, &uid, conv) {
        return emit_error(&s, code, msg);
    }
    if let Some(m) = app.store().doa_messages.get_mut(&req.message_id) {
        m.is_read = true;
    }
    let payload =
        json!({ "messageId": req.message_id, "readBy": id_value(&uid), "readAt": now_iso() });
    let _ = s
        .within(format!("conversation:{conv}"))
        .within(format!("user:{uid}"))
        .emit("message_read", &payload)
        .await;
}

// ----------------------------------------------------------------------- fama

/// FAMA accepts the transport, then reports auth failures with
/// `error {message}` and disconnects, as its seed describes.
async fn fama_connect(s: SocketRef, State(app): State<Shared>, TryData(auth): TryData<Value>) {
    let auth = auth.unwrap_or(Value::Null);
    match verify_auth_token(&app, &auth) {
        Ok(claims) => {
            let sess = Session::from_claims(claims);
            let uid = sess.user_id.clone().unwrap_or_default();
            s.join(format!("user_{uid}"));
            let _ = s.emit(
                "connected",
                &json!({
                    "message": "Successfully connected",
                    "user": { "user_id": id_value(&uid), "username": sess.username() },
                }),
            );
            expire_with_token(&s, &sess);
            s.extensions.insert(sess);
            s.on_fallback(
                async |s: SocketRef, State(app): State<Shared>, Event(event): Event| {
                    if gate(&s, &app, "other").is_some() {
                        let name: String = event.chars().take(64).collect();
                        let _ = s.emit(
                            "error",
                            &json!({ "message": format!("Unknown event '{name}'") }),
                        );
                    }
                },
            );
            s.on_disconnect(|s: SocketRef| async move { session(&s).closed.notify_one() });
        }
        Err(refusal) => {
            let _ = s.emit(
                "error",
                &json!({ "message": format!("Authentication failed: {}", refusal.message) }),
            );
            let _ = s.disconnect();
        }
    }
}

// ---------------------------------------------------------------- marketplace

async fn marketplace_connect(s: SocketRef) {
    let sess = session(&s);
    let uid = sess.user_id.clone().unwrap_or_default();
    expire_with_token(&s, &sess);
    s.join(format!("user:{uid}"));
    let _ = s
        .broadcast()
        .emit("user_presence", &json!({ "userId": uid, "isOnline": true }))
        .await;
    s.on("join_order_chat", join_order_chat);
    s.on("leave_order_chat", leave_order_chat);
    s.on("join_dispute_chat", join_dispute_chat);
    s.on("leave_dispute_chat", leave_dispute_chat);
    s.on("order_message", order_message);
    s.on("dispute_message", dispute_message);
    s.on("order_typing", order_typing);
    s.on("dispute_typing", dispute_typing);
    fallback(&s);
    s.on_disconnect(async |s: SocketRef| {
        let sess = session(&s);
        sess.closed.notify_one();
        let uid = sess.user_id.unwrap_or_default();
        let _ = s
            .broadcast()
            .emit(
                "user_presence",
                &json!({ "userId": uid, "isOnline": false }),
            )
            .await;
    });
}

/// Order chats: the order's client and performer, and admins.
fn may_join_order(
    app: &Shared,
    sess: &Session,
    uid: &str,
    order: &str,
) -> Result<(), (&'static str, &'static str)> {
    match app.store().orders.get(order) {
        None => Err(("NOT_FOUND", "Order not found")),
        Some(o) if o.client == uid || o.performer == uid || sess.is_admin() => Ok(()),
        Some(_) => Err(("FORBIDDEN", "You are not a participant of this order")),
    }
}

/// Dispute chats: the disputed order's client and performer, moderators and admins.
fn may_join_dispute(
    app: &Shared,
    sess: &Session,
    uid: &str,
    dispute: &str,
) -> Result<(), (&'static str, &'static str)> {
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

async fn join_order_chat(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let Some((sess, uid)) = gate(&s, &app, "join_order_chat") else {
        return;
    };
    let Some(id) = data
        .ok()
        .as_ref()
        .filter(|v| v.is_object())
        .and_then(|v| id_arg(v, "orderId"))
    else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "join_order_chat expects {orderId: string}",
        );
    };
    match may_join_order(&app, &sess, &uid, &id) {
        Ok(()) => {
            s.join(format!("order:{id}"));
            let _ = ack.send(&json!({ "success": true, "orderId": id }));
        }
        Err((code, msg)) => {
            let _ = ack.send(&json!({ "success": false, "code": code, "message": msg }));
            emit_error(&s, code, msg);
        }
    }
}

async fn leave_order_chat(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    if gate(&s, &app, "leave_order_chat").is_none() {
        return;
    }
    let Some(id) = data
        .ok()
        .as_ref()
        .filter(|v| v.is_object())
        .and_then(|v| id_arg(v, "orderId"))
    else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "leave_order_chat expects {orderId: string}",
        );
    };
    s.leave(format!("order:{id}"));
    let _ = ack.send(&json!({ "success": true, "orderId": id }));
}

async fn join_dispute_chat(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    let Some((sess, uid)) = gate(&s, &app, "join_dispute_chat") else {
        return;
    };
    let Some(id) = data
        .ok()
        .as_ref()
        .filter(|v| v.is_object())
        .and_then(|v| id_arg(v, "disputeId"))
    else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "join_dispute_chat expects {disputeId: string}",
        );
    };
    match may_join_dispute(&app, &sess, &uid, &id) {
        Ok(()) => {
            s.join(format!("dispute:{id}"));
            let _ = ack.send(&json!({ "success": true, "disputeId": id }));
        }
        Err((code, msg)) => {
            let _ = ack.send(&json!({ "success": false, "code": code, "message": msg }));
            emit_error(&s, code, msg);
        }
    }
}

async fn leave_dispute_chat(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<Value>,
    ack: AckSender,
) {
    if gate(&s, &app, "leave_dispute_chat").is_none() {
        return;
    }
    let Some(id) = data
        .ok()
        .as_ref()
        .filter(|v| v.is_object())
        .and_then(|v| id_arg(v, "disputeId"))
    else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "leave_dispute_chat expects {disputeId: string}",
        );
    };
    s.leave(format!("dispute:{id}"));
    let _ = ack.send(&json!({ "success": true, "disputeId": id }));
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attachment {
    file_url: String,
    file_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderMessage {
    order_id: String,
    content: String,
    #[serde(default)]
    attachments: Vec<Attachment>,
}

fn valid_content(c: &str) -> bool {
    !c.trim().is_empty() && c.chars().count() <= MAX_CONTENT_LEN
}

async fn order_message(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<OrderMessage>,
    ack: AckSender,
) {
    let Some((_, uid)) = gate(&s, &app, "order_message") else {
        return;
    };
    let Some(msg) = data.ok().filter(|m| {
        valid_id(&m.order_id)
            && valid_content(&m.content)
            && m.attachments.len() <= MAX_ATTACHMENTS
            && m.attachments.iter().all(|a| {
                !a.file_url.is_empty()
                    && a.file_url.len() <= 2048
                    && !a.file_name.is_empty()
                    && a.file_name.len() <= 255
            })
    }) else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "order_message expects {orderId, content (1-5000 chars), attachments?: [{fileUrl, fileName}] (at most 10)}",
        );
    };
    let room = format!("order:{}", msg.order_id);
    if !s.rooms().iter().any(|r| *r == room) {
        return emit_error(&s, "NOT_IN_CHAT", "Join the order chat first");
    }
    let id = format!(
        "msg_{}_{}",
        now_ms(),
        app.events_total.load(std::sync::atomic::Ordering::Relaxed)
    );
    let attachments: Vec<Value> = msg
        .attachments
        .iter()
        .map(|a| json!({ "fileUrl": a.file_url, "fileName": a.file_name }))
        .collect();
    let payload = json!({
        "id": id,
        "orderId": msg.order_id,
        "senderId": uid,
        "content": msg.content,
        "type": if attachments.is_empty() { "text" } else { "file" },
        "attachments": attachments,
        "createdAt": now_iso(),
    });
    let _ = s.within(room).emit("order_message", &payload).await;
    let _ = ack.send(&json!({ "success": true, "id": id }));
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DisputeMessage {
    dispute_id: String,
    content: String,
}

async fn dispute_message(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<DisputeMessage>,
    ack: AckSender,
) {
    let Some((_, uid)) = gate(&s, &app, "dispute_message") else {
        return;
    };
    let Some(msg) = data
        .ok()
        .filter(|m| valid_id(&m.dispute_id) && valid_content(&m.content))
    else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            "dispute_message expects {disputeId, content (1-5000 chars)}",
        );
    };
    let room = format!("dispute:{}", msg.dispute_id);
    if !s.rooms().iter().any(|r| *r == room) {
        return emit_error(&s, "NOT_IN_CHAT", "Join the dispute chat first");
    }
    let id = format!(
        "dmsg_{}_{}",
        now_ms(),
        app.events_total.load(std::sync::atomic::Ordering::Relaxed)
    );
    let payload = json!({
        "id": id,
        "disputeId": msg.dispute_id,
        "senderId": uid,
        "content": msg.content,
        "createdAt": now_iso(),
    });
    let _ = s.within(room).emit("dispute_message", &payload).await;
    let _ = ack.send(&json!({ "success": true, "id": id }));
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChatTyping {
    order_id: Option<String>,
    dispute_id: Option<String>,
    is_typing: bool,
}

async fn relay_typing(
    s: SocketRef,
    app: Shared,
    data: Result<ChatTyping, impl Sized>,
    kind: &'static str,
) {
    let event = if kind == "order" {
        "order_typing"
    } else {
        "dispute_typing"
    };
    let Some((_, uid)) = gate(&s, &app, event) else {
        return;
    };
    let parsed = data.ok().and_then(|t| {
        let id = if kind == "order" {
            t.order_id
        } else {
            t.dispute_id
        }?;
        valid_id(&id).then_some((id, t.is_typing))
    });
    let Some((id, is_typing)) = parsed else {
        return emit_error(
            &s,
            "INVALID_PAYLOAD",
            format!("{event} expects {{{kind}Id, isTyping: boolean}}"),
        );
    };
    let room = format!("{kind}:{id}");
    if !s.rooms().iter().any(|r| *r == room) {
        return emit_error(&s, "NOT_IN_CHAT", "Join the chat first");
    }
    let mut payload = json!({ "userId": uid, "isTyping": is_typing });
    payload[format!("{kind}Id")] = json!(id);
    let _ = s.to(room).emit(event, &payload).await;
}

async fn order_typing(s: SocketRef, State(app): State<Shared>, TryData(data): TryData<ChatTyping>) {
    relay_typing(s, app, data, "order").await;
}

async fn dispute_typing(
    s: SocketRef,
    State(app): State<Shared>,
    TryData(data): TryData<ChatTyping>,
) {
    relay_typing(s, app, data, "dispute").await;
}
