//! `omni-bench`: the benchmark suite behind `scripts/bench.sh`.
//!
//! One binary with three roles: `server` (the load server), `client` (one
//! Rust client measuring one thing, printing one JSON line) and `run` (the
//! runner: starts the server, runs every client as its own process,
//! side by side, and writes the table and `results.json`).

mod clients;
mod runner;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "omni-socket benchmarks against its peers")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The load server (prints `listening PORT`).
    Server {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Serve `wss://` with a new self-signed certificate, written
        /// (DER) to this path.
        #[arg(long)]
        tls_cert: Option<PathBuf>,
    },
    /// One measurement by one Rust client.
    Client {
        #[arg(value_enum)]
        kind: clients::Kind,
        #[command(subcommand)]
        what: What,
        #[arg(long, global = true, default_value = "http://127.0.0.1:3000")]
        url: String,
        /// The tokio runtime the client runs on. The runner uses `current`
        /// (one thread) for every Rust client's one-connection figures,
        /// where it is each one's fastest, and `multi` for many connections.
        #[arg(long, global = true, value_enum, default_value_t = Runtime::Multi)]
        runtime: Runtime,
        /// The certificate (DER) to trust for an `https://` URL: the one
        /// `server --tls-cert` wrote.
        #[arg(long, global = true)]
        ca: Option<PathBuf>,
    },
    /// Every benchmark; the table and results.json.
    Run(runner::Options),
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Runtime {
    Current,
    Multi,
}

#[derive(Subcommand)]
enum What {
    /// Receive throughput of one connection.
    Recv {
        #[arg(long, default_value = "small")]
        payload: String,
        #[arg(long, default_value_t = 10_000)]
        count: u64,
    },
    /// Emit-with-ack round trips.
    Ack {
        #[arg(long, default_value_t = 1000)]
        n: usize,
    },
    /// Memory per idle connection.
    Idle {
        #[arg(long, default_value_t = 1000)]
        n: usize,
    },
    /// Reconnect storm (omni only).
    Storm {
        #[arg(long, default_value_t = 1000)]
        n: usize,
        #[arg(long, default_value_t = 10)]
        rooms: usize,
        #[arg(long, default_value_t = 30)]
        limit_secs: u64,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let current = matches!(
        cli.cmd,
        Cmd::Client {
            runtime: Runtime::Current,
            ..
        }
    );
    let rt = if current {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    };
    let result: Result<(), Box<dyn std::error::Error + Send + Sync>> = rt.block_on(async {
        match cli.cmd {
            Cmd::Server { port, tls_cert } => server::run(port, tls_cert.as_deref())
                .await
                .map_err(|e| e.to_string().into()),
            Cmd::Client {
                kind,
                what,
                url,
                ca,
                ..
            } => {
                if let Some(ca) = ca {
                    clients::trust(&ca)?;
                }
                let out = match what {
                    What::Recv { payload, count } => {
                        clients::recv(kind, &url, &payload, count).await?
                    }
                    What::Ack { n } => clients::ack(kind, &url, n).await?,
                    What::Idle { n } => clients::idle(kind, &url, n).await?,
                    What::Storm {
                        n,
                        rooms,
                        limit_secs,
                    } => clients::storm(&url, n, rooms, Duration::from_secs(limit_secs)).await?,
                };
                println!("{out}");
                Ok(())
            }
            Cmd::Run(opts) => runner::run(opts).await,
        }
    });
    // Client processes exit at once: lingering connection tasks are not
    // part of any measurement.
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("omni-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Where the Node peers live (`tests/bench/node`).
fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node")
}
