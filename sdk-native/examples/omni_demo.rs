//! A small Omni service: connects to the reference server with a token and
//! a license key, joins the license's room and the user's, checks the
//! license, sends a binary round trip, follows `/analytics`, and prints
//! every event of seed 000 in plain words as it arrives, with the
//! heartbeat latency every ten seconds. Given an admin token too, it also
//! watches as an admin (`admin_dashboard` and `/admin`: every license's
//! lifecycle, user logins and logouts).
//!
//! ```sh
//! cargo run -p omni-reference-server -- --dev --print-demo-tokens    # terminal 1
//! cargo run -p omni-socket --example omni_demo -- \
//!     http://127.0.0.1:3001 "$TOKEN" OMNI-PREM-ABCD-1234-EFGH     # terminal 2
//! ```
//!
//! Arguments (or environment): URL (`OMNI_URL`, default
//! `http://127.0.0.1:3001`), token (`OMNI_TOKEN`, optional), license key
//! (`OMNI_LICENSE_KEY`, optional), extra rooms (`OMNI_ROOMS`, comma
//! separated, e.g. `user_12345`), an admin token (`OMNI_ADMIN_TOKEN`,
//! optional). Logs go to stderr (`RUST_LOG=omni_socket=debug`), in colour
//! only on a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use bytes::Bytes;
use omni_socket::models::omni::OmniServerEvent;
use omni_socket::products::omni::Omni;
use omni_socket::{Client, Credentials, Event, Socket};

fn arg_or_env(index: usize, var: &str) -> Option<String> {
    std::env::args()
        .nth(index)
        .or_else(|| std::env::var(var).ok())
        .filter(|s| !s.is_empty())
}

/// One line in plain words for each event of seed 000 (`None` for the
/// heartbeat answers, summed up as the latency line instead, and for the
/// binary answer, printed with its round trip).
fn describe(e: &OmniServerEvent) -> Option<String> {
    use OmniServerEvent as E;
    Some(match e {
        E::Authenticated(a) => {
            let who = match (&a.user_id, &a.license_key) {
                (Some(u), Some(k)) => format!("{u} with license {k}"),
                (Some(u), None) => u.clone(),
                (None, Some(k)) => format!("license {k} (no user)"),
                (None, None) => "nobody".into(),
            };
            let permissions = a.permissions.clone().unwrap_or_default().join(", ");
            let until = a.expires_at.as_deref().unwrap_or("no expiry given");
            format!("authenticated as {who}; may {permissions}; until {until}")
        }
        E::AuthError(a) => format!("authentication error: {} ({})", a.message, a.code),
        E::HeartbeatResponse(_) => return None,
        E::RoomJoined(r) => {
            let members = if r.members_count == 1 {
                "member"
            } else {
                "members"
            };
            format!(
                "joined {} ({} room, {} {members})",
                r.room, r.kind, r.members_count
            )
        }
        E::RoomLeft(r) => format!("left {}", r.room),
        E::RoomError(r) => format!("room {} refused: {} ({})", r.room, r.message, r.code),
        E::LicenseCreated(l) => format!(
            "license created: {} for {}, {} plan, {}",
            l.license_key, l.client_id, l.plan, l.status
        ),
        E::LicenseUpdated(l) => match (&l.changes.status, &l.changes.updated_at) {
            (Some(s), _) => format!(
                "license updated: {} is now {} (was {})",
                l.license_key, s.new, s.old
            ),
            (None, Some(at)) => format!("license updated: {} at {at}", l.license_key),
            (None, None) => format!("license updated: {}", l.license_key),
        },
        E::LicenseExpired(l) => format!(
            "license expired: {} at {}, {} days of grace",
            l.license_key, l.expired_at, l.grace_period_days
        ),
        E::LicenseRenewed(l) => format!(
            "license renewed: {} until {} (was {})",
            l.license_key, l.new_expires_at, l.old_expires_at
        ),
        E::LicenseDeleted(l) => format!(
            "license deleted: {} at {} ({})",
            l.license_key, l.deleted_at, l.reason
        ),
        E::LicenseCheckResult(c) => format!(
            "license check: {} is {}, status {}{}",
            c.license_key,
            if c.valid { "valid" } else { "not valid" },
            c.status,
            c.days_remaining
                .map(|d| format!(", {d} days left"))
                .unwrap_or_default()
        ),
        E::UserLogin(u) => format!(
            "user login: {} ({}) from {} at {}",
            u.username, u.user_id, u.ip_address, u.login_at
        ),
        E::UserLogout(u) => format!("user logout: {} after {} s", u.user_id, u.session_duration),
        E::Notification(n) => format!("notification [{}] {}: {}", n.priority, n.title, n.message),
        E::SystemStatus(s) => {
            let services = s
                .services
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "system status: {}; {services}; cpu {}%, memory {}%, {} connections",
                s.status, s.load.cpu, s.load.memory, s.load.connections
            )
        }
        E::MaintenanceMode(m) if m.enabled => format!(
            "maintenance: on{}{}",
            m.message
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default(),
            m.estimated_duration
                .map(|s| format!(", about {} min", s.div_ceil(60)))
                .unwrap_or_default()
        ),
        E::MaintenanceMode(_) => "maintenance: off".into(),
        E::UsageUpdate(u) => format!(
            "usage of {}: {} API calls, {} GB stored, {} active users",
            u.license_key, u.api_calls, u.storage_used_gb, u.active_users
        ),
        E::QuotaWarning(q) => format!(
            "quota warning for {}: {} ({} of {} {}, {}%)",
            q.license_key, q.message, q.current, q.limit, q.kind, q.percentage
        ),
        E::Error(e) => format!(
            "server error: {} ({}){}",
            e.message,
            e.code,
            e.retry_after
                .map(|s| format!(", retry in {s} s"))
                .unwrap_or_default()
        ),
        E::RateLimited(r) => format!(
            "rate limited: {} over {} per {} s, paused for {} s",
            r.event, r.limit, r.window, r.retry_after
        ),
        // The round trip is printed where it is made.
        E::BinaryResponse(_) => return None,
        E::RealTimeStats(s) => format!(
            "analytics: {} connections, {} events handled",
            s.0["connections"], s.0["events_total"]
        ),
        other => format!("event {}", other.name()),
    })
}

/// The connection's own news in plain words.
fn describe_lifecycle(e: &Event) -> Option<String> {
    Some(match e {
        Event::Disconnect { nsp, reason } if nsp == "/" => format!("disconnected: {reason}"),
        Event::ReconnectAttempt { attempt, delay } => {
            format!("reconnecting: attempt {attempt} in {delay} ms")
        }
        Event::Reconnect { attempt } => format!("reconnected after {attempt} attempts"),
        Event::ConnectError { nsp, message, .. } => format!("could not connect {nsp}: {message}"),
        Event::AuthGaveUp { failures } => {
            format!("the server refused the credentials {failures} times; giving up")
        }
        _ => return None,
    })
}

async fn connect_admin(url: &str, token: String) -> Option<(Client, Omni)> {
    let client = Omni::builder(url, Credentials::token(token)).build().ok()?;
    let omni = Omni::new(Socket::clone(&client));
    client.reconnect().ok()?;
    client.connect_outcome().await.ok()?;
    Some((client, omni))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("omni_socket=warn")),
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

    // Built unconnected: every stream below exists before the first event.
    let client = Omni::builder(&url, credentials)
        .heartbeat(omni_socket::HeartbeatConfig {
            interval: 5_000,
            mode: omni_socket::HeartbeatMode::omni(env!("CARGO_PKG_VERSION"), "native-demo"),
            ..omni_socket::HeartbeatConfig::default()
        })
        .build()?;
    let omni = Omni::new(Socket::clone(&client));
    let mut lifecycle = client.events();
    let mut events = omni.events();
    let analytics = omni.analytics();
    let mut stats = analytics.stats();
    client.reconnect()?;
    if let Err(e) = client.connect_outcome().await {
        eprintln!("could not connect to {url}: {e}");
        std::process::exit(1);
    }
    let id = client.id().unwrap_or_else(|| "?".into());
    println!("connected to {url} as socket {id}");

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
        // Refusals print as `room … refused` from the server's room_error.
        let _ = omni.join_room(room).await;
    }
    if let Some(key) = &license {
        match omni.license_check(key).await {
            Ok(_) => {} // printed from the event stream
            Err(e) => println!("license check of {key} failed: {e}"),
        }
    }
    let blob = Bytes::from((0..=255u8).cycle().take(1024).collect::<Vec<_>>());
    match omni.send_binary(blob.clone()).await {
        Ok(back) if back == blob => println!("binary round trip: {} bytes back intact", back.len()),
        Ok(back) => println!("binary round trip: {} bytes back, different", back.len()),
        Err(e) => println!("binary round trip failed: {e}"),
    }

    // As an admin: every license's lifecycle and the users' logins.
    let admin = match std::env::var("OMNI_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(t) => connect_admin(&url, t).await,
        None => None,
    };
    let (mut admin_events, mut logins, mut logouts) = match &admin {
        Some((_, a)) => {
            let ev = a.events();
            let _ = a.join_admin_dashboard().await;
            let ns = a.admin();
            (Some(ev), Some(ns.logins()), Some(ns.logouts()))
        }
        None => (None, None, None),
    };

    let mut last_stats: (Option<u64>, std::time::Instant) = (None, std::time::Instant::now());
    let mut report = tokio::time::interval(Duration::from_secs(10));
    report.tick().await;
    loop {
        tokio::select! {
            Some(e) = events.next() => {
                if let Some(line) = describe(&e) {
                    println!("{line}");
                }
            }
            Some(s) = stats.next() => {
                // Every 5 s from the server: printed when the number of
                // connections changes, else twice a minute.
                let connections = s.0["connections"].as_u64();
                if connections != last_stats.0 || last_stats.1.elapsed() >= Duration::from_secs(30) {
                    last_stats = (connections, std::time::Instant::now());
                    if let Some(line) = describe(&OmniServerEvent::RealTimeStats(s)) {
                        println!("{line}");
                    }
                }
            }
            Some(e) = async { admin_events.as_mut()?.next().await } => {
                // License lifecycle on admin_dashboard (its own licenses'
                // events are printed above already).
                let own = license.as_deref().is_some_and(|k| {
                    matches!(&e, OmniServerEvent::LicenseUpdated(l) if l.license_key == k)
                        || matches!(&e, OmniServerEvent::LicenseRenewed(l) if l.license_key == k)
                });
                let admin_only = matches!(
                    e,
                    OmniServerEvent::LicenseCreated(_)
                        | OmniServerEvent::LicenseUpdated(_)
                        | OmniServerEvent::LicenseExpired(_)
                        | OmniServerEvent::LicenseRenewed(_)
                        | OmniServerEvent::LicenseDeleted(_)
                );
                if admin_only && !own {
                    if let Some(line) = describe(&e) {
                        println!("{line}");
                    }
                }
            }
            Some(l) = async { logins.as_mut()?.next().await } => {
                println!("{}", describe(&OmniServerEvent::UserLogin(l)).unwrap_or_default());
            }
            Some(l) = async { logouts.as_mut()?.next().await } => {
                println!("{}", describe(&OmniServerEvent::UserLogout(l)).unwrap_or_default());
            }
            Some(e) = lifecycle.next() => {
                if let Some(line) = describe_lifecycle(&e) {
                    println!("{line}");
                }
                if matches!(e, Event::AuthGaveUp { .. }) {
                    break;
                }
            }
            _ = report.tick() => {
                let l = omni.latency();
                if l.count == 0 {
                    println!("latency: no heartbeat answered yet");
                } else {
                    println!(
                        "latency: last {} ms, median {} ms, p95 {} ms, p99 {} ms over {} heartbeats",
                        l.last, l.p50, l.p95, l.p99, l.count
                    );
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    client.disconnect().await?;
    if let Some((admin, _)) = admin {
        admin.disconnect().await?;
    }
    Ok(())
}
