//! Standard base64 with padding (RFC 4648, section 4): how Engine.IO
//! long-polling payloads carry binary packets (`b` + base64).
//!
//! Through `base64ct` rather than the `base64` crate because the browser
//! build downloads every byte of it: the `base64` crate's general engine
//! was about 4 KB of the gzipped wasm. Binary over long-polling is a cold
//! path, so `base64ct`'s constant-time loops are fast enough. The tests
//! hold it to the `base64` crate's `STANDARD` engine as the oracle, for
//! what it accepts as well as what it writes.

use crate::prelude::*;
use base64ct::{Base64, Encoding};

/// Appends the padded base64 of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    out.push_str(&Base64::encode_string(bytes));
}

/// The bytes of padded base64 `text`; `None` unless it is canonical:
/// a multiple of four characters, padding only at the end, and the bits
/// the padding leaves over all zero (as the `base64` crate's `STANDARD`
/// engine requires).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    Base64::decode_vec(text).ok()
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
