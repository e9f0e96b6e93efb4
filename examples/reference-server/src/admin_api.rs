//! HTTP admin API: authenticated with an admin JWT (`Authorization: Bearer …`),
//! each route triggers server-side events into the rooms that should see them.

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use socketioxide::SocketIo;

use crate::auth::Role;
use crate::omni::{stats, system_status};
use crate::state::{id_value, Shared};
use crate::store::{valid_id, Notification, MAX_NOTIFICATIONS};
use crate::time::{iso8601, now_iso, now_ms};

/// Largest JSON body the admin API reads.
const MAX_BODY: usize = 64 * 1024;

/// Handler context.
#[derive(Clone)]
pub struct Ctx {
    /// Shared server state.
    pub app: Shared,
    /// Socket.IO handle to emit through.
    pub io: SocketIo,
}

/// The admin API routes, under `/admin/api`.
pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/admin/api/stats", get(get_stats))
        .route("/admin/api/licenses/{event}", post(license_event))
        .route("/admin/api/notifications", post(notification))
        .route("/admin/api/usage", post(usage_update))
        .route("/admin/api/quota-warning", post(quota_warning))
        .route("/admin/api/users/{event}", post(user_event))
        .route("/admin/api/maintenance", post(maintenance))
        .route("/admin/api/system-status", post(push_system_status))
        .route(
            "/admin/api/deployments/{id}/status",
            post(deployment_status),
        )
        .route("/admin/api/deployments/{id}/log", post(deployment_log))
        .route("/admin/api/doa/messages", post(doa_message))
        .route("/admin/api/orders/{id}/status", post(order_status))
        .route("/admin/api/disputes/{id}/status", post(dispute_status))
        .route(
            "/admin/api/marketplace/notifications",
            post(marketplace_notification),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ctx)
}

/// An API failure rendered as `{code, message}` with an HTTP status.
struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "code": self.1, "message": self.2 }))).into_response()
    }
}

type ApiResult = Result<(StatusCode, Json<Value>), ApiError>;

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "INVALID_PAYLOAD", msg.into())
}

fn not_found(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "NOT_FOUND", msg.into())
}

fn admin_only(ctx: &Ctx, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError(
                StatusCode::UNAUTHORIZED,
                "INVALID_TOKEN",
                "Bearer token required".into(),
            )
        })?;
    let claims = ctx
        .app
        .jwt
        .verify(token)
        .map_err(|e| ApiError(StatusCode::UNAUTHORIZED, e.code(), e.message().into()))?;
    if claims.role != Role::Admin {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "The admin role is required".into(),
        ));
    }
    Ok(())
}

/// Checks auth, then reads the body as a JSON object.
fn object(
    ctx: &Ctx,
    headers: &HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Map<String, Value>, ApiError> {
    admin_only(ctx, headers)?;
    match body {
        Ok(Json(Value::Object(m))) => Ok(m),
        Ok(_) => Err(bad("body must be a JSON object")),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("body exceeds {MAX_BODY} bytes"),
        )),
        Err(e) => Err(bad(e.body_text())),
    }
}

fn str_field<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, ApiError> {
    m.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(|| bad(format!("'{key}' must be a non-empty string")))
}

async fn emit_to(io: &SocketIo, ns: &str, rooms: &[String], event: &str, data: &Value) {
    if let Some(op) = io.of(ns) {
        let _ = op.to(rooms.to_vec()).emit(event, data).await;
    }
}

fn accepted(event: &str, ns: &str, rooms: &[String], data: Value) -> ApiResult {
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "event": event, "namespace": ns, "rooms": rooms, "data": data })),
    ))
}

async fn get_stats(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    admin_only(&ctx, &headers)?;
    Ok(Json(stats(&ctx.app, &ctx.io)))
}

/// `POST /admin/api/licenses/{created|updated|expired|renewed|deleted}` with
/// `{license_key, …}`; `license_<event>` goes to `license_<key>` and `admin_dashboard`.
async fn license_event(
    State(ctx): State<Ctx>,
    Path(event): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    if !["created", "updated", "expired", "renewed", "deleted"].contains(&event.as_str()) {
        return Err(not_found(format!(
            "unknown license event '{}'",
            event.chars().take(32).collect::<String>()
        )));
    }
    let key = str_field(&m, "license_key")?.to_string();
    if !valid_id(&key) {
        return Err(bad("license_key has invalid characters"));
    }
    let now = now_ms();
    {
        let mut store = ctx.app.store();
        if event == "created" {
            let owner = m
                .get("client_id")
                .and_then(Value::as_str)
                .unwrap_or("user_67890");
            let plan = m.get("plan").and_then(Value::as_str).unwrap_or("premium");
            store.licenses.insert(
                key.clone(),
                crate::store::License {
                    key: key.clone(),
                    owner: owner.chars().take(64).collect(),
                    plan: plan.chars().take(32).collect(),
                    status: "active".into(),
                    expires_at_ms: now + 365 * 86_400_000,
                },
            );
            m.entry("status").or_insert(json!("active"));
            m.entry("created_at").or_insert(json!(iso8601(now)));
        } else {
            let lic = store
                .licenses
                .get_mut(&key)
                .ok_or_else(|| not_found(format!("license {key} not found")))?;
            match event.as_str() {
                "expired" => {
                    lic.status = "expired".into();
                    m.entry("expired_at").or_insert(json!(iso8601(now)));
                }
                "renewed" => {
                    let old = lic.expires_at_ms;
                    lic.expires_at_ms = old.max(now) + 365 * 86_400_000;
                    lic.status = "active".into();
                    m.entry("old_expires_at").or_insert(json!(iso8601(old)));
                    m.entry("new_expires_at")
                        .or_insert(json!(iso8601(lic.expires_at_ms)));
                    m.entry("renewed_at").or_insert(json!(iso8601(now)));
                }
                "deleted" => {
                    lic.status = "deleted".into();
                    m.entry("deleted_at").or_insert(json!(iso8601(now)));
                }
                _ => {
                    if let Some(status) = m
                        .get("changes")
                        .and_then(|c| c.get("status"))
                        .and_then(|s| s.get("new"))
                        .and_then(Value::as_str)
                    {
                        lic.status = status.chars().take(32).collect();
                    }
                }
            }
        }
    }
    let name = format!("license_{event}");
    let rooms = vec![format!("license_{key}"), "admin_dashboard".to_string()];
    let data = Value::Object(m);
    emit_to(&ctx.io, "/", &rooms, &name, &data).await;
    accepted(&name, "/", &rooms, data)
}

/// `POST /admin/api/notifications` with `{user_id, title, message, …}` → `notification` in `user_<id>`.
async fn notification(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let user = str_field(&m, "user_id")?.to_string();
    if !valid_id(&user) {
        return Err(bad("user_id has invalid characters"));
    }
    let id = format!(
        "notif_{}_{}",
        now_ms(),
        ctx.app
            .events_total
            .load(std::sync::atomic::Ordering::Relaxed)
    );
    {
        let mut store = ctx.app.store();
        if store.notifications.len() >= MAX_NOTIFICATIONS {
            return Err(ApiError(
                StatusCode::INSUFFICIENT_STORAGE,
                "STORE_FULL",
                "too many notifications".into(),
            ));
        }
        store.notifications.insert(
            id.clone(),
            Notification {
                user_id: user.clone(),
                read: false,
            },
        );
    }
    m.insert("id".into(), json!(id));
    m.entry("type").or_insert(json!("info"));
    m.entry("priority").or_insert(json!("normal"));
    m.entry("created_at").or_insert(json!(now_iso()));
    let room = if user.starts_with("user_") {
        user.clone()
    } else {
        format!("user_{user}")
    };
    let rooms = vec![room];
    let data = Value::Object(m);
    emit_to(&ctx.io, "/", &rooms, "notification", &data).await;
    accepted("notification", "/", &rooms, data)
}

async fn license_room_event(
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
    event: &str,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let key = str_field(&m, "license_key")?.to_string();
    if !ctx.app.store().licenses.contains_key(&key) {
        return Err(not_found(format!("license {key} not found")));
    }
    m.entry("timestamp").or_insert(json!(now_iso()));
    let rooms = vec![format!("license_{key}")];
    let data = Value::Object(m);
    emit_to(&ctx.io, "/", &rooms, event, &data).await;
    accepted(event, "/", &rooms, data)
}

/// `POST /admin/api/usage` with `{license_key, api_calls, …}` → `usage_update` in `license_<key>`.
async fn usage_update(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    license_room_event(ctx, headers, body, "usage_update").await
}

/// `POST /admin/api/quota-warning` with `{license_key, type, current, limit, …}` → `quota_warning`.
async fn quota_warning(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    license_room_event(ctx, headers, body, "quota_warning").await
}

/// `POST /admin/api/users/{login|logout}` with `{user_id, …}` → `user_login` / `user_logout`
/// in `admin_dashboard` on `/` and to every `/admin` socket.
async fn user_event(
    State(ctx): State<Ctx>,
    Path(event): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let name = match event.as_str() {
        "login" => "user_login",
        "logout" => "user_logout",
        _ => return Err(not_found("unknown user event")),
    };
    str_field(&m, "user_id")?;
    m.entry(if name == "user_login" {
        "login_at"
    } else {
        "logout_at"
    })
    .or_insert(json!(now_iso()));
    let rooms = vec!["admin_dashboard".to_string()];
    let data = Value::Object(m);
    emit_to(&ctx.io, "/", &rooms, name, &data).await;
    if let Some(op) = ctx.io.of("/admin") {
        let _ = op.emit(name, &data).await;
    }
    accepted(name, "/", &rooms, data)
}

/// `POST /admin/api/maintenance` with `{enabled, message, estimated_duration}` → every socket on `/`.
async fn maintenance(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    if !m.get("enabled").is_some_and(Value::is_boolean) {
        return Err(bad("'enabled' must be a boolean"));
    }
    m.entry("started_at").or_insert(json!(now_iso()));
    let data = Value::Object(m);
    if let Some(op) = ctx.io.of("/") {
        let _ = op.emit("maintenance_mode", &data).await;
    }
    accepted("maintenance_mode", "/", &[], data)
}

/// `POST /admin/api/system-status` (empty body allowed) → an immediate `system_status` broadcast.
async fn push_system_status(State(ctx): State<Ctx>, headers: HeaderMap) -> ApiResult {
    admin_only(&ctx, &headers)?;
    let data = system_status(&ctx.app, &ctx.io);
    if let Some(op) = ctx.io.of("/") {
        let _ = op.emit("system_status", &data).await;
    }
    accepted("system_status", "/", &[], data)
}

fn checked_id(id: &str) -> Result<(), ApiError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(bad("id has invalid characters"))
    }
}

/// `POST /admin/api/deployments/{id}/status` with `{status}` → `deployment:status` in `deployment:<id>`.
async fn deployment_status(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    checked_id(&id)?;
    let status = str_field(&m, "status")?.to_string();
    ctx.app
        .store()
        .deployments
        .get_mut(&id)
        .ok_or_else(|| not_found(format!("deployment {id} not found")))?
        .status = status.clone();
    let rooms = vec![format!("deployment:{id}")];
    let data = json!({ "deploymentId": id, "status": status, "timestamp": now_iso() });
    emit_to(&ctx.io, "/deployments", &rooms, "deployment:status", &data).await;
    accepted("deployment:status", "/deployments", &rooms, data)
}

/// `POST /admin/api/deployments/{id}/log` with `{log}` → `deployment:log` in `deployment:<id>`.
async fn deployment_log(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    checked_id(&id)?;
    let log = m
        .get("log")
        .and_then(Value::as_str)
        .filter(|l| l.len() <= 16 * 1024)
        .ok_or_else(|| bad("'log' must be a string of at most 16 KiB"))?;
    if !ctx.app.store().deployments.contains_key(&id) {
        return Err(not_found(format!("deployment {id} not found")));
    }
    let rooms = vec![format!("deployment:{id}")];
    let data = json!({ "deploymentId": id, "log": log, "timestamp": now_iso() });
    emit_to(&ctx.io, "/deployments", &rooms, "deployment:log", &data).await;
    accepted("deployment:log", "/deployments", &rooms, data)
}

/// `POST /admin/api/doa/messages` — an incoming WhatsApp message:
/// `{conversationId, customerName, customerPhone, messageContent, messageType?}` →
/// `new_message` to the conversation's agent (`user:<id>`), `admin` and `conversation:<id>` on `/doa`.
async fn doa_message(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    let conv = m
        .get("conversationId")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("'conversationId' must be an integer"))?;
    let name = str_field(&m, "customerName")?.to_string();
    let phone = str_field(&m, "customerPhone")?.to_string();
    let content = m
        .get("messageContent")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(|| bad("'messageContent' must be 1 to 4096 bytes"))?
        .to_string();
    let kind = m
        .get("messageType")
        .and_then(Value::as_str)
        .unwrap_or("text")
        .chars()
        .take(16)
        .collect::<String>();
    let id = format!("msg_{}", now_ms());
    let agent = {
        let mut store = ctx.app.store();
        let agent = store
            .conversations
            .get(&conv)
            .map(|c| c.agent.clone())
            .ok_or_else(|| not_found(format!("conversation {conv} not found")))?;
        store.doa_messages.insert(
            id.clone(),
            crate::store::DoaMessage {
                conversation_id: conv,
                is_read: false,
            },
        );
        agent
    };
    let data = json!({
        "id": id,
        "userId": id_value(&agent),
        "conversationId": conv,
        "customerName": name,
        "customerPhone": phone,
        "messageContent": content,
        "messageType": kind,
        "direction": "INBOUND",
        "timestamp": now_iso(),
        "isRead": false,
    });
    let rooms = vec![
        format!("user:{agent}"),
        "admin".to_string(),
        format!("conversation:{conv}"),
    ];
    emit_to(&ctx.io, "/doa", &rooms, "new_message", &data).await;
    accepted("new_message", "/doa", &rooms, data)
}

/// `POST /admin/api/orders/{id}/status` with `{status}` → `order_status_update`
/// in `order:<id>` and both parties' `user:<id>` rooms on `/marketplace`.
async fn order_status(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    checked_id(&id)?;
    let status = str_field(&m, "status")?.to_string();
    let (client, performer) = {
        let mut store = ctx.app.store();
        let o = store
            .orders
            .get_mut(&id)
            .ok_or_else(|| not_found(format!("order {id} not found")))?;
        o.status = status.clone();
        (o.client.clone(), o.performer.clone())
    };
    let rooms = vec![
        format!("order:{id}"),
        format!("user:{client}"),
        format!("user:{performer}"),
    ];
    let data = json!({ "orderId": id, "status": status, "updatedAt": now_iso() });
    emit_to(
        &ctx.io,
        "/marketplace",
        &rooms,
        "order_status_update",
        &data,
    )
    .await;
    accepted("order_status_update", "/marketplace", &rooms, data)
}

/// `POST /admin/api/disputes/{id}/status` with `{status}` → `dispute_status_update` in `dispute:<id>`.
async fn dispute_status(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    checked_id(&id)?;
    let status = str_field(&m, "status")?.to_string();
    ctx.app
        .store()
        .disputes
        .get_mut(&id)
        .ok_or_else(|| not_found(format!("dispute {id} not found")))?
        .status = status.clone();
    let rooms = vec![format!("dispute:{id}")];
    let data = json!({ "disputeId": id, "status": status, "updatedAt": now_iso() });
    emit_to(
        &ctx.io,
        "/marketplace",
        &rooms,
        "dispute_status_update",
        &data,
    )
    .await;
    accepted("dispute_status_update", "/marketplace", &rooms, data)
}

/// `POST /admin/api/marketplace/notifications` with `{userId, content, …}` → `notification` in `user:<id>`.
async fn marketplace_notification(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let user = str_field(&m, "userId")?.to_string();
    checked_id(&user)?;
    str_field(&m, "content")?;
    m.entry("createdAt").or_insert(json!(now_iso()));
    let rooms = vec![format!("user:{user}")];
    let data = Value::Object(m);
    emit_to(&ctx.io, "/marketplace", &rooms, "notification", &data).await;
    accepted("notification", "/marketplace", &rooms, data)
}
