//! `omni-server`: the reference Socket.IO server for every omni-socket seed product.
//!
//! Omni (seed 000) runs on `/` with `/admin` and `/analytics`; deployments (001),
//! DOA (002), FAMA (003) and the marketplace (004) each have their own namespace.
//! An HTTP admin API under `/admin/api` triggers server-side events. With the
//! `redis` feature and `--redis-url`, several processes share rooms and broadcasts.

mod admin_api;
mod auth;
mod config;
mod conformance;
mod net;
mod omni;
mod products;
mod rate;
mod sessions;
mod state;
mod store;
mod time;
mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use clap::Parser;
use socketioxide::adapter::Adapter;
use socketioxide::layer::SocketIoLayer;
use socketioxide::{SocketIo, SocketIoBuilder};
use socketioxide_core::adapter::DefinedAdapter;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::auth::{Claims, Jwt};
use crate::config::{Args, DEV_SECRET};
use crate::state::{AppState, Shared};
use crate::store::DEMO_USERS;
use crate::time::now_secs;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let args = Args::parse().effective();
    if let Err(e) = args.validate() {
        eprintln!("omni-server: {e}");
        std::process::exit(2);
    }
    if let Err(e) = run(args).await {
        eprintln!("omni-server: {e}");
        std::process::exit(1);
    }
}

/// The configured secret, and whether admin tokens may be honoured.
fn jwt_secret(args: &Args) -> Result<(String, bool), BoxError> {
    if let Some(path) = &args.jwt_secret_file {
        let s = std::fs::read_to_string(path)
            .map_err(|e| format!("--jwt-secret-file {}: {e}", path.display()))?;
        let s = s.trim();
        if s.is_empty() {
            return Err(format!("--jwt-secret-file {} is empty", path.display()).into());
        }
        return Ok((s.to_string(), true));
    }
    if let Some(s) = args.jwt_secret.as_deref().filter(|s| !s.is_empty()) {
        if std::env::args().any(|a| a == "--jwt-secret" || a.starts_with("--jwt-secret=")) {
            eprintln!(
                "WARNING: --jwt-secret on the command line is visible to every local user \
                 (ps, /proc); prefer OMNI_JWT_SECRET or --jwt-secret-file."
            );
        }
        return Ok((s.to_string(), true));
    }
    if args.dev {
        eprintln!(
            "WARNING: --dev without a secret: using the public development secret, admin \
             tokens included. Anyone can forge tokens. Never use this in production."
        );
    } else {
        eprintln!(
            "WARNING: no secret configured (OMNI_JWT_SECRET, --jwt-secret-file); using the \
             public development secret without the admin role (start with --dev to allow it)."
        );
    }
    Ok((DEV_SECRET.to_string(), args.dev))
}

async fn run(args: Args) -> Result<(), BoxError> {
    let (secret, admin_allowed) = jwt_secret(&args)?;
    let jwt = Jwt::new(&secret, admin_allowed);
    if args.print_demo_tokens {
        print_demo_tokens(&jwt, admin_allowed);
    }
    let session_caps = net::Caps::new(
        "Engine.IO session",
        usize::try_from(args.max_sessions).unwrap_or(usize::MAX),
        usize::try_from(args.max_sessions_per_ip).unwrap_or(usize::MAX),
    );
    let wanted = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    let conn_caps = net::Caps::new(
        "connection",
        net::fit_connection_cap(wanted),
        usize::try_from(args.max_connections_per_ip).unwrap_or(usize::MAX),
    );
    let app = AppState::new(jwt, &args, session_caps, conn_caps);
    let builder = configure(SocketIo::builder(), &args).with_state(app.clone());

    match args.redis_url.clone() {
        None => {
            let (layer, io) = builder.build_layer();
            // The local adapter initialises synchronously: nothing to wait for.
            let _ = register(&io, &args);
            serve(args, app, layer, io).await
        }
        Some(url) => serve_with_redis(args, app, builder, &url).await,
    }
}

#[cfg(feature = "redis")]
async fn serve_with_redis(
    args: Args,
    app: Shared,
    builder: SocketIoBuilder,
    url: &str,
) -> Result<(), BoxError> {
    use socketioxide_redis::drivers::redis::redis_client::Client;
    use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};

    // The adapter's driver speaks RESP3 (Redis 7 and later).
    let url = if url.contains("protocol=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    };
    let client = Client::open(url)?;
    let ctr = RedisAdapterCtr::new_with_redis(&client).await?;
    let (layer, io) = builder.with_adapter::<RedisAdapter<_>>(ctr).build_layer();
    // Subscriptions must be in place before the address is printed, so that a
    // client told the server is up never misses a broadcast from another node.
    for init in register(&io, &args) {
        init.await?;
    }
    serve(args, app, layer, io).await
}

#[cfg(not(feature = "redis"))]
async fn serve_with_redis(
    _args: Args,
    _app: Shared,
    _builder: SocketIoBuilder,
    _url: &str,
) -> Result<(), BoxError> {
    Err("--redis-url needs omni-server built with the `redis` feature".into())
}

fn configure(builder: SocketIoBuilder, args: &Args) -> SocketIoBuilder {
    let max = usize::try_from(args.max_payload).unwrap_or(usize::MAX);
    builder
        .ping_interval(Duration::from_millis(args.ping_interval_ms))
        .ping_timeout(Duration::from_millis(args.ping_timeout_ms))
        .max_payload(args.max_payload)
        .ws_max_message_size(max)
        .ws_max_frame_size(max)
        .connect_timeout(Duration::from_millis(args.connect_timeout_ms))
}

/// Registers every namespace; returns the adapter's pending initialisations.
fn register<A: Adapter + DefinedAdapter>(io: &SocketIo<A>, args: &Args) -> Vec<A::InitRes> {
    let mut init = Vec::new();
    if args.conformance {
        init.extend(conformance::register(io));
    }
    init.extend(omni::register(io, !args.conformance));
    init.extend(products::register(io));
    init
}

async fn serve<A: Adapter>(
    args: Args,
    app: Shared,
    layer: SocketIoLayer<A>,
    io: SocketIo<A>,
) -> Result<(), BoxError> {
    omni::spawn_periodic(
        io.clone(),
        app.clone(),
        Duration::from_millis(args.status_interval_ms),
        Duration::from_millis(args.stats_interval_ms),
    );

    let origins = Arc::new(web::Origins::parse(&args.cors_origins)?);
    let session_caps = app.sessions.clone();
    let conn_caps = app.connections.clone();
    net::spawn_memory_trim(session_caps.clone());

    let mut router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(admin_api::router(admin_api::Ctx {
            app,
            io: io.clone(),
        }));
    if let Some(dir) = &args.static_dir {
        let dir = Arc::new(web::StaticDir::new(dir)?);
        router = router
            .fallback(move |req: axum::extract::Request| web::StaticDir::serve(dir.clone(), req));
    }
    // One tower stack around the whole router, never `Router::layer`: axum
    // applies a layer to every route separately, and socketioxide's layer
    // builds a new Engine.IO engine each time it is applied, so a session
    // opened through one route's engine was unknown to the next request's.
    // Outermost first: body timeout, request timeout (a long-polling GET is
    // held at most a ping interval, below it), CORS, the origin check and
    // the session cap before socketioxide sees a handshake.
    let service = tower::ServiceBuilder::new()
        .layer(RequestBodyTimeoutLayer::new(Duration::from_millis(
            args.body_timeout_ms,
        )))
        .map_request(|req: axum::http::Request<_>| req.map(axum::body::Body::new))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_millis(args.request_timeout_ms),
        ))
        .layer(origins.cors_layer())
        .layer(axum::middleware::from_fn_with_state(
            origins.clone(),
            web::check_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            session_caps,
            sessions::limit_sessions,
        ))
        .map_response(|res: axum::http::Response<_>| res.map(axum::body::Body::new))
        .layer(layer)
        .service(router);

    let limits = net::ConnLimits {
        caps: conn_caps,
        header_timeout: Duration::from_millis(args.header_timeout_ms),
    };

    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    let addr = listener.local_addr()?;
    // Tests and scripts read this exact line to find the port.
    println!("omni-server listening on http://{addr}");
    net::serve(
        listener,
        service,
        limits,
        async move {
            shutdown_signal().await;
            // Open WebSockets would hold the shutdown until the drain time: close them first.
            io.close().await;
        },
        Duration::from_secs(5),
    )
    .await;
    Ok(())
}

/// Resolves on Ctrl-C, or SIGTERM (what process managers and containers send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_demo_tokens(jwt: &Jwt, admin_allowed: bool) {
    let exp = now_secs() + 24 * 3600;
    println!("Demo tokens (valid 24 h):");
    for (id, name, role, licenses) in DEMO_USERS {
        if *role == crate::auth::Role::Admin && !admin_allowed {
            // This server would refuse it: printing it would only mislead.
            continue;
        }
        let token = jwt.sign(&Claims {
            sub: (*id).to_string(),
            username: (*name).to_string(),
            role: *role,
            exp,
            licenses: licenses.iter().map(|l| l.to_string()).collect(),
            nbf: None,
        });
        println!("  {id} ({name}, {}): {token}", role.as_str());
    }
}
