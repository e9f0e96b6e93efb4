//! Typed values read straight from a `Value` tree agree with serde_json.

use bytes::Bytes;
use omni_socket_core::{Limits, Value};
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Info,
    Warn { level: u8 },
    Code(i64),
}

#[derive(Debug, Deserialize, PartialEq)]
struct Sample {
    name: String,
    count: u64,
    ratio: f64,
    neg: i32,
    tags: Vec<String>,
    maybe: Option<String>,
    missing: Option<u8>,
    kinds: Vec<Kind>,
    nested: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    absent: bool,
}

const SAMPLE: &str = r#"{"name":"n","count":18446744073709551615,"ratio":0.5,"neg":-7,
  "tags":["a","b"],"maybe":null,"kinds":["info",{"warn":{"level":3}},{"code":-1}],
  "nested":{"x":[1,2.5,{"y":null}],"big":1e300},"unknown_field":true}"#;

#[test]
fn typed_struct_matches_serde_json() {
    let tree = Value::parse_json(SAMPLE, &Limits::default()).unwrap();
    let via_tree: Sample = tree.deserialize_into().unwrap();
    let via_json: Sample = serde_json::from_str(SAMPLE).unwrap();
    assert_eq!(via_tree, via_json);
    assert_eq!(via_tree.kinds[1], Kind::Warn { level: 3 });
    assert_eq!(via_tree.count, u64::MAX);
}

#[test]
fn shape_errors_are_errors() {
    let tree = Value::parse_json(r#"{"name":1}"#, &Limits::default()).unwrap();
    let err = tree.deserialize_into::<Sample>().unwrap_err().to_string();
    assert!(err.contains("invalid type"), "{err}");
    let tree = Value::parse_json(r#"{"nope":{}}"#, &Limits::default()).unwrap();
    assert!(tree.deserialize_into::<Kind>().is_err());
    let tree = Value::parse_json(r#"[1,2,3]"#, &Limits::default()).unwrap();
    assert!(
        tree.deserialize_into::<(u8, u8)>().is_err(),
        "extra items refused"
    );
    let tree = Value::parse_json(r#"-1"#, &Limits::default()).unwrap();
    assert!(tree.deserialize_into::<u8>().is_err());
}

#[test]
fn binary_reads_as_bytes_or_byte_numbers() {
    let tree = Value::Object(vec![(
        "file".into(),
        Value::Binary(Bytes::from_static(&[1, 2, 255])),
    )]);
    #[derive(Deserialize)]
    struct AsVec {
        file: Vec<u8>,
    }
    /// Asks for bytes, as `serde_bytes` or `bytes::Bytes` do.
    struct AsBytes(Vec<u8>);
    impl<'de> Deserialize<'de> for AsBytes {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = AsBytes;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<AsBytes, E> {
                    Ok(AsBytes(b.to_vec()))
                }
            }
            d.deserialize_bytes(V)
        }
    }
    #[derive(Deserialize)]
    struct Holder {
        file: AsBytes,
    }
    assert_eq!(tree.deserialize_into::<AsVec>().unwrap().file, [1, 2, 255]);
    assert_eq!(
        tree.deserialize_into::<Holder>().unwrap().file.0,
        [1, 2, 255]
    );
    let json: serde_json::Value = tree.deserialize_into().unwrap();
    assert_eq!(json, serde_json::json!({"file": [1, 2, 255]}));
}

#[test]
fn parse_json_tree_equals_serde_json() {
    let limits = Limits::default();
    for text in [
        r#"{"a":[1,-2,3.5,1e300,"x\n\u00e9",true,null,{}],"b":{"c":[]}}"#,
        "[]",
        "\"s\"",
        "12345678901234567890",
    ] {
        let ours = Value::parse_json_tree(text, &limits).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs, "{text}");
    }
    assert!(Value::parse_json_tree("[1,", &limits).is_err());
    let deep = "[".repeat(limits.max_depth + 1) + &"]".repeat(limits.max_depth + 1);
    assert!(Value::parse_json_tree(&deep, &limits).is_err());
    let bin = Value::Binary(Bytes::from_static(b"\x01\x02"));
    assert_eq!(bin.into_json(), serde_json::json!([1, 2]));
}
