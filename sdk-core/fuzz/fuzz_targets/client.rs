//! The client state machine fed arbitrary server frames, time jumps,
//! transport events and commands in arbitrary order: it must never panic and
//! every queue must stay within its bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omni_socket_core::client::fuzzing::{Op, Script};

fuzz_target!(|input: (u64, u8, bool, Vec<Op>)| {
    let (seed, variant, drain, ops) = input;
    let mut script = Script::new(seed, variant, drain);
    // Half the scripts take events the way the browser driver does.
    script.set_lending(seed & 1 == 1);
    for op in ops.into_iter().take(512) {
        if let Err(bound) = script.step(op) {
            panic!("queue over its bound: {bound}");
        }
    }
});
