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

    /// HS256 secret for JWTs. Without it a public development secret is used.
    #[arg(long, env = "OMNI_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

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

    /// Allowed CORS origin (repeatable). Without any, every origin is allowed,
    /// as in the seeds; authentication is still required.
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
}
