//! A fault-injecting TCP proxy for reliability tests.
//!
//! It sits between a client and a server on loopback and does to the bytes
//! what a bad network does: it can **cut** every connection, **refuse** new
//! ones, **freeze** them (no byte moves but both sockets stay open: a
//! half-open link that only a heartbeat can detect), add one-way **delay**,
//! and **throttle** to a byte rate. Faults can be switched at any time and
//! apply to live connections.
//!
//! ```no_run
//! # async fn demo(server: std::net::SocketAddr) -> std::io::Result<()> {
//! let proxy = omni_fault_proxy::FaultProxy::start(server).await?;
//! let url = format!("http://{}", proxy.addr()); // point the client here
//! proxy.freeze(); // the link goes silent, sockets stay open
//! proxy.thaw();
//! proxy.cut(); // every connection is closed at once
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Size of one read; also the unit in which delay and throttle apply.
const CHUNK: usize = 16 * 1024;
/// Chunks in flight per direction while delayed: bounds the proxy's memory.
const IN_FLIGHT: usize = 256;

/// The faults in force. Every field applies to live connections at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// No bytes move in either direction; sockets stay open.
    pub frozen: bool,
    /// New connections are accepted and closed at once (as a server that
    /// is down but whose port still answers would look to a client).
    pub refuse: bool,
    /// One-way latency added to every chunk, in each direction.
    pub delay: Duration,
    /// Bytes per second in each direction; `None` is unlimited.
    pub throttle: Option<u64>,
    /// Bumped by [`FaultProxy::cut`]: connections from an older generation
    /// close.
    generation: u64,
}

/// Byte and connection counters.
#[derive(Debug, Default)]
struct Stats {
    accepted: AtomicUsize,
    active: AtomicUsize,
    to_server: AtomicU64,
    to_client: AtomicU64,
}

/// A running proxy. Dropping it stops the listener and closes every
/// connection.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    faults: watch::Sender<Faults>,
    upstream: watch::Sender<SocketAddr>,
    stats: Arc<Stats>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on `127.0.0.1` on a free port and forwards to `upstream`.
    ///
    /// # Errors
    /// When the listening socket cannot be bound.
    pub async fn start(upstream: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (faults, faults_rx) = watch::channel(Faults::default());
        let (upstream_tx, upstream_rx) = watch::channel(upstream);
        let stats = Arc::new(Stats::default());
        let task = tokio::spawn(accept_loop(
            listener,
            faults_rx,
            upstream_rx,
            Arc::clone(&stats),
        ));
        Ok(Self {
            addr,
            faults,
            upstream: upstream_tx,
            stats,
            task,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends new connections to another server (e.g. a restarted one on a
    /// new port). Live connections stay where they are.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        self.upstream.send_replace(upstream);
    }

    /// Closes every live connection, both sides, at once.
    pub fn cut(&self) {
        self.faults.send_modify(|f| f.generation += 1);
    }

    /// Stops all traffic without closing anything: a half-open link.
    pub fn freeze(&self) {
        self.faults.send_modify(|f| f.frozen = true);
    }

    /// Lets traffic flow again after [`freeze`](Self::freeze); what was held
    /// back is delivered.
    pub fn thaw(&self) {
        self.faults.send_modify(|f| f.frozen = false);
    }

    /// Accepts and closes new connections at once while `on`.
    pub fn refuse(&self, on: bool) {
        self.faults.send_modify(|f| f.refuse = on);
    }

    /// Adds `delay` of one-way latency in each direction.
    pub fn set_delay(&self, delay: Duration) {
        self.faults.send_modify(|f| f.delay = delay);
    }

    /// Limits each direction to `bytes_per_sec` (`None`: unlimited).
    pub fn set_throttle(&self, bytes_per_sec: Option<u64>) {
        self.faults
            .send_modify(|f| f.throttle = bytes_per_sec.filter(|&b| b > 0));
    }

    /// Removes every fault (live connections stay open).
    pub fn heal(&self) {
        self.faults.send_modify(|f| {
            let generation = f.generation;
            *f = Faults {
                generation,
                ..Faults::default()
            };
        });
    }

    /// The faults in force now.
    pub fn faults(&self) -> Faults {
        self.faults.borrow().clone()
    }

    /// Connections open now (each client connection counts once).
    pub fn active_connections(&self) -> usize {
        self.stats.active.load(Ordering::Relaxed)
    }

    /// Connections accepted since the start, refused ones included.
    pub fn accepted_connections(&self) -> usize {
        self.stats.accepted.load(Ordering::Relaxed)
    }

    /// Bytes forwarded so far: (client → server, server → client).
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.stats.to_server.load(Ordering::Relaxed),
            self.stats.to_client.load(Ordering::Relaxed),
        )
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    faults: watch::Receiver<Faults>,
    upstream: watch::Receiver<SocketAddr>,
    stats: Arc<Stats>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            // Out of file descriptors and the like: back off briefly
            // rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        stats.accepted.fetch_add(1, Ordering::Relaxed);
        if faults.borrow().refuse {
            drop(client);
            continue;
        }
        let target = *upstream.borrow();
        tokio::spawn(connection(
            client,
            target,
            faults.clone(),
            Arc::clone(&stats),
        ));
    }
}

async fn connection(
    client: TcpStream,
    target: SocketAddr,
    mut faults: watch::Receiver<Faults>,
    stats: Arc<Stats>,
) {
    let generation = faults.borrow().generation;
    let Ok(server) = TcpStream::connect(target).await else {
        // The server is down: the client sees its connection close, as it
        // would see a refused connection.
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    stats.active.fetch_add(1, Ordering::Relaxed);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pipe(
        client_read,
        server_write,
        faults.clone(),
        Arc::clone(&stats),
        true,
    );
    let down = pipe(
        server_read,
        client_write,
        faults.clone(),
        Arc::clone(&stats),
        false,
    );
    let cut = async {
        while faults.changed().await.is_ok() {
            if faults.borrow().generation != generation {
                return;
            }
        }
    };
    // The first of: both directions finished, or a cut. Dropping the pipes
    // drops all four halves, which closes both sockets.
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {}
        () = cut => {}
    }
    stats.active.fetch_sub(1, Ordering::Relaxed);
}

/// Moves bytes one way: a reader task stamps each chunk with its arrival
/// time, a writer releases it after the delay, within the throttle, and
/// never while frozen.
async fn pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    faults: watch::Receiver<Faults>,
    stats: Arc<Stats>,
    to_server: bool,
) {
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(IN_FLIGHT);
    let mut read_faults = faults.clone();
    let reader = async move {
        let mut buf = vec![0u8; CHUNK];
        loop {
            // A frozen link reads nothing, so the sender's TCP window fills
            // as it would on a dead path.
            if wait_thawed(&mut read_faults).await.is_err() {
                return;
            }
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx.send((Instant::now(), buf[..n].to_vec())).await.is_err() {
                        return;
                    }
                }
            }
        }
    };
    let mut write_faults = faults;
    let writer = async move {
        while let Some((arrived, chunk)) = rx.recv().await {
            let delay = write_faults.borrow().delay;
            tokio::time::sleep_until(arrived + delay).await;
            if wait_thawed(&mut write_faults).await.is_err() {
                return;
            }
            let throttle = write_faults.borrow().throttle;
            if let Some(rate) = throttle {
                // Nanosecond precision so small chunks are throttled too.
                let nanos = (chunk.len() as u128) * 1_000_000_000 / u128::from(rate);
                tokio::time::sleep(Duration::from_nanos(
                    u64::try_from(nanos).unwrap_or(u64::MAX),
                ))
                .await;
            }
            if to.write_all(&chunk).await.is_err() {
                return;
            }
            let counter = if to_server {
                &stats.to_server
            } else {
                &stats.to_client
            };
            counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        // The reader saw end of stream: pass the half-close on.
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// Waits while the link is frozen. `Err` when the proxy is gone.
async fn wait_thawed(faults: &mut watch::Receiver<Faults>) -> Result<(), ()> {
    faults.wait_for(|f| !f.frozen).await.map(drop).map_err(drop)
}
