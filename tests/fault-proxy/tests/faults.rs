//! Each fault against a real echo server on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use omni_fault_proxy::FaultProxy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{timeout, Instant};

const LIMIT: Duration = Duration::from_secs(10);

/// An echo server that prefixes nothing but echoes every byte, or with
/// `tag` first sends one byte so tests can tell two servers apart.
async fn echo_server(tag: Option<u8>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Some(t) = tag {
                    if sock.write_all(&[t]).await.is_err() {
                        return;
                    }
                }
                let mut buf = [0u8; 4096];
                while let Ok(n) = sock.read(&mut buf).await {
                    if n == 0 || sock.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

async fn round_trip(sock: &mut TcpStream, data: &[u8]) -> Vec<u8> {
    sock.write_all(data).await.unwrap();
    let mut back = vec![0u8; data.len()];
    timeout(LIMIT, sock.read_exact(&mut back))
        .await
        .expect("echo within the limit")
        .unwrap();
    back
}

/// Reads until the peer closes; true when it did within the limit.
async fn closed(sock: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match timeout(LIMIT, sock.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn forwards_both_ways_and_counts_bytes() {
    let proxy = FaultProxy::start(echo_server(None).await).await.unwrap();
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(round_trip(&mut sock, b"hello").await, b"hello");
    let big: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
    assert_eq!(round_trip(&mut sock, &big).await, big);
    assert_eq!(proxy.bytes(), (200_005, 200_005));
    assert_eq!(proxy.active_connections(), 1);
    drop(sock);
    timeout(LIMIT, async {
        while proxy.active_connections() != 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("connection closed after the client left");
}

#[tokio::test]
async fn cut_closes_live_connections_and_new_ones_work() {
    let proxy = FaultProxy::start(echo_server(None).await).await.unwrap();
    let mut a = TcpStream::connect(proxy.addr()).await.unwrap();
    let mut b = TcpStream::connect(proxy.addr()).await.unwrap();
    round_trip(&mut a, b"x").await;
    round_trip(&mut b, b"y").await;
    proxy.cut();
    assert!(closed(&mut a).await);
    assert!(closed(&mut b).await);
    let mut c = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(round_trip(&mut c, b"again").await, b"again");
}

#[tokio::test]
async fn freeze_holds_bytes_with_sockets_open_and_thaw_delivers_them() {
    let proxy = FaultProxy::start(echo_server(None).await).await.unwrap();
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    round_trip(&mut sock, b"warm").await;
    proxy.freeze();
    sock.write_all(b"held").await.unwrap();
    let mut buf = [0u8; 4];
    // Nothing comes back while frozen, and the socket is not closed either.
    assert!(timeout(Duration::from_millis(300), sock.read(&mut buf))
        .await
        .is_err());
    assert_eq!(proxy.active_connections(), 1);
    proxy.thaw();
    timeout(LIMIT, sock.read_exact(&mut buf))
        .await
        .expect("delivered after thaw")
        .unwrap();
    assert_eq!(&buf, b"held");
}

#[tokio::test]
async fn delay_applies_in_each_direction() {
    let proxy = FaultProxy::start(echo_server(None).await).await.unwrap();
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    round_trip(&mut sock, b"warm").await;
    proxy.set_delay(Duration::from_millis(150));
    let start = Instant::now();
    round_trip(&mut sock, b"slow").await;
    // Sleeps never end early: 150 ms each way is a floor.
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    proxy.heal();
    assert_eq!(proxy.faults().delay, Duration::ZERO);
}

#[tokio::test]
async fn throttle_limits_the_byte_rate() {
    let proxy = FaultProxy::start(echo_server(None).await).await.unwrap();
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    round_trip(&mut sock, b"warm").await;
    // 64 KiB at 256 KiB/s takes at least 0.25 s in each direction; the two
    // directions overlap as the echo streams back, so 0.25 s is the floor.
    proxy.set_throttle(Some(256 * 1024));
    let data = vec![7u8; 64 * 1024];
    let start = Instant::now();
    assert_eq!(round_trip(&mut sock, &data).await, data);
    assert!(
        start.elapsed() >= Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn refuse_closes_new_connections_at_once() {
    let proxy = FaultProxy::start(echo_server(None).await).await.unwrap();
    proxy.refuse(true);
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    assert!(closed(&mut sock).await);
    assert_eq!(proxy.accepted_connections(), 1);
    proxy.refuse(false);
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(round_trip(&mut sock, b"ok").await, b"ok");
}

#[tokio::test]
async fn new_connections_follow_a_moved_upstream() {
    let proxy = FaultProxy::start(echo_server(Some(1)).await).await.unwrap();
    let mut first = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(round_trip(&mut first, b"").await, b"");
    let mut tag = [0u8; 1];
    first.read_exact(&mut tag).await.unwrap();
    assert_eq!(tag, [1]);
    proxy.set_upstream(echo_server(Some(2)).await);
    let mut second = TcpStream::connect(proxy.addr()).await.unwrap();
    second.read_exact(&mut tag).await.unwrap();
    assert_eq!(tag, [2]);
    // The old connection still talks to the old server.
    assert_eq!(round_trip(&mut first, b"old").await, b"old");
}

#[tokio::test]
async fn upstream_down_looks_like_a_closed_connection() {
    // Bound but never listening: connecting is refused, and unlike a
    // dropped listener's port no parallel test's server can be given it.
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let dead = reserved.local_addr().unwrap();
    let proxy = FaultProxy::start(dead).await.unwrap();
    let mut sock = TcpStream::connect(proxy.addr()).await.unwrap();
    assert!(closed(&mut sock).await);
    drop(reserved);
}
