//! JSON values that may hold binary data, and the placeholder scheme that
//! carries them over Socket.IO.
//!
//! Socket.IO sends binary values out of band: the JSON of a BINARY_EVENT or
//! BINARY_ACK has `{"_placeholder":true,"num":N}` where a value was, and the
//! N-th binary attachment that follows the packet holds its bytes. The codec
//! keeps packet data as validated JSON text; this module turns that text
//! plus attachments into a [`Value`] tree only when the caller asks for one.

use std::cell::RefCell;

use bytes::Bytes;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;

use crate::{CapacityError, Limits, ProtocolError, Result};

/// A JSON value that may also be raw bytes, anywhere in the tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A JSON number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// Bytes, sent as a binary attachment.
    Binary(Bytes),
    /// An array.
    Array(Vec<Value>),
    /// An object, keys in the order they arrived.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Whether any binary value occurs in the tree.
    pub fn has_binary(&self) -> bool {
        match self {
            Self::Binary(_) => true,
            Self::Array(a) => a.iter().any(Self::has_binary),
            Self::Object(o) => o.iter().any(|(_, v)| v.has_binary()),
            _ => false,
        }
    }

    /// Splits the value into JSON text with placeholders and the attachments
    /// they refer to, numbered in depth-first order.
    pub fn deconstruct(&self) -> (String, Vec<Bytes>) {
        let out = RefCell::new(Vec::new());
        // Serializing this tree into a String cannot fail: keys are strings
        // and numbers are already valid JSON numbers.
        let json = serde_json::to_string(&WithPlaceholders {
            value: self,
            attachments: &out,
        })
        .unwrap_or_default();
        (json, out.into_inner())
    }

    /// Builds the tree from JSON text, putting the attachments back where
    /// their placeholders are.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidJson`] for bad JSON,
    /// [`CapacityError::TooDeep`] past `limits.max_depth`, and
    /// [`ProtocolError::InvalidPlaceholder`] when a placeholder names a
    /// missing attachment, names one twice, or an attachment is unused.
    pub fn reconstruct(json: &str, attachments: &[Bytes], limits: &Limits) -> Result<Self> {
        check_depth(json, limits.max_depth)?;
        let tree: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ProtocolError::InvalidJson(e.to_string()))?;
        let mut used = vec![false; attachments.len()];
        let value = Self::from_json_inner(tree, &mut |num| {
            let slot = used.get_mut(num).ok_or(ProtocolError::InvalidPlaceholder(
                "attachment number out of range",
            ))?;
            if std::mem::replace(slot, true) {
                return Err(ProtocolError::InvalidPlaceholder("attachment used twice"));
            }
            Ok(attachments[num].clone())
        })?;
        if used.iter().any(|u| !u) {
            return Err(ProtocolError::InvalidPlaceholder("attachment never referenced").into());
        }
        Ok(value)
    }

    fn from_json_inner(
        v: serde_json::Value,
        on_placeholder: &mut dyn FnMut(usize) -> Result<Bytes, ProtocolError>,
    ) -> Result<Self, ProtocolError> {
        Ok(match v {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(b),
            serde_json::Value::Number(n) => Self::Number(n),
            serde_json::Value::String(s) => Self::String(s),
            serde_json::Value::Array(a) => Self::Array(
                a.into_iter()
                    .map(|v| Self::from_json_inner(v, on_placeholder))
                    .collect::<Result<_, _>>()?,
            ),
            serde_json::Value::Object(o) => {
                if let Some(num) = placeholder_num(&o)? {
                    return Ok(Self::Binary(on_placeholder(num)?));
                }
                Self::Object(
                    o.into_iter()
                        .map(|(k, v)| Ok((k, Self::from_json_inner(v, on_placeholder)?)))
                        .collect::<Result<_, ProtocolError>>()?,
                )
            }
        })
    }

    /// Converts plain JSON (no placeholders are interpreted).
    pub fn from_json(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(b),
            serde_json::Value::Number(n) => Self::Number(n),
            serde_json::Value::String(s) => Self::String(s),
            serde_json::Value::Array(a) => {
                Self::Array(a.into_iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(o) => Self::Object(
                o.into_iter()
                    .map(|(k, v)| (k, Self::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Self::from_json(v)
    }
}

/// `Some(num)` when the object is a placeholder. An object with
/// `"_placeholder": true` but no usable `num` is an error rather than
/// ordinary data, as in the reference parser.
fn placeholder_num(
    o: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<usize>, ProtocolError> {
    if o.get("_placeholder") != Some(&serde_json::Value::Bool(true)) {
        return Ok(None);
    }
    o.get("num")
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .map(Some)
        .ok_or(ProtocolError::InvalidPlaceholder("missing or invalid num"))
}

/// Counts placeholders in JSON text and checks they number exactly the
/// attachments `0..count`, each once. Used by the decoder so that every
/// driver rejects a bad binary packet the same way before waiting for its
/// attachments.
pub(crate) fn validate_placeholders(json: &str, count: usize) -> Result<()> {
    let tree: serde_json::Value =
        serde_json::from_str(json).map_err(|e| ProtocolError::InvalidJson(e.to_string()))?;
    let mut seen = vec![false; count];
    let mut stack = vec![&tree];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Array(a) => stack.extend(a),
            serde_json::Value::Object(o) => match placeholder_num(o)? {
                Some(num) => {
                    let slot = seen.get_mut(num).ok_or(ProtocolError::InvalidPlaceholder(
                        "attachment number out of range",
                    ))?;
                    if std::mem::replace(slot, true) {
                        return Err(
                            ProtocolError::InvalidPlaceholder("attachment used twice").into()
                        );
                    }
                }
                None => stack.extend(o.values()),
            },
            _ => {}
        }
    }
    if seen.iter().any(|s| !s) {
        return Err(ProtocolError::InvalidPlaceholder("attachment never referenced").into());
    }
    Ok(())
}

/// Checks that JSON text nests no deeper than `max` without parsing it, so
/// that the parsers that run afterwards are bounded in stack and memory.
/// Brackets inside strings are skipped; anything else malformed is left for
/// the parser to report.
pub(crate) fn check_depth(json: &str, max: usize) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(CapacityError::TooDeep { max }.into());
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

struct WithPlaceholders<'v, 'c> {
    value: &'v Value,
    attachments: &'c RefCell<Vec<Bytes>>,
}

impl Serialize for WithPlaceholders<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let child = |value| WithPlaceholders {
            value,
            attachments: self.attachments,
        };
        match self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::String(v) => s.serialize_str(v),
            Value::Binary(b) => {
                let num = {
                    let mut a = self.attachments.borrow_mut();
                    a.push(b.clone());
                    a.len() - 1
                };
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("_placeholder", &true)?;
                m.serialize_entry("num", &num)?;
                m.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(&child(v))?;
                }
                seq.end()
            }
            Value::Object(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, &child(v))?;
                }
                m.end()
            }
        }
    }
}

impl Serialize for Value {
    /// Plain JSON; binary values become arrays of byte numbers. Use
    /// [`Value::deconstruct`] to send binary over Socket.IO.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Binary(b) => s.collect_seq(b.iter()),
            Self::Array(items) => s.collect_seq(items),
            Self::Object(entries) => s.collect_map(entries.iter().map(|(k, v)| (k, v))),
            Self::Null => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Number(n) => n.serialize(s),
            Self::String(v) => s.serialize_str(v),
        }
    }
}
