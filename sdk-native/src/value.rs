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
}
