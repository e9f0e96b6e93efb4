//! JSON with placeholders: reconstruct must never panic, and a tree it
//! accepts must deconstruct back into the same attachments.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use omni_socket_core::{Limits, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    let Ok(json) = std::str::from_utf8(rest) else {
        return;
    };
    let attachments: Vec<Bytes> = (0..count % 8).map(|i| Bytes::from(vec![i; 3])).collect();
    if let Ok(value) = Value::reconstruct(json, &attachments, &Limits::default()) {
        let (text, again) = value.deconstruct();
        let mut sorted = again.clone();
        sorted.sort();
        assert_eq!(sorted, attachments, "every attachment used once");
        assert_eq!(
            Value::reconstruct(&text, &again, &Limits::default()).as_ref(),
            Ok(&value)
        );
    }
});
