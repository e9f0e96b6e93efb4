//! Arbitrary server input, in arbitrary order, with arbitrary time jumps
//! and application commands in between: no panic, and every queue stays
//! within its bound.

use crate::prelude::*;
use proptest::prelude::*;

use crate::client::fuzzing::{Op, Script, KNOWN_FRAMES};
use crate::client::{Client, ClientConfig, Instant};

fn known_frame() -> impl Strategy<Value = String> {
    prop::sample::select(KNOWN_FRAMES).prop_map(str::to_owned)
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_input_never_panics_and_stays_bounded(
        seed in any::<u64>(),
        variant in any::<u8>(),
        ops in prop::collection::vec(op(), 0..120),
    ) {
        // Some scripts never drain, so the queues' own bounds are tested.
        let mut script = Script::new(seed, variant, seed % 3 != 0);
        steps(&mut script, ops)?;
    }

    /// The drivers' modes, from a connected session on: events as text,
    /// checked by the client or (`parses`) by the driver, and (`lending`)
    /// lent, half of them unchecked and checked by the driver as the
    /// native one does. The script fails on event text that reached the
    /// driver unchecked.
    #[test]
    fn event_text_is_checked_by_client_or_driver(
        seed in any::<u64>(),
        parses in any::<bool>(),
        lending in any::<bool>(),
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let variant = 64 | if parses { 128 } else { 0 };
        let mut script = Script::new(seed, variant, true);
        script.set_lending(lending);
        steps(&mut script, connect())?;
        prop_assert!(script.client.is_connected("/"));
        steps(&mut script, ops)?;
    }

    /// A driver taking lent events (`handle_text_event`) sees the same
    /// events, frames and actions, in the same order, as one taking every
    /// event from the queue (`handle_text`).
    #[test]
    fn lent_events_match_queued_ones(
        seed in any::<u64>(),
        variant in any::<u8>(),
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let variant = variant | 64;
        let mut queued = Script::new(seed, variant, true);
        let mut lent = Script::new(seed, variant, true);
        lent.set_lending(true);
        for s in [&mut queued, &mut lent] {
            s.set_logging(true);
            steps(s, connect().into_iter().chain(ops.clone()))?;
        }
        prop_assert_eq!(&queued.log, &lent.log);
    }
}

/// Opens the session and the main namespace.
fn connect() -> [Op; 3] {
    [
        Op::Opened,
        Op::Text(
            r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":100000}"#
                .into(),
        ),
        Op::Text("40{\"sid\":\"a\"}".into()),
    ]
}

/// Runs `ops`, failing the case at the first bound or check broken.
fn steps(script: &mut Script, ops: impl IntoIterator<Item = Op>) -> Result<(), TestCaseError> {
    for op in ops {
        if let Err(e) = script.step(op) {
            prop_assert!(false, "{}", e);
        }
    }
    Ok(())
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
