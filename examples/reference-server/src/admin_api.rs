//! HTTP admin API: authenticated with an admin JWT (`Authorization: Bearer …`),
//! each route triggers server-side events into the rooms that should see them.
//!
//! Every payload is checked against the SDK's event model before it is
//! emitted, so what the server sends always decodes in our clients.

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use omni_socket_core::models::{deployments as dep, doa, marketplace as mk, omni as m, Event};
use serde_json::{json, Map, Value};
use socketioxide::adapter::Adapter;
use socketioxide::SocketIo;

use crate::auth::{bearer, valid_user_id, Role};
use crate::omni::{stats, system_status};
use crate::state::Shared;
use crate::store::{valid_id, DoaMessage, License, Notification, MAX_LICENSES};
use crate::time::{iso8601, now_iso, now_ms};

/// Largest JSON body the admin API reads.
const MAX_BODY: usize = 64 * 1024;
const DAY_MS: i64 = 86_400_000;

/// Handler context.
pub struct Ctx<A: Adapter> {
    /// Shared server state.
    pub app: Shared,
    /// Socket.IO handle to emit through.
    pub io: SocketIo<A>,
}

// Derived `Clone` would demand `A: Clone`; only the handles are cloned.
impl<A: Adapter> Clone for Ctx<A> {
    fn clone(&self) -> Self {
        Self {
            app: self.app.clone(),
            io: self.io.clone(),
        }
    }
}

/// The admin API routes, under `/admin/api`.
pub fn router<A: Adapter>(ctx: Ctx<A>) -> Router {
    Router::new()
        .route("/admin/api/stats", get(get_stats::<A>))
        .route("/admin/api/licenses/{event}", post(license_event::<A>))
        .route("/admin/api/notifications", post(notification::<A>))
        .route("/admin/api/usage", post(usage_update::<A>))
        .route("/admin/api/quota-warning", post(quota_warning::<A>))
        .route("/admin/api/users/{event}", post(user_event::<A>))
        .route("/admin/api/maintenance", post(maintenance::<A>))
        .route("/admin/api/system-status", post(push_system_status::<A>))
        .route(
            "/admin/api/deployments/{id}/status",
            post(deployment_status::<A>),
        )
        .route("/admin/api/deployments/{id}/log", post(deployment_log::<A>))
        .route("/admin/api/doa/messages", post(doa_message::<A>))
        .route("/admin/api/orders/{id}/status", post(order_status::<A>))
        .route("/admin/api/disputes/{id}/status", post(dispute_status::<A>))
        .route(
            "/admin/api/marketplace/notifications",
            post(marketplace_notification::<A>),
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
type Body = Result<Json<Value>, JsonRejection>;

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "INVALID_PAYLOAD", msg.into())
}

fn not_found(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "NOT_FOUND", msg.into())
}

fn admin_only<A: Adapter>(ctx: &Ctx<A>, headers: &HeaderMap) -> Result<(), ApiError> {
    let unauthorized = |code, msg: &str| ApiError(StatusCode::UNAUTHORIZED, code, msg.into());
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .ok_or_else(|| unauthorized("INVALID_TOKEN", "Bearer token required"))?;
    let claims = ctx
        .app
        .jwt
        .verify_raw(token)
        .map_err(|e| unauthorized(e.code(), e.message()))?;
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
fn object<A: Adapter>(
    ctx: &Ctx<A>,
    headers: &HeaderMap,
    body: Body,
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
        .ok_or_else(|| bad(format!("'{key}' must be a string of 1 to 256 bytes")))
}

fn checked_id(id: &str) -> Result<(), ApiError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(bad("id has invalid characters"))
    }
}

/// Checks `body` against the SDK's model of event `T`, emits it into `rooms`
/// of `ns` (the whole namespace when `rooms` is empty) and describes what was sent.
async fn send<T: Event, A: Adapter>(
    ctx: &Ctx<A>,
    ns: &str,
    rooms: &[String],
    body: Value,
) -> ApiResult {
    let payload: T = serde_json::from_value(body)
        .map_err(|e| bad(format!("invalid '{}' payload: {e}", T::NAME)))?;
    if let Some(op) = ctx.io.of(ns) {
        let op = if rooms.is_empty() {
            op
        } else {
            op.to(rooms.to_vec())
        };
        let _ = op.emit(T::NAME, &payload).await;
    }
    let data = serde_json::to_value(&payload).unwrap_or(Value::Null);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "event": T::NAME, "namespace": ns, "rooms": rooms, "data": data })),
    ))
}

async fn get_stats<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    admin_only(&ctx, &headers)?;
    Ok(Json(stats(&ctx.app, &ctx.io)))
}

/// `POST /admin/api/licenses/{created|updated|expired|renewed|deleted}` with
/// `{license_key, …}`; `license_<event>` goes to `license_<key>` and `admin_dashboard`.
/// Timestamps and the store's view of the license are filled in when absent.
async fn license_event<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    Path(event): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    if !["created", "updated", "expired", "renewed", "deleted"].contains(&event.as_str()) {
        return Err(not_found("unknown license event"));
    }
    let key = str_field(&m, "license_key")?.to_string();
    checked_id(&key)?;
    let now = now_ms();
    {
        let mut store = ctx.app.store();
        if event == "created"
            && store.licenses.len() >= MAX_LICENSES
            && !store.licenses.contains_key(&key)
        {
            return Err(ApiError(
                StatusCode::INSUFFICIENT_STORAGE,
                "STORE_FULL",
                "too many licenses".into(),
            ));
        }
        if event == "created" {
            let owner = m
                .get("client_id")
                .and_then(Value::as_str)
                .filter(|o| valid_user_id(o))
                .ok_or_else(|| bad("'client_id' must be the holder's user id"))?
                .to_string();
            let plan: String = m
                .get("plan")
                .and_then(Value::as_str)
                .unwrap_or("premium")
                .chars()
                .take(32)
                .collect();
            m.insert("plan".into(), json!(plan));
            m.entry("status").or_insert(json!("active"));
            m.entry("created_at").or_insert(json!(iso8601(now)));
            store.licenses.insert(
                key.clone(),
                License {
                    key: key.clone(),
                    owner,
                    plan,
                    status: "active".into(),
                    expires_at_ms: now + 365 * DAY_MS,
                },
            );
        } else {
            let lic = store
                .licenses
                .get_mut(&key)
                .ok_or_else(|| not_found(format!("license {key} not found")))?;
            match event.as_str() {
                "expired" => {
                    lic.status = "expired".into();
                    m.entry("expired_at").or_insert(json!(iso8601(now)));
                    m.entry("grace_period_days").or_insert(json!(7));
                }
                "renewed" => {
                    let old = lic.expires_at_ms;
                    lic.expires_at_ms = old.max(now) + 365 * DAY_MS;
                    lic.status = "active".into();
                    m.entry("old_expires_at").or_insert(json!(iso8601(old)));
                    m.entry("new_expires_at")
                        .or_insert(json!(iso8601(lic.expires_at_ms)));
                    m.entry("renewed_at").or_insert(json!(iso8601(now)));
                }
                "deleted" => {
                    lic.status = "deleted".into();
                    m.entry("deleted_at").or_insert(json!(iso8601(now)));
                    m.entry("reason")
                        .or_insert(json!("Deleted by an administrator"));
                }
                _ => {
                    let new_status = m
                        .get("changes")
                        .and_then(|c| c.get("status"))
                        .and_then(|s| s.get("new"))
                        .and_then(Value::as_str);
                    if let Some(status) = new_status {
                        lic.status = status.chars().take(32).collect();
                    }
                }
            }
        }
    }
    let rooms = vec![m::license_room(&key), m::ADMIN_DASHBOARD_ROOM.to_string()];
    let body = Value::Object(m);
    match event.as_str() {
        "created" => send::<m::LicenseCreated, A>(&ctx, "/", &rooms, body).await,
        "updated" => send::<m::LicenseUpdated, A>(&ctx, "/", &rooms, body).await,
        "expired" => send::<m::LicenseExpired, A>(&ctx, "/", &rooms, body).await,
        "renewed" => send::<m::LicenseRenewed, A>(&ctx, "/", &rooms, body).await,
        _ => send::<m::LicenseDeleted, A>(&ctx, "/", &rooms, body).await,
    }
}

/// `POST /admin/api/notifications` with `{user_id, title, message, …}` →
/// `notification` in `user_<id>`; the id is assigned and stored so that
/// `notification_read` can mark it.
async fn notification<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let user = str_field(&m, "user_id")?.to_string();
    if !valid_user_id(&user) {
        return Err(bad("user_id has invalid characters"));
    }
    let id = format!(
        "notif_{}_{}",
        now_ms(),
        ctx.app
            .events_total
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    m.insert("id".into(), json!(id));
    m.entry("type").or_insert(json!("info"));
    m.entry("priority").or_insert(json!("normal"));
    m.entry("created_at").or_insert(json!(now_iso()));
    let payload: m::Notification = serde_json::from_value(Value::Object(m))
        .map_err(|e| bad(format!("invalid 'notification' payload: {e}")))?;
    {
        // Past --max-notifications the oldest is forgotten (README: eviction policy).
        ctx.app.store().notifications.insert(
            id,
            Notification {
                user_id: user.clone(),
                read: false,
            },
        );
    }
    let body = serde_json::to_value(&payload).unwrap_or(Value::Null);
    send::<m::Notification, A>(&ctx, "/", &[m::user_room(&user)], body).await
}

async fn license_room_event<T: Event, A: Adapter>(
    ctx: Ctx<A>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let key = str_field(&m, "license_key")?.to_string();
    if !ctx.app.store().licenses.contains_key(&key) {
        return Err(not_found(format!("license {key} not found")));
    }
    m.entry("timestamp").or_insert(json!(now_iso()));
    send::<T, A>(&ctx, "/", &[m::license_room(&key)], Value::Object(m)).await
}

/// `POST /admin/api/usage` with `{license_key, api_calls, storage_used_gb, active_users}`
/// → `usage_update` in `license_<key>`.
async fn usage_update<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    license_room_event::<m::UsageUpdate, A>(ctx, headers, body).await
}

/// `POST /admin/api/quota-warning` with `{license_key, type, current, limit, percentage, message}`
/// → `quota_warning` in `license_<key>`.
async fn quota_warning<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    license_room_event::<m::QuotaWarning, A>(ctx, headers, body).await
}

/// `POST /admin/api/users/{login|logout}` with `{user_id, …}` → `user_login` /
/// `user_logout` in `admin_dashboard` on `/` and to every `/admin` socket.
async fn user_event<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    Path(event): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    let login = match event.as_str() {
        "login" => true,
        "logout" => false,
        _ => return Err(not_found("unknown user event")),
    };
    str_field(&m, "user_id")?;
    m.entry(if login { "login_at" } else { "logout_at" })
        .or_insert(json!(now_iso()));
    let rooms = vec![m::ADMIN_DASHBOARD_ROOM.to_string()];
    let body = Value::Object(m);
    // Dashboards follow either the room on `/` or the whole `/admin` namespace.
    if login {
        let _ = send::<m::UserLogin, A>(&ctx, "/admin", &[], body.clone()).await?;
        send::<m::UserLogin, A>(&ctx, "/", &rooms, body).await
    } else {
        let _ = send::<m::UserLogout, A>(&ctx, "/admin", &[], body.clone()).await?;
        send::<m::UserLogout, A>(&ctx, "/", &rooms, body).await
    }
}

/// `POST /admin/api/maintenance` with `{enabled, message?, estimated_duration?}` → every socket on `/`.
async fn maintenance<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let mut m = object(&ctx, &headers, body)?;
    m.entry("started_at").or_insert(json!(now_iso()));
    send::<m::MaintenanceMode, A>(&ctx, "/", &[], Value::Object(m)).await
}

/// `POST /admin/api/system-status` (no body) → an immediate `system_status` broadcast on `/`.
async fn push_system_status<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
) -> ApiResult {
    admin_only(&ctx, &headers)?;
    let body = serde_json::to_value(system_status(&ctx.app, &ctx.io)).unwrap_or(Value::Null);
    send::<m::SystemStatus, A>(&ctx, "/", &[], body).await
}

/// `POST /admin/api/deployments/{id}/status` with `{status}` → `deployment:status` in `deployment:<id>`.
async fn deployment_status<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
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
    let body = json!({ "deploymentId": id, "status": status });
    send::<dep::DeploymentStatus, A>(&ctx, "/deployments", &[dep::deployment_key(&id)], body).await
}

/// `POST /admin/api/deployments/{id}/log` with `{log}` → `deployment:log` in `deployment:<id>`.
async fn deployment_log<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
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
    let body = json!({ "deploymentId": id, "log": log });
    send::<dep::DeploymentLog, A>(&ctx, "/deployments", &[dep::deployment_key(&id)], body).await
}

/// `POST /admin/api/doa/messages` — an incoming WhatsApp message
/// `{conversationId, customerName, customerPhone, messageContent, messageType?}` →
/// `new_message` to the conversation's agent (`user:<id>`), `admin` and
/// `conversation:<id>` on `/doa`.
async fn doa_message<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    let conv = m
        .get("conversationId")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("'conversationId' must be a positive integer"))?;
    let name = str_field(&m, "customerName")?;
    let phone = str_field(&m, "customerPhone")?;
    let content = m
        .get("messageContent")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(|| bad("'messageContent' must be 1 to 4096 bytes"))?;
    let kind: String = m
        .get("messageType")
        .and_then(Value::as_str)
        .unwrap_or("text")
        .chars()
        .take(16)
        .collect();
    let id = format!(
        "msg_{}_{}",
        now_ms(),
        ctx.app
            .events_total
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let agent = {
        let mut store = ctx.app.store();
        let agent = store
            .conversations
            .get(&conv)
            .map(|c| c.agent)
            .ok_or_else(|| not_found(format!("conversation {conv} not found")))?;
        store.doa_messages.insert(
            id.clone(),
            DoaMessage {
                conversation_id: conv,
                is_read: false,
            },
        );
        agent
    };
    let body = json!({
        "id": id,
        "userId": agent,
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
        doa::user_room(agent),
        "admin".to_string(),
        doa::conversation_room(conv),
    ];
    send::<doa::NewMessage, A>(&ctx, "/doa", &rooms, body).await
}

/// `POST /admin/api/orders/{id}/status` with `{status}` → `order_status_update`
/// in `order:<id>` and both parties' `user:<id>` rooms on `/marketplace`.
async fn order_status<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
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
        mk::order_chat_room(&id),
        format!("user:{client}"),
        format!("user:{performer}"),
    ];
    let body = json!({ "orderId": id, "status": status });
    send::<mk::OrderStatusUpdate, A>(&ctx, "/marketplace", &rooms, body).await
}

/// `POST /admin/api/disputes/{id}/status` with `{status}` → `dispute_status_update` in `dispute:<id>`.
async fn dispute_status<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
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
    let body = json!({ "disputeId": id, "status": status });
    let rooms = [mk::dispute_chat_room(&id)];
    send::<mk::DisputeStatusUpdate, A>(&ctx, "/marketplace", &rooms, body).await
}

/// `POST /admin/api/marketplace/notifications` with `{userId, content}` → `notification` in `user:<id>`.
async fn marketplace_notification<A: Adapter>(
    State(ctx): State<Ctx<A>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let m = object(&ctx, &headers, body)?;
    let user = str_field(&m, "userId")?.to_string();
    checked_id(&user)?;
    let rooms = [format!("user:{user}")];
    send::<mk::Notification, A>(&ctx, "/marketplace", &rooms, Value::Object(m)).await
}
