//! Standard base64 with padding (RFC 4648, section 4): how Engine.IO
//! long-polling payloads carry binary packets (`b` + base64).
//!
//! Written here rather than taken from the `base64` crate because the
//! browser build downloads every byte of it: that crate's general engine
//! was about 4 KB of the gzipped wasm, this is a few hundred bytes.
//! Binary over long-polling is a cold path, so the simple loops are fast
//! enough. The tests hold it to the `base64` crate's `STANDARD` engine as
//! the oracle, for what it accepts as well as what it writes.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the padded base64 of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63])
            } else {
                '='
            });
        }
    }
}

fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// The bytes of padded base64 `text`; `None` unless it is canonical:
/// a multiple of four characters, padding only at the end, and the bits
/// the padding leaves over all zero (as the `base64` crate's `STANDARD`
/// engine requires).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let s = text.as_bytes();
    if s.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let quads = s.len() / 4;
    for (i, quad) in s.chunks_exact(4).enumerate() {
        let pad = if i + 1 == quads {
            quad.iter().rev().take_while(|&&c| c == b'=').count()
        } else {
            0
        };
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = (n << 6) | sextet(c)?;
        }
        n <<= 6 * pad;
        if n & ((1 << (8 * pad)) - 1) != 0 {
            return None;
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8][..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use proptest::prelude::*;

    const ORACLE: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut out = String::from("b");
            encode_into(plain.as_bytes(), &mut out);
            assert_eq!(out, format!("b{coded}"));
            assert_eq!(decode(coded).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn rejects_what_is_not_canonical() {
        for bad in [
            "Zg", "Zg=", "Zg===", "====", "Z===", "Zh==", "Zm9=", "Zg==Zg==", "Zm9v\n", "Zm 9",
            "Zm-_", "Zm9vYg=A",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
            assert!(ORACLE.decode(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn encodes_as_the_base64_crate(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut out = String::new();
            encode_into(&bytes, &mut out);
            prop_assert_eq!(&out, &ORACLE.encode(&bytes));
            prop_assert_eq!(decode(&out), Some(bytes));
        }

        #[test]
        fn accepts_what_the_base64_crate_accepts(text in "[A-Za-z0-9+/=_ -]{0,16}") {
            prop_assert_eq!(decode(&text), ORACLE.decode(&text).ok());
        }

        #[test]
        fn decodes_near_misses_as_the_base64_crate(
            bytes in proptest::collection::vec(any::<u8>(), 0..12),
            at in any::<prop::sample::Index>(),
            c in prop::sample::select(b"A/+=Zz09_".to_vec()),
        ) {
            let mut text = ORACLE.encode(&bytes).into_bytes();
            if !text.is_empty() {
                let i = at.index(text.len());
                text[i] = c;
            }
            let text = String::from_utf8(text).unwrap();
            prop_assert_eq!(decode(&text), ORACLE.decode(&text).ok());
        }
    }
}
