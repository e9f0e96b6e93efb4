//! Decode and encode cost of typical frames: a ~100 B event, a ~4 KB event,
//! and a binary event with two attachments; and a connected client taking
//! a ~100 B event in the browser driver's mode, queued or lent. Run with
//! `cargo bench -p omni-socket-core --bench codec`.

use std::borrow::Cow;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use omni_socket_core::client::{Client, ClientConfig, DriverMode, Instant, TransportKind};
use omni_socket_core::socketio::{Decoded, Decoder, Packet};
use omni_socket_core::{engineio, Limits, Value};

fn event_of_size(target: usize) -> String {
    let mut items = Vec::new();
    let mut i = 0;
    loop {
        let data = serde_json::json!([
            "notification",
            {"id": "notif_123", "type": "license_expiring", "title": "Licenca kmalu poteče",
             "message": "Vaša licenca poteče čez 3 dni", "priority": "high", "items": items}
        ]);
        let text = data.to_string();
        if text.len() + 2 >= target {
            return format!("42{text}");
        }
        items.push(serde_json::json!({"seq": i, "ok": true, "note": "padding"}));
        i += 1;
    }
}

fn bench_text(c: &mut Criterion, name: &str, frame: &str) {
    let limits = Limits::default();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(frame.len() as u64));
    group.bench_function("decode", |b| {
        let mut decoder = Decoder::new(limits);
        b.iter(|| {
            let engineio::Packet::Message(msg) =
                engineio::decode_text(black_box(frame), &limits).unwrap()
            else {
                unreachable!()
            };
            match decoder.decode_text(&msg).unwrap() {
                Decoded::Packet(p) => black_box(p.event_name().map(|n| n.len())),
                Decoded::NeedsAttachments(_) => unreachable!(),
            }
        })
    });
    let (packet, _) = omni_socket_core::socketio::decode_header(&frame[1..], &limits).unwrap();
    let packet = packet.into_owned();
    group.bench_function("encode", |b| {
        let mut out = String::with_capacity(frame.len() + 8);
        b.iter(|| {
            out.clear();
            out.push('4');
            black_box(&packet).encode_into(&mut out);
            black_box(out.len())
        })
    });
    group.finish();
}

fn bench_binary(c: &mut Criterion) {
    let limits = Limits::default();
    let a = Bytes::from(vec![7u8; 16 * 1024]);
    let b2 = Bytes::from(vec![9u8; 16 * 1024]);
    let args = [Value::Object(vec![
        ("name".into(), Value::String("scan.png".into())),
        ("image".into(), Value::Binary(a.clone())),
        ("thumb".into(), Value::Binary(b2.clone())),
    ])];
    let packet = Packet::event_with_values("/", None, "binary_data", &args);
    let header = format!("4{}", packet.encode());
    let total = header.len() + a.len() + b2.len();
    let mut group = c.benchmark_group("binary_event_2x16KiB");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("decode", |b| {
        let mut decoder = Decoder::new(limits);
        b.iter(|| {
            let engineio::Packet::Message(msg) =
                engineio::decode_text(black_box(&header), &limits).unwrap()
            else {
                unreachable!()
            };
            assert_eq!(
                decoder.decode_text(&msg).unwrap(),
                Decoded::NeedsAttachments(2)
            );
            decoder.decode_binary(a.clone()).unwrap();
            let Decoded::Packet(p) = decoder.decode_binary(b2.clone()).unwrap() else {
                unreachable!()
            };
            black_box(p.value(&limits).unwrap())
        })
    });
    group.bench_function("encode", |b| {
        b.iter(|| {
            let p = Packet::event_with_values(
                Cow::Borrowed("/"),
                None,
                "binary_data",
                black_box(&args),
            );
            let mut out = String::with_capacity(96);
            out.push('4');
            p.encode_into(&mut out);
            black_box((out, p.attachments))
        })
    });
    group.finish();
}

/// A client connected over a WebSocket, in the browser driver's mode:
/// events as text, their JSON left to the driver's parser.
fn browser_mode_client() -> Client {
    let mut config = ClientConfig::new("http://localhost:3000");
    config.transports = vec![TransportKind::Websocket];
    config.driver = DriverMode {
        raw_messages: true,
        parses_events: true,
    };
    let mut client = Client::new(config, 1);
    let now = Instant::from_millis(0);
    client.connect(now);
    let id = client.transport().expect("opening").0;
    client.handle_transport_opened(id, now);
    client.handle_text(
        id,
        now,
        r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
    );
    client.handle_text(id, now, r#"40{"sid":"a"}"#);
    while client.poll_transmit().is_some() {}
    while client.poll_event().is_some() {}
    assert!(client.is_connected("/"));
    client
}

/// One server event through the client: queued as an owned
/// `Event::RawMessage` and taken from the queue, or lent from the frame.
fn bench_client(c: &mut Criterion, frame: &str) {
    let mut group = c.benchmark_group("client_event_100B");
    group.throughput(Throughput::Bytes(frame.len() as u64));
    let now = Instant::from_millis(1);
    group.bench_function("queued", |b| {
        let mut client = browser_mode_client();
        let id = client.transport().unwrap().0;
        b.iter(|| {
            client.handle_text(id, now, black_box(frame));
            black_box(client.poll_event().is_some())
        })
    });
    group.bench_function("lent", |b| {
        let mut client = browser_mode_client();
        let id = client.transport().unwrap().0;
        b.iter(|| {
            black_box(
                client
                    .handle_text_event(id, now, black_box(frame))
                    .is_some(),
            )
        })
    });
    group.finish();
}

fn codec(c: &mut Criterion) {
    // The seed's heartbeat event: 95 bytes on the wire.
    let heartbeat = r#"42["heartbeat",{"timestamp":1642248000000,"client_info":{"version":"1.0.0","platform":"web"}}]"#;
    bench_text(c, "event_100B", heartbeat);
    bench_text(c, "event_4KB", &event_of_size(4096));
    bench_binary(c);
    bench_client(c, heartbeat);
}

criterion_group!(benches, codec);
criterion_main!(benches);
