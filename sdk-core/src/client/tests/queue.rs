//! The event queue is bounded in events and in bytes of server data; when
//! full, the oldest events go (counted), for driver modes with and without
//! `raw_messages`.

use crate::prelude::*;
use bytes::Bytes;

use super::util::*;
use crate::client::*;

/// A connected client whose event queue holds 3 MB, fed binary events of
/// 64 attachments of 20 KB (1.28 MB each) without anyone taking them.
fn flooded(raw: bool) -> Pair {
    let mut config = Pair::config();
    config.driver.raw_messages = raw;
    config.max_queued_event_bytes = 3_000_000;
    let mut p = Pair::connected_with(config);
    p.take_events();
    let id = p.active();
    let placeholders: Vec<String> = (0..64)
        .map(|i| format!(r#"{{"_placeholder":true,"num":{i}}}"#))
        .collect();
    let blob = Bytes::from(vec![7u8; 20_000]);
    for n in 0..10 {
        let header = format!(r#"4564-["blob",{n},{}]"#, placeholders.join(","));
        p.client.handle_text(id, p.now, &header);
        for _ in 0..64 {
            p.client.handle_binary(id, p.now, blob.clone());
        }
    }
    p
}

/// The numbers of the `blob` events taken from the queue.
fn blob_numbers(p: &mut Pair) -> Vec<u64> {
    core::iter::from_fn(|| p.client.poll_event())
        .filter_map(|e| match e {
            Event::Message { event, args, .. } if event == "blob" => {
                serde_json::to_value(&args[0]).ok()
            }
            Event::RawMessage { event, data, .. } if event == "blob" => {
                serde_json::from_str::<serde_json::Value>(&data)
                    .ok()?
                    .get(1)
                    .cloned()
            }
            _ => None,
        })
        .map(|n| n.as_u64().expect("a number"))
        .collect()
}

#[test]
fn binary_events_past_the_byte_bound_push_out_the_oldest() {
    for raw in [false, true] {
        let mut p = flooded(raw);
        let bytes = p.client.queued_event_bytes();
        // Two events of 1.28 MB and their text fit in 3 MB, not three.
        assert!((2_560_000..3_000_000).contains(&bytes), "{bytes}");
        assert_eq!(p.client.queue_lengths().2, 2);
        assert_eq!(p.client.dropped_events(), 8);
        assert_eq!(blob_numbers(&mut p), [8, 9]);
        assert_eq!(p.client.queued_event_bytes(), 0);
    }
}

#[test]
fn ack_answers_count_towards_the_byte_bound() {
    let mut config = Pair::config();
    config.max_queued_event_bytes = 1_000;
    let mut p = Pair::connected_with(config);
    let r1 = p
        .client
        .emit_with_ack("/", "a", vec![], None, p.now)
        .unwrap();
    let r2 = p
        .client
        .emit_with_ack("/", "b", vec![], None, p.now)
        .unwrap();
    p.drive();
    p.take_events();
    let id = p.active();
    let big = "x".repeat(600);
    for n in 0..2 {
        p.client
            .handle_text(id, p.now, &format!(r#"43{n}["{big}"]"#));
    }
    assert_eq!(p.client.dropped_events(), 1);
    let acks: Vec<RequestId> = core::iter::from_fn(|| p.client.poll_event())
        .filter_map(|e| match e {
            Event::Ack { request, .. } => Some(request),
            _ => None,
        })
        .collect();
    assert_ne!(r1, r2);
    assert_eq!(acks, [r2]);
}
