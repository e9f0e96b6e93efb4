//! Command-line options.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Secret used when none is configured. Anyone can forge tokens with it.
pub const DEV_SECRET: &str = "omni-development-secret-do-not-use-in-production";

/// Reference Socket.IO server for the omni-socket seed products.
#[derive(Debug, Clone, Parser)]
#[command(name = "omni-server", version, about)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:3001")]
    pub bind: SocketAddr,

    /// HS256 secret for JWTs. Prefer `OMNI_JWT_SECRET` or `--jwt-secret-file`:
    /// a command-line argument is visible to every local user in `ps`.
    #[arg(long, env = "OMNI_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Read the HS256 secret from this file (surrounding whitespace is
    /// ignored); takes precedence over `--jwt-secret` / `OMNI_JWT_SECRET`.
    #[arg(long, env = "OMNI_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// Development mode: without a configured secret, use the public
    /// development secret with every role. Without `--dev` (and without a
    /// secret) tokens signed with it are accepted, but never as `admin`.
    #[arg(long, env = "OMNI_DEV")]
    pub dev: bool,

    /// Print a ready-to-use token for every demo user, then keep serving.
    #[arg(long)]
    pub print_demo_tokens: bool,

    /// Engine.IO ping interval in milliseconds.
    #[arg(long, default_value_t = 25_000, value_parser = clap::value_parser!(u64).range(50..=600_000))]
    pub ping_interval_ms: u64,

    /// Engine.IO ping timeout in milliseconds.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(50..=600_000))]
    pub ping_timeout_ms: u64,

    /// Largest accepted Engine.IO payload (and WebSocket message) in bytes.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1024..=100_000_000))]
    pub max_payload: u64,

    /// Time a client has to connect to a namespace after the handshake, in milliseconds.
    #[arg(long, default_value_t = 45_000, value_parser = clap::value_parser!(u64).range(50..=600_000))]
    pub connect_timeout_ms: u64,

    /// Browser origin allowed to call the server across origins (repeatable),
    /// e.g. `http://localhost:5173`. Pages served by this server (same
    /// origin) need none. `*` allows every origin on the Socket.IO endpoint
    /// only, never on the admin API.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,

    /// Period of the `system_status` broadcast on `/`, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(50..=3_600_000))]
    pub status_interval_ms: u64,

    /// Period of the `real_time_stats` broadcast on `/analytics`, in milliseconds.
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(50..=3_600_000))]
    pub stats_interval_ms: u64,

    /// Serve the files of this directory (the browser demo) on the same port.
    #[arg(long)]
    pub static_dir: Option<PathBuf>,

    /// Share rooms and broadcasts with other omni-server processes through
    /// this Redis 7+ server, e.g. `redis://127.0.0.1:6379` (needs the `redis` feature).
    #[arg(long, env = "OMNI_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Longest time a client may take to send a request's headers; also how
    /// long an idle keep-alive connection (or one that sends nothing) stays open.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub header_timeout_ms: u64,

    /// Longest pause allowed while a request body arrives.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub body_timeout_ms: u64,

    /// Longest time one HTTP request may take, body included (long-polling
    /// GETs included: it must exceed the ping interval).
    #[arg(long, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1000..=3_600_000))]
    pub request_timeout_ms: u64,

    /// Most open TCP connections (WebSockets included); lowered to what the
    /// process's file-descriptor limit allows.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Most open TCP connections from one IP address.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections_per_ip: u64,

    /// Most Engine.IO sessions (long-polling and WebSocket, connected to a
    /// namespace or not).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_sessions: u64,

    /// Most Engine.IO sessions opened from one IP address.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_sessions_per_ip: u64,

    /// Most sockets one user (token subject) may have open at once, over
    /// every namespace.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_sockets_per_user: u64,

    /// Turn the per-user event rate limits off (`off`), e.g. for a soak test
    /// that reconnects as fast as it can. Default `on`.
    #[arg(long, default_value = "on", value_parser = ["on", "off"])]
    pub rate_limits: String,

    /// Most notifications kept for `notification_read`; past it the oldest
    /// are forgotten (they can no longer be marked read).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub max_notifications: u64,

    /// Profile of the official Socket.IO protocol test suite: pingInterval 300 ms,
    /// pingTimeout 200 ms, maxPayload 1e6, connectTimeout 1000 ms, and echo
    /// handlers on `/` and `/custom` instead of Omni.
    #[arg(long)]
    pub conformance: bool,
}

impl Args {
    /// Applies the `--conformance` profile over the individual settings.
    pub fn effective(mut self) -> Self {
        if self.conformance {
            self.ping_interval_ms = 300;
            self.ping_timeout_ms = 200;
            self.max_payload = 1_000_000;
            self.connect_timeout_ms = 1000;
        }
        self
    }

    /// Checks settings that depend on each other.
    pub fn validate(&self) -> Result<(), String> {
        // A long-polling GET is held until the next ping: a request timeout
        // below the ping interval would cut every idle long-poll.
        if self.request_timeout_ms <= self.ping_interval_ms + 1000 {
            return Err(format!(
                "--request-timeout-ms ({}) must exceed --ping-interval-ms ({}) by more than 1000",
                self.request_timeout_ms, self.ping_interval_ms
            ));
        }
        Ok(())
    }

    /// Whether the per-user event rate limits apply.
    pub fn rate_limits_on(&self) -> bool {
        self.rate_limits != "off"
    }
}
