//! Arbitrary server input, in arbitrary order, with arbitrary time jumps
//! and application commands in between: no panic, and every queue stays
//! within its bound.

use bytes::Bytes;
use proptest::prelude::*;

use crate::client::*;
use crate::Value;

#[derive(Debug, Clone)]
enum Op {
    Text(String),
    Binary(Vec<u8>),
    Payload(String),
    Advance(u64),
    Opened,
    Closed,
    Error,
    Stale(String),
    Connect,
    Disconnect,
    Emit(String),
    EmitAck(u64),
    Volatile,
    Join(String),
    Leave(String),
    SetAuth(bool),
    Ack(u64),
    OpenNsp,
}

fn known_frame() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        r#"0{"sid":"s","upgrades":["websocket"],"pingInterval":100,"pingTimeout":50}"#,
        r#"0{"sid":"s","upgrades":[],"pingInterval":0,"pingTimeout":0,"maxPayload":10}"#,
        "2",
        "3probe",
        "1",
        "6",
        "40{\"sid\":\"a\",\"pid\":\"p\"}",
        "40/admin,{\"sid\":\"b\"}",
        "41",
        "44{\"message\":\"Token expired\"}",
        "44/admin,{\"message\":\"nope\",\"data\":[1]}",
        "42[\"room_joined\",{\"room\":\"r1\"}]",
        "42[\"room_error\",{\"room\":\"r2\",\"message\":\"no\"}]",
        "42[\"heartbeat_response\",{\"latency\":3,\"status\":\"ok\"}]",
        "42[\"rate_limited\",{\"event\":\"chat\",\"retry_after\":1e308}]",
        "42[\"rate_limited\",{\"event\":\"chat\",\"retry_after\":-5}]",
        "42[\"error\",{\"message\":\"Token expired\"}]",
        "42[\"auth_error\",\"x\"]",
        "4299[\"ask\",1,\"off\"]",
        "430[\"ok\"]",
        "431[]",
        "43/admin,0[1]",
        "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]",
        "461-0[{\"_placeholder\":true,\"num\":0}]",
    ])
    .prop_map(str::to_owned)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => known_frame().prop_map(Op::Text),
        3 => "[0-6]{0,2}[/a-z0-9,\\[\\]{}\":-]{0,24}".prop_map(Op::Text),
        1 => ".{0,16}".prop_map(Op::Text),
        1 => prop::collection::vec(any::<u8>(), 0..8).prop_map(Op::Binary),
        1 => prop::collection::vec(known_frame(), 0..4).prop_map(|v| Op::Payload(v.join("\u{1e}"))),
        3 => prop_oneof![0..10u64, 0..5_000u64, 0..600_000u64].prop_map(Op::Advance),
        1 => Just(Op::Opened),
        1 => Just(Op::Closed),
        1 => Just(Op::Error),
        1 => known_frame().prop_map(Op::Stale),
        1 => Just(Op::Connect),
        1 => Just(Op::Disconnect),
        2 => "[a-z_]{1,8}".prop_map(Op::Emit),
        1 => (0..5_000u64).prop_map(Op::EmitAck),
        1 => Just(Op::Volatile),
        1 => "r[0-3]".prop_map(Op::Join),
        1 => "r[0-3]".prop_map(Op::Leave),
        1 => any::<bool>().prop_map(Op::SetAuth),
        1 => (0..100u64).prop_map(Op::Ack),
        1 => Just(Op::OpenNsp),
    ]
}

fn config(variant: u8) -> ClientConfig {
    let mut c = ClientConfig::new("http://h");
    c.max_buffered_emits = 8;
    c.max_pending_acks = 8;
    c.max_queued_events = 32;
    c.max_queued_transmits = 16;
    c.buffer_overflow = if variant & 1 == 0 {
        OverflowPolicy::Error
    } else {
        OverflowPolicy::DropOldest
    };
    c.retries = u32::from(variant & 2);
    c.ack_timeout = (variant & 4 != 0).then_some(1_000);
    c.reconnection_attempts = (variant & 8 != 0).then_some(3);
    c.reconnect_after_server_disconnect = variant & 16 != 0;
    c.heartbeat = (variant & 32 != 0).then(|| HeartbeatConfig {
        interval: 700,
        ..HeartbeatConfig::default()
    });
    c.namespaces = vec!["/".into(), "/admin".into()];
    c.timeout = 2_000;
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_input_never_panics_and_stays_bounded(
        seed in any::<u64>(),
        variant in any::<u8>(),
        ops in prop::collection::vec(op(), 0..120),
    ) {
        let config = config(variant);
        let mut c = Client::new(config.clone(), seed);
        let mut now = Instant::from_millis(0);
        c.connect(now);
        for op in ops {
            let active = c.transport().map_or(TransportId(0), |t| t.0);
            match op {
                Op::Text(t) => c.handle_text(active, now, &t),
                Op::Binary(b) => c.handle_binary(active, now, Bytes::from(b)),
                Op::Payload(p) => c.handle_polling_payload(active, now, &p),
                Op::Advance(ms) => {
                    now = now.plus_millis(ms);
                    c.handle_timeout(now);
                }
                Op::Opened => c.handle_transport_opened(TransportId(active.0 + 1), now),
                Op::Closed => c.handle_transport_closed(active, now),
                Op::Error => c.handle_transport_error(active, now, "boom"),
                Op::Stale(t) => c.handle_text(TransportId(active.0.wrapping_sub(1)), now, &t),
                Op::Connect => c.connect(now),
                Op::Disconnect => c.disconnect(now),
                Op::Emit(e) => { let _ = c.emit("/", &e, vec![Value::Null], now); }
                Op::EmitAck(t) => { let _ = c.emit_with_ack("/admin", "q", vec![], Some(t), now); }
                Op::Volatile => { let _ = c.emit_volatile("/", "typing", vec![], now); }
                Op::Join(r) => { let _ = c.join(RoomSpec::omni(&r, "user"), now); }
                Op::Leave(r) => c.leave("/", &r, now),
                Op::SetAuth(reconnect) => c.set_auth(
                    Auth::Credentials(Credentials::bearer("t")),
                    if reconnect { AuthApply::Reconnect } else { AuthApply::NextConnect },
                    now,
                ),
                Op::Ack(id) => { let _ = c.ack("/", id, vec![], now); }
                Op::OpenNsp => { let _ = c.open_namespace("/x", now); }
            }
            let (tx, actions, events) = c.queue_lengths();
            prop_assert!(tx <= config.max_queued_transmits * 2, "transmits {tx}");
            prop_assert!(events <= config.max_queued_events, "events {events}");
            prop_assert!(actions <= 4, "actions {actions}");
            for nsp in ["/", "/admin"] {
                // Re-joins (4 room keys here) and one heartbeat may sit on top.
                prop_assert!(c.buffered(nsp) <= config.max_buffered_emits + 5);
                prop_assert!(c.pending_acks(nsp) <= config.max_pending_acks + 1);
            }
            // Drain like a driver, sometimes.
            if seed % 3 != 0 {
                while c.poll_transmit().is_some() {}
                while c.poll_action().is_some() {}
                while c.poll_event().is_some() {}
            }
        }
    }
}

#[test]
fn handle_timeout_always_settles() {
    // Zero delays everywhere must not spin.
    let mut c = ClientConfig::new("http://h");
    c.reconnection_delay = 0;
    c.reconnection_delay_max = 0;
    c.timeout = 0;
    let mut client = Client::new(c, 1);
    let now = Instant::from_millis(5);
    client.connect(now);
    for _ in 0..100 {
        client.handle_timeout(now);
        while client.poll_event().is_some() {}
        while client.poll_action().is_some() {}
    }
}
