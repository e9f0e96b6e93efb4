//! Conversions between [`Value`] and plain JSON where binary values are
//! written as `{"base64": "…"}`, the form the CLI prints and accepts.

use base64::Engine as _;
use omni_socket_core::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// JSON for `v`, each binary value replaced in place by
/// `{"base64": "…"}`.
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => J::Number(n.clone()),
        Value::String(s) => J::String(s.clone()),
        Value::Binary(b) => {
            let mut m = serde_json::Map::new();
            m.insert("base64".into(), J::String(B64.encode(b)));
            J::Object(m)
        }
        Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        Value::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// Serializes `v` as [`to_json`] would, without building that tree first:
/// each binary value is base64-encoded as it is written out, so printing
/// an event with megabytes of attachments makes no copy of them (with
/// `to_json` and `to_string`, three). Object keys keep the order they
/// arrived in.
///
/// ```
/// use omni_socket::{value::AsJson, Value};
///
/// let v = Value::Array(vec![Value::Binary(vec![1u8, 2, 3].into())]);
/// assert_eq!(serde_json::to_string(&AsJson(&v)).unwrap(), r#"[{"base64":"AQID"}]"#);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AsJson<'a>(pub &'a Value);

impl serde::Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.0 {
            Value::Binary(b) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("base64", &Base64(b))?;
                m.end()
            }
            Value::Array(a) => s.collect_seq(a.iter().map(AsJson)),
            Value::Object(o) => s.collect_map(o.iter().map(|(k, v)| (k, AsJson(v)))),
            other => other.serialize(s),
        }
    }
}

/// Bytes as a base64 string, encoded while being written.
struct Base64<'a>(&'a [u8]);

impl serde::Serialize for Base64<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&base64::display::Base64Display::new(self.0, &B64))
    }
}

/// The inverse of [`to_json`]: an object whose only key is `base64` with a
/// valid base64 string becomes binary; everything else is kept as JSON.
pub fn from_json(v: serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Object(m) => {
            if m.len() == 1 {
                if let Some(J::String(s)) = m.get("base64") {
                    if let Ok(bytes) = B64.decode(s) {
                        return Value::Binary(bytes.into());
                    }
                }
            }
            Value::Object(m.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
        J::Array(a) => Value::Array(a.into_iter().map(from_json).collect()),
        other => Value::from_json(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_round_trip_in_place() {
        let json =
            serde_json::json!({"a": [1, {"base64": "AQID"}], "b": {"base64": "not base64!"}});
        let v = from_json(json.clone());
        match &v {
            Value::Object(o) => match &o[0].1 {
                Value::Array(a) => assert_eq!(a[1], Value::Binary(vec![1u8, 2, 3].into())),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
        assert_eq!(to_json(&v), json);
    }

    #[test]
    fn as_json_writes_what_to_json_builds() {
        let json = serde_json::json!({"z": [1, {"base64": "AQID"}, null, true, "s\"q"],
            "a": {"base64": ""}, "n": -1.5});
        let v = from_json(json.clone());
        let written = serde_json::to_string(&AsJson(&v)).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&written).unwrap(),
            json
        );
        // In the order the keys came, not sorted.
        let v = Value::Object(vec![("z".into(), Value::Null), ("a".into(), Value::Null)]);
        let written = serde_json::to_string(&AsJson(&v)).unwrap();
        assert_eq!(written, r#"{"z":null,"a":null}"#);
    }
}
