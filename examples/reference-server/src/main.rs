//! `omni-server`: the reference Socket.IO server for every omni-socket seed product.
//!
//! Omni (seed 000) runs on `/` with `/admin` and `/analytics`; deployments (001),
//! DOA (002), FAMA (003) and the marketplace (004) each have their own namespace.
//! An HTTP admin API under `/admin/api` triggers server-side events.

mod admin_api;
mod auth;
mod config;
mod conformance;
mod omni;
mod products;
mod rate;
mod state;
mod store;
mod time;

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use clap::Parser;
use socketioxide::SocketIo;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::services::ServeDir;

use crate::auth::{Claims, Jwt};
use crate::config::{Args, DEV_SECRET};
use crate::state::AppState;
use crate::store::DEMO_USERS;
use crate::time::now_secs;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let args = Args::parse().effective();
    if let Err(e) = run(args).await {
        eprintln!("omni-server: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let secret = match args.jwt_secret.as_deref() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            eprintln!(
                "WARNING: no --jwt-secret / OMNI_JWT_SECRET given; using the public development \
                 secret. Anyone can forge tokens. Never use this in production."
            );
            DEV_SECRET.to_string()
        }
    };
    let jwt = Jwt::new(&secret);
    if args.print_demo_tokens {
        print_demo_tokens(&jwt);
    }
    let app = AppState::new(jwt);

    let (layer, io) = SocketIo::builder()
        .ping_interval(Duration::from_millis(args.ping_interval_ms))
        .ping_timeout(Duration::from_millis(args.ping_timeout_ms))
        .max_payload(args.max_payload)
        .ws_max_message_size(usize::try_from(args.max_payload).unwrap_or(usize::MAX))
        .ws_max_frame_size(usize::try_from(args.max_payload).unwrap_or(usize::MAX))
        .connect_timeout(Duration::from_millis(args.connect_timeout_ms))
        .with_state(app.clone())
        .build_layer();

    if args.conformance {
        conformance::register(&io);
    }
    omni::register(&io, !args.conformance);
    products::register(&io);
    omni::spawn_periodic(
        io.clone(),
        app.clone(),
        Duration::from_millis(args.status_interval_ms),
        Duration::from_millis(args.stats_interval_ms),
    );

    let cors = if args.cors_origins.is_empty() {
        CorsLayer::new()
            .allow_origin(Any)
            .allow_headers(Any)
            .allow_methods(Any)
    } else {
        let origins = args
            .cors_origins
            .iter()
            .map(|o| o.parse())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("invalid --cors-origin: {e}"))?;
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_headers(Any)
            .allow_methods(Any)
    };

    let mut router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(admin_api::router(admin_api::Ctx {
            app: app.clone(),
            io: io.clone(),
        }));
    if let Some(dir) = &args.static_dir {
        router = router.fallback_service(ServeDir::new(dir));
    }
    let router = router.layer(layer).layer(cors);

    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    let addr = listener.local_addr()?;
    // Tests and scripts read this exact line to find the port.
    println!("omni-server listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn print_demo_tokens(jwt: &Jwt) {
    let exp = now_secs() + 24 * 3600;
    println!("Demo tokens (valid 24 h):");
    for (id, name, role, licenses) in DEMO_USERS {
        let token = jwt.sign(&Claims {
            sub: (*id).to_string(),
            username: (*name).to_string(),
            role: *role,
            exp,
            licenses: licenses.iter().map(|l| l.to_string()).collect(),
        });
        println!("  {id} ({name}, {}): {token}", role.as_str());
    }
}
