//! The HTTP side of the server: accepting connections within caps (total and
//! per IP), hyper's header-read and keep-alive timeouts, and a graceful
//! shutdown that waits a bounded time.
//!
//! Every connection holds a [`Permit`] inside its I/O object, so the slot is
//! given back when the socket is closed — also for a connection upgraded to
//! a WebSocket, whose I/O outlives hyper's connection task.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::{Service, ServiceExt};

/// Counts holders of a scarce resource, in total and per IP address.
#[derive(Debug)]
pub struct Caps {
    what: &'static str,
    total: usize,
    per_ip: usize,
    state: Mutex<CapState>,
}

#[derive(Debug, Default)]
struct CapState {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// Why [`Caps::try_acquire`] said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The server-wide cap is reached.
    Total,
    /// This address holds its share.
    PerIp,
}

impl Caps {
    /// A counter named `what` (for logs) allowing `total` holders, `per_ip` per address.
    pub fn new(what: &'static str, total: usize, per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            what,
            total,
            per_ip,
            state: Mutex::default(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CapState> {
        // The counters are updated in one step each: a poisoned lock holds consistent numbers.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one slot for `ip`, given back when the permit is dropped.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Result<Permit, Full> {
        let mut st = self.lock();
        if st.total >= self.total {
            return Err(Full::Total);
        }
        let n = st.by_ip.entry(ip).or_insert(0);
        if *n >= self.per_ip {
            return Err(Full::PerIp);
        }
        *n += 1;
        st.total += 1;
        Ok(Permit {
            caps: self.clone(),
            ip,
        })
    }

    /// Holders right now.
    pub fn in_use(&self) -> usize {
        self.lock().total
    }

    /// The counter's name, for logs.
    pub fn what(&self) -> &'static str {
        self.what
    }
}

/// One slot of a [`Caps`]; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    caps: Arc<Caps>,
    ip: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut st = self.caps.lock();
        st.total = st.total.saturating_sub(1);
        if let Some(n) = st.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                // Addresses without connections are forgotten, so the map stays bounded.
                st.by_ip.remove(&self.ip);
            }
        }
    }
}

/// A TCP stream that holds its connection's permit until it is dropped.
struct Counted {
    io: TcpStream,
    _permit: Permit,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// Connection-level limits.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// Open connections, total and per IP.
    pub caps: Arc<Caps>,
    /// Time to send a request head; also the idle keep-alive time.
    pub header_timeout: Duration,
}

/// Serves `service` on `listener` until `shutdown` resolves, then lets open
/// requests finish for at most `drain`.
pub async fn serve<S, F>(
    listener: TcpListener,
    service: S,
    limits: ConnLimits,
    shutdown: F,
    drain: Duration,
) where
    S: Service<Request<Incoming>, Response = axum::response::Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    F: std::future::Future<Output = ()>,
{
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut refused: u64 = 0;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: back off briefly instead of spinning;
                    // connections already open keep being served.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let permit = match limits.caps.try_acquire(peer.ip()) {
            Ok(p) => p,
            Err(full) => {
                // Closed at once: holding a refused socket open would spend
                // the descriptor the cap is there to save.
                refused += 1;
                if refused.is_power_of_two() {
                    tracing::warn!(
                        "refused a connection from {peer}: {} cap reached ({full:?}); {refused} refused so far",
                        limits.caps.what()
                    );
                }
                drop(stream);
                continue;
            }
        };
        let io = TokioIo::new(Counted {
            io: stream,
            _permit: permit,
        });
        let svc = service
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let header_timeout = limits.header_timeout;
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true);
            let conn = builder
                .serve_connection(io, TowerToHyperService::new(svc))
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stop.changed() => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
            drop(stop);
        });
    }
    drop(listener);
    let _ = stop_tx.send(());
    drop(stop_rx);
    // Every connection task holds a receiver: all gone means all finished.
    let _ = tokio::time::timeout(drain, stop_tx.closed()).await;
}

/// The peer address hyper's connection saw, put on every request by [`serve`].
pub fn peer_ip<B>(req: &Request<B>) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Raises the soft limit on open files to the hard limit and returns the
/// connection cap that fits in it, keeping room for files and listeners.
pub fn fit_connection_cap(wanted: usize) -> usize {
    const RESERVED: u64 = 64;
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            let fits = usize::try_from(limit.saturating_sub(RESERVED)).unwrap_or(usize::MAX);
            if fits < wanted {
                eprintln!(
                    "omni-server: the open-file limit is {limit}; at most {fits} connections instead of {wanted}"
                );
            }
            wanted.min(fits.max(1))
        }
        Err(_) => wanted,
    }
}

/// Gives the memory of ended sessions back to the system. glibc's malloc
/// keeps freed pages of its arenas resident (the tokio worker threads each
/// have one): after a flood of 2,000 sessions had expired, the server kept
/// 40 MB it no longer used. Once the sessions held have halved since the
/// last trim, `malloc_trim` returns those pages.
pub fn spawn_memory_trim(sessions: Arc<Caps>) {
    tokio::spawn(async move {
        let mut high = 0usize;
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let now = sessions.in_use();
            high = high.max(now);
            if high >= 100 && now <= high / 2 {
                trim();
                high = now;
            }
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim takes no pointers; it only walks glibc's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_total_and_per_ip_and_free_on_drop() {
        let caps = Caps::new("test", 3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let p1 = caps.try_acquire(a).unwrap();
        let _p2 = caps.try_acquire(a).unwrap();
        assert_eq!(caps.try_acquire(a).unwrap_err(), Full::PerIp);
        let _p3 = caps.try_acquire(b).unwrap();
        assert_eq!(caps.try_acquire(b).unwrap_err(), Full::Total);
        drop(p1);
        assert_eq!(caps.in_use(), 2);
        let _p4 = caps.try_acquire(a).unwrap();
        assert_eq!(caps.in_use(), 3);
    }

    #[test]
    fn addresses_without_holders_are_forgotten() {
        let caps = Caps::new("test", 10, 10);
        for i in 0..5u8 {
            drop(caps.try_acquire(IpAddr::from([10, 0, 0, i])).unwrap());
        }
        assert!(caps.lock().by_ip.is_empty());
    }
}
