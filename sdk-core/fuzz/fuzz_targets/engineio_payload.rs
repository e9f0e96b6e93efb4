//! Long-polling payloads: decode must never panic nor loop.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omni_socket_core::{engineio, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let mut n = 0usize;
    for item in engineio::decode_payload(text, &limits) {
        n += 1;
        assert!(n <= text.len() + 1, "more records than separators");
        if item.is_err() {
            break;
        }
    }
});
