//! A stream of Socket.IO frames through the reassembling decoder. The input
//! is split on 0xFF bytes into frames; a frame whose first byte is 0x00 is
//! fed as binary, any other as text (when it is UTF-8).
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use omni_socket_core::socketio::{Decoded, Decoder};
use omni_socket_core::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_packet_size: 4096,
        max_polling_body: 16_384,
        max_attachments: 8,
        max_depth: 16,
    };
    let mut decoder = Decoder::new(limits);
    for frame in data.split(|&b| b == 0xff) {
        let result = match frame.split_first() {
            Some((0, rest)) => decoder.decode_binary(Bytes::copy_from_slice(rest)),
            _ => match std::str::from_utf8(frame) {
                Ok(text) => decoder.decode_text(text).map(|d| match d {
                    Decoded::Packet(p) => Decoded::Packet(p.into_owned()),
                    Decoded::NeedsAttachments(n) => Decoded::NeedsAttachments(n),
                }),
                Err(_) => continue,
            },
        };
        if let Ok(Decoded::Packet(p)) = result {
            // Complete packets are valid by construction: these must hold.
            assert!(p.attachments.len() <= limits.max_attachments);
            p.value(&limits).expect("decoded packet reconstructs");
            let _ = p.args().expect("decoded packet has valid args");
        }
        assert!(decoder.pending_attachments() <= limits.max_attachments);
    }
});
