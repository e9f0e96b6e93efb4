//! Engine.IO text and binary frames: decode must never panic, and whatever
//! decodes must encode back to the same text.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use omni_socket_core::{engineio, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let _ = engineio::decode_binary(Bytes::copy_from_slice(data), &limits);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(packet) = engineio::decode_text(text, &limits) {
        // The open packet's JSON may be re-serialised differently (key
        // order, whitespace); everything else must be byte-identical.
        if !matches!(packet, engineio::Packet::Open(_)) {
            assert_eq!(packet.encode(), text);
        }
    }
});
