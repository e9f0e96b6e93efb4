//! The cap on Engine.IO sessions, total and per IP address.
//!
//! A handshake (a request to the Engine.IO path without `sid`) takes a slot
//! and leaves it in the request's extensions. engineioxide keeps the request
//! parts of the handshake inside its session until the session is dropped,
//! so the slot is given back exactly when the session ends: closed by the
//! client, by a ping timeout, by the connect timeout, or by the server —
//! long-polling and WebSocket alike, and across an upgrade (the upgrade
//! request carries `sid` and takes nothing).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::net::{peer_ip, Caps, Full, Permit};

/// Where socketioxide serves Engine.IO (its default).
pub const ENGINE_IO_PATH: &str = "/socket.io/";

/// The slot a session holds; it lives in the handshake's request parts.
#[derive(Clone)]
pub struct SessionSlot(#[allow(dead_code)] Arc<Permit>);

/// Whether `req` opens a new Engine.IO session.
fn is_handshake(req: &Request) -> bool {
    let path = req.uri().path();
    if path != ENGINE_IO_PATH && path != ENGINE_IO_PATH.trim_end_matches('/') {
        return false;
    }
    !req.uri()
        .query()
        .unwrap_or("")
        .split('&')
        .any(|kv| kv.starts_with("sid="))
}

/// Middleware: refuses a handshake over the cap with `503`, and attaches the
/// slot to the ones it lets through.
pub async fn limit_sessions(
    State(caps): State<Arc<Caps>>,
    mut req: Request,
    next: Next,
) -> Response {
    if is_handshake(&req) {
        let ip = peer_ip(&req).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        match caps.try_acquire(ip) {
            Ok(permit) => {
                req.extensions_mut().insert(SessionSlot(Arc::new(permit)));
            }
            Err(full) => {
                let message = match full {
                    Full::Total => "The server holds as many sessions as it allows",
                    Full::PerIp => "Too many sessions from this address",
                };
                let body = serde_json::json!({ "code": "TOO_MANY_SESSIONS", "message": message });
                // 503 with Retry-After: clients retry with their backoff.
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    Json(body),
                )
                    .into_response();
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str) -> Request {
        Request::builder()
            .uri(uri)
            .body(axum::body::Body::empty())
            .unwrap()
    }

    #[test]
    fn only_requests_without_sid_open_sessions() {
        assert!(is_handshake(&req("/socket.io/?EIO=4&transport=polling")));
        assert!(is_handshake(&req("/socket.io/?EIO=4&transport=websocket")));
        assert!(!is_handshake(&req(
            "/socket.io/?EIO=4&transport=polling&sid=abc"
        )));
        assert!(!is_handshake(&req(
            "/socket.io/?sid=abc&EIO=4&transport=websocket"
        )));
        assert!(!is_handshake(&req("/health")));
        assert!(!is_handshake(&req("/admin/api/stats?x=/socket.io/")));
    }
}
