//! A small Omni service: connects to the reference server with a token and
//! a license key, joins the license's room (and any others given), prints
//! typed events as they arrive and the heartbeat latency every few
//! seconds.
//!
//! ```sh
//! cargo run -p omni-reference-server -- --print-demo-tokens   # terminal 1
//! cargo run -p omni-socket --example omni_demo -- \
//!     http://127.0.0.1:3001 "$TOKEN" OMNI-PREM-ABCD-1234-EFGH   # terminal 2
//! ```
//!
//! Arguments (or environment): URL (`OMNI_URL`, default
//! `http://127.0.0.1:3001`), token (`OMNI_TOKEN`, optional), license key
//! (`OMNI_LICENSE_KEY`, optional), extra rooms (`OMNI_ROOMS`, comma
//! separated, e.g. `user_12345`). `RUST_LOG=omni_socket=debug` shows
//! the SDK's logs.

use std::time::Duration;

use omni_socket::models::omni::{
    AuthError, Authenticated, HeartbeatResponse, LicenseExpired, LicenseUpdated, MaintenanceMode,
    Notification, QuotaWarning, RateLimited, RoomError, RoomJoined, SystemStatus, UsageUpdate,
};
use omni_socket::{Auth, Client, Credentials, Event, HeartbeatConfig, HeartbeatMode};

fn arg_or_env(index: usize, var: &str) -> Option<String> {
    std::env::args()
        .nth(index)
        .or_else(|| std::env::var(var).ok())
        .filter(|s| !s.is_empty())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("omni_socket=info")),
        )
        .init();

    let url = arg_or_env(1, "OMNI_URL").unwrap_or_else(|| "http://127.0.0.1:3001".into());
    let token = arg_or_env(2, "OMNI_TOKEN");
    let license = arg_or_env(3, "OMNI_LICENSE_KEY");
    let credentials = Credentials {
        token,
        license_key: license.clone(),
        ..Credentials::default()
    };

    let client = Client::builder(&url)
        .auth(Auth::Credentials(credentials))
        .heartbeat(HeartbeatConfig {
            interval: 5_000,
            mode: HeartbeatMode::omni(env!("CARGO_PKG_VERSION"), "native-demo"),
            ..HeartbeatConfig::default()
        })
        .connect_lazy()?;

    // Subscribe before the first event can arrive.
    let mut lifecycle = client.events();
    let mut authenticated = client.subscribe::<Authenticated>();
    let mut auth_errors = client.subscribe::<AuthError>();
    let mut joined = client.subscribe::<RoomJoined>();
    let mut room_errors = client.subscribe::<RoomError>();
    let mut notifications = client.subscribe::<Notification>();
    let mut usage = client.subscribe::<UsageUpdate>();
    let mut quota = client.subscribe::<QuotaWarning>();
    let mut license_updates = client.subscribe::<LicenseUpdated>();
    let mut license_expiries = client.subscribe::<LicenseExpired>();
    let mut status = client.subscribe::<SystemStatus>();
    let mut maintenance = client.subscribe::<MaintenanceMode>();
    let mut limited = client.subscribe::<RateLimited>();
    let mut heartbeats = client.subscribe::<HeartbeatResponse>();

    let mut rooms: Vec<String> = license.iter().map(|k| format!("license_{k}")).collect();
    if let Ok(extra) = std::env::var("OMNI_ROOMS") {
        rooms.extend(
            extra
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
        );
    }
    for room in &rooms {
        let kind = room.split_once('_').map_or("custom", |(k, _)| k);
        client.join_room(room, kind).await?;
    }

    if let Err(e) = client.connect_outcome().await {
        eprintln!("could not connect to {url}: {e}");
        std::process::exit(1);
    }
    println!("connected to {url} as {:?}; rooms {rooms:?}", client.id());

    let mut report = tokio::time::interval(Duration::from_secs(10));
    report.tick().await;
    loop {
        tokio::select! {
            Some(e) = authenticated.next() => println!("authenticated: {e:?}"),
            Some(e) = auth_errors.next() => println!("auth_error: {} ({})", e.message, e.code),
            Some(e) = joined.next() => println!("joined {} ({} members)", e.room, e.members_count),
            Some(e) = room_errors.next() => println!("room {} refused: {} ({})", e.room, e.message, e.code),
            Some(e) = notifications.next() => println!("notification [{}] {}: {}", e.priority, e.title, e.message),
            Some(e) = usage.next() => println!("usage {}: {} calls, {} GB, {} users", e.license_key, e.api_calls, e.storage_used_gb, e.active_users),
            Some(e) = quota.next() => println!("quota warning {}: {} {}/{} ({}%)", e.license_key, e.kind, e.current, e.limit, e.percentage),
            Some(e) = license_updates.next() => println!("license updated {}: {:?}", e.license_key, e.changes),
            Some(e) = license_expiries.next() => println!("license expired {} at {}", e.license_key, e.expired_at),
            Some(e) = status.next() => println!("system status: {} {:?}", e.status, e.services),
            Some(e) = maintenance.next() => println!("maintenance: {} {:?}", e.enabled, e.message),
            Some(e) = limited.next() => println!("rate limited on {}: retry in {} ms", e.event, e.retry_after),
            Some(e) = heartbeats.next() => tracing::debug!(status = %e.status, "heartbeat answered"),
            Some(e) = lifecycle.next() => match e {
                Event::Disconnect { reason, .. } => println!("disconnected: {reason}"),
                Event::Reconnect { attempt } => println!("reconnected after {attempt} attempts"),
                Event::AuthGaveUp { .. } => { println!("the server keeps refusing the credentials"); break; }
                _ => {}
            },
            _ = report.tick() => {
                let l = client.latency();
                println!("latency: last {} ms, p50 {} ms, p95 {} ms, p99 {} ms over {} samples", l.last, l.p50, l.p95, l.p99, l.count);
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    client.disconnect().await?;
    Ok(())
}
