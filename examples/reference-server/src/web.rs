//! Browser-facing rules: which origins may talk to the server, and serving
//! the static demo directory without leaving it.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// Path prefix of the HTTP admin API.
pub const ADMIN_API_PREFIX: &str = "/admin/api/";

/// The origins allowed across origins, from `--cors-origin`.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// `*` was given: any origin on the Socket.IO endpoint and `/health`.
    any: bool,
    /// Origins listed one by one (the only ones the admin API accepts).
    listed: Vec<HeaderValue>,
}

impl Origins {
    /// Parses the `--cors-origin` values.
    pub fn parse(values: &[String]) -> Result<Self, String> {
        let mut o = Origins::default();
        for v in values {
            let v = v.trim().trim_end_matches('/');
            if v == "*" {
                o.any = true;
                continue;
            }
            if !valid_origin(v) {
                return Err(format!(
                    "invalid --cors-origin {v:?}: expected scheme://host[:port] or *"
                ));
            }
            o.listed.push(
                HeaderValue::from_str(v)
                    .map_err(|e| format!("invalid --cors-origin {v:?}: {e}"))?,
            );
        }
        Ok(o)
    }

    /// Whether a request with `origin` may be served (and read by the page).
    /// The server's own origin always may; the admin API takes listed origins only.
    pub fn allows(&self, origin: &HeaderValue, parts: &Parts) -> bool {
        if same_origin(origin, parts) || self.listed.iter().any(|o| o == origin) {
            return true;
        }
        self.any && !parts.uri.path().starts_with(ADMIN_API_PREFIX)
    }

    /// The CORS layer: answers preflights and sets `Access-Control-Allow-*`
    /// for allowed origins only.
    pub fn cors_layer(self: &Arc<Self>) -> CorsLayer {
        let me = self.clone();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, parts| {
                me.allows(origin, parts)
            }))
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
            ])
    }
}

/// `scheme://host[:port]`, nothing else.
fn valid_origin(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

/// The page was served by this server: its origin's authority is our `Host`.
fn same_origin(origin: &HeaderValue, parts: &Parts) -> bool {
    let (Ok(origin), Some(host)) = (
        origin.to_str(),
        parts.headers.get(HOST).and_then(|h| h.to_str().ok()),
    ) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

/// Middleware: a browser page from an origin that is not allowed cannot open
/// an Engine.IO session (WebSockets are not covered by CORS, so the check
/// is made here). Clients that send no `Origin` (native, Node) are not affected.
pub async fn check_origin(
    State(origins): State<Arc<Origins>>,
    req: Request,
    next: Next,
) -> Response {
    if req
        .uri()
        .path()
        .starts_with(crate::sessions::ENGINE_IO_PATH.trim_end_matches('/'))
    {
        if let Some(origin) = req.headers().get(ORIGIN).cloned() {
            let (parts, body) = req.into_parts();
            if !origins.allows(&origin, &parts) {
                let body_json = serde_json::json!({
                    "code": "ORIGIN_NOT_ALLOWED",
                    "message": "This origin is not allowed; see --cors-origin",
                });
                return (StatusCode::FORBIDDEN, Json(body_json)).into_response();
            }
            return next.run(Request::from_parts(parts, body)).await;
        }
    }
    next.run(req).await
}

/// Serves `--static-dir`, refusing any path that resolves (through a
/// symbolic link) outside of it.
#[derive(Debug, Clone)]
pub struct StaticDir {
    root: PathBuf,
}

impl StaticDir {
    /// Resolves the directory once; fails when it does not exist.
    pub fn new(dir: &Path) -> Result<Self, String> {
        let root = dir
            .canonicalize()
            .map_err(|e| format!("--static-dir {}: {e}", dir.display()))?;
        if !root.is_dir() {
            return Err(format!("--static-dir {}: not a directory", dir.display()));
        }
        Ok(Self { root })
    }

    /// Whether the file a request path names stays inside the directory once
    /// every link is resolved. Paths that do not exist are left to ServeDir (404).
    fn contains(&self, uri_path: &str) -> bool {
        let decoded = percent_encoding::percent_decode_str(uri_path).decode_utf8_lossy();
        let mut path = self.root.clone();
        for part in decoded.split('/') {
            let c = Path::new(part).components().next();
            match c {
                None | Some(Component::CurDir) => {}
                Some(Component::Normal(_)) if !part.contains('\\') => path.push(part),
                // `..`, absolute or drive components: ServeDir refuses them too.
                _ => return false,
            }
        }
        if path.is_dir() {
            path.push("index.html");
        }
        match path.canonicalize() {
            Ok(real) => real.starts_with(&self.root),
            Err(_) => true,
        }
    }

    /// The fallback handler serving the directory.
    pub async fn serve(dir: Arc<StaticDir>, req: Request) -> Response {
        if !dir.contains(req.uri().path()) {
            return StatusCode::NOT_FOUND.into_response();
        }
        match ServeDir::new(&dir.root).oneshot(req).await {
            Ok(res) => res.into_response(),
            Err(never) => match never {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(path: &str, host: &str) -> Parts {
        Request::builder()
            .uri(path)
            .header(HOST, host)
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn origins_same_listed_any_and_admin() {
        let hv = |s: &str| HeaderValue::from_str(s).unwrap();
        let none = Origins::parse(&[]).unwrap();
        assert!(none.allows(
            &hv("http://127.0.0.1:3001"),
            &parts("/socket.io/", "127.0.0.1:3001")
        ));
        assert!(!none.allows(
            &hv("http://evil.example"),
            &parts("/socket.io/", "127.0.0.1:3001")
        ));
        let listed = Origins::parse(&["http://localhost:5173".into()]).unwrap();
        assert!(listed.allows(
            &hv("http://localhost:5173"),
            &parts("/admin/api/stats", "x")
        ));
        let any = Origins::parse(&["*".into()]).unwrap();
        assert!(any.allows(&hv("http://evil.example"), &parts("/socket.io/", "x")));
        assert!(!any.allows(&hv("http://evil.example"), &parts("/admin/api/stats", "x")));
        assert!(Origins::parse(&["localhost:5173".into()]).is_err());
        assert!(Origins::parse(&["http://a/b".into()]).is_err());
    }
}
