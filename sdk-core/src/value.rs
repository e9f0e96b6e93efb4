//! JSON values that may hold binary data, and the placeholder scheme that
//! carries them over Socket.IO.
//!
//! Socket.IO sends binary values out of band: the JSON of a BINARY_EVENT or
//! BINARY_ACK has `{"_placeholder":true,"num":N}` where a value was, and the
//! N-th binary attachment that follows the packet holds its bytes. The codec
//! keeps packet data as validated JSON text; this module turns that text
//! plus attachments into a [`Value`] tree only when the caller asks for one.

use crate::prelude::*;
use core::cell::RefCell;

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

/// The arguments of an emit, an ack or a room's join and leave events.
#[derive(Debug, Clone, PartialEq)]
pub enum Args {
    /// Values, written as JSON when the packet is built.
    Values(Vec<Value>),
    /// Arguments already written as one JSON array, binary values as
    /// placeholders (`{"_placeholder":true,"num":N}`) numbering
    /// `attachments`. The text goes into the packet as it is, never parsed:
    /// a driver whose own JSON writer made it (the browser's
    /// `JSON.stringify`) spends no second parse, and its numbers reach the
    /// server digit for digit. Build it with [`Args::json`].
    Json {
        /// The JSON array.
        text: String,
        /// The attachments, in placeholder order.
        attachments: Vec<Bytes>,
    },
}

impl Default for Args {
    fn default() -> Self {
        Self::Values(Vec::new())
    }
}

impl From<Vec<Value>> for Args {
    fn from(v: Vec<Value>) -> Self {
        Self::Values(v)
    }
}

impl Args {
    /// Arguments from the text of a JSON array and the attachments its
    /// placeholders number, or `None` when the text is not bracketed as an
    /// array. Release builds check only the brackets (debug builds parse
    /// it too): the text must come from a JSON writer (`JSON.stringify`,
    /// serde_json), since it is sent as it is.
    pub fn json(text: impl Into<String>, attachments: Vec<Bytes>) -> Option<Self> {
        let mut text = text.into();
        let t = text.trim();
        if t.len() < 2 || !t.starts_with('[') || !t.ends_with(']') {
            return None;
        }
        // A programming error, not input: debug builds say so at once
        // instead of the server closing the connection later.
        debug_assert!(
            serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok(),
            "Args::json needs valid JSON text"
        );
        if t.len() != text.len() {
            text = t.to_owned();
        }
        Some(Self::Json { text, attachments })
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Values(v) => v.is_empty(),
            Self::Json { text, .. } => text[1..].trim_start().starts_with(']'),
        }
    }

    /// The JSON array with `name` as its first element (an event's data),
    /// or the arguments alone, and the attachments.
    pub(crate) fn write(&self, name: Option<&str>) -> (String, Vec<Bytes>) {
        match self {
            Self::Values(args) => {
                // Written from the caller's values as they are: a copy of
                // the tree with the name in front cost an emit more than
                // writing it.
                let out = RefCell::new(Vec::new());
                let json = serde_json::to_string(&EventArray {
                    name,
                    args,
                    attachments: &out,
                })
                .unwrap_or_default();
                (json, out.into_inner())
            }
            Self::Json { text, attachments } => {
                let Some(name) = name else {
                    return (text.clone(), attachments.clone());
                };
                let mut out = String::with_capacity(name.len() + text.len() + 4);
                out.push('[');
                // Writing a string cannot fail.
                out.push_str(&serde_json::to_string(name).unwrap_or_default());
                let rest = text[1..].trim_start();
                if !rest.starts_with(']') {
                    out.push(',');
                }
                out.push_str(rest);
                (out, attachments.clone())
            }
        }
    }
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
    /// their placeholders are. Object keys keep their order.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidJson`] for bad JSON,
    /// [`CapacityError::TooDeep`] past `limits.max_depth`, and
    /// [`ProtocolError::InvalidPlaceholder`] when a placeholder names a
    /// missing attachment, names one twice, or an attachment is unused.
    pub fn reconstruct(json: &str, attachments: &[Bytes], limits: &Limits) -> Result<Self> {
        Self::parse(json, Some(attachments), limits)
    }

    /// Parses JSON text into a tree without interpreting placeholders, as
    /// for the data of a packet that is not BINARY_*.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidJson`] for bad JSON and
    /// [`CapacityError::TooDeep`] past `limits.max_depth`.
    pub fn parse_json(json: &str, limits: &Limits) -> Result<Self> {
        Self::parse(json, None, limits)
    }

    fn parse(json: &str, attachments: Option<&[Bytes]>, limits: &Limits) -> Result<Self> {
        let mut ctx = Placeholders {
            attachments,
            used: vec![false; attachments.map_or(0, <[Bytes]>::len)],
            error: None,
            depth_left: limits.max_depth,
            too_deep: false,
        };
        let mut de = serde_json::Deserializer::from_str(json);
        let parsed = serde::de::DeserializeSeed::deserialize(&mut ctx, &mut de)
            .and_then(|v| de.end().map(|()| v));
        if ctx.too_deep {
            return Err(CapacityError::TooDeep {
                max: limits.max_depth,
            }
            .into());
        }
        let value = match (parsed, ctx.error) {
            (_, Some(e)) => return Err(e.into()),
            (Err(e), None) => return Err(ProtocolError::InvalidJson(e.to_string()).into()),
            (Ok(v), None) => v,
        };
        if ctx.used.iter().any(|u| !u) {
            return Err(ProtocolError::InvalidPlaceholder("attachment never referenced").into());
        }
        Ok(value)
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

impl Value {
    /// Converts to plain JSON; binary values become arrays of byte numbers,
    /// as with `Serialize`.
    pub fn into_json(self) -> serde_json::Value {
        match self {
            Self::Null => serde_json::Value::Null,
            Self::Bool(b) => serde_json::Value::Bool(b),
            Self::Number(n) => serde_json::Value::Number(n),
            Self::String(s) => serde_json::Value::String(s),
            Self::Binary(b) => b.iter().map(|&x| serde_json::Value::from(x)).collect(),
            Self::Array(a) => a.into_iter().map(Self::into_json).collect(),
            Self::Object(o) => {
                let mut map = serde_json::Map::new();
                for (k, v) in o {
                    map.insert(k, v.into_json());
                }
                serde_json::Value::Object(map)
            }
        }
    }

    /// Parses JSON text into a [`serde_json::Value`] through this crate's
    /// parser ([`Value::parse_json`]), bounded by `limits`.
    ///
    /// The same tree as `serde_json::from_str`, but without serde_json's
    /// own `Value` visitor: with the `raw_value` feature that one reaches
    /// serde's typed error texts and their float formatting, which would
    /// otherwise be part of every browser download.
    ///
    /// # Errors
    /// As [`Value::parse_json`].
    pub fn parse_json_tree(json: &str, limits: &Limits) -> Result<serde_json::Value> {
        Self::parse_json(json, limits).map(Self::into_json)
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Self::from_json(v)
    }
}

/// The fields of a JSON object, each value as its JSON text, in order;
/// `None` when `json` is not one object. For readers that need a field or
/// two of a payload whose other values must keep their text (a refusal's
/// `data`, a room description's arguments), without building a tree.
///
/// serde_json reads each key and skips each value (`IgnoredAny`); the
/// object's punctuation between them is matched here. Not serde_json's
/// `RawValue`: its reader reaches serde's typed error texts and their
/// float formatter, 10.8 KB gzipped of the browser build.
pub fn raw_fields(json: &str) -> Option<Vec<(String, &str)>> {
    fn ws(s: &str) -> &str {
        s.trim_start_matches([' ', '\t', '\n', '\r'])
    }
    /// One value at the start of `s`, and the text after it.
    fn next<'a, T: serde::Deserialize<'a>>(s: &'a str) -> Option<(T, &'a str)> {
        let mut it = serde_json::Deserializer::from_str(s).into_iter::<T>();
        let v = it.next()?.ok()?;
        Some((v, &s[it.byte_offset()..]))
    }
    let mut out = Vec::new();
    let mut rest = ws(ws(json).strip_prefix('{')?);
    if let Some(end) = rest.strip_prefix('}') {
        return ws(end).is_empty().then_some(out);
    }
    loop {
        let (key, after) = next::<crate::socketio::JsonString<'_>>(rest)?;
        let value = ws(ws(after).strip_prefix(':')?);
        let (serde::de::IgnoredAny, tail) = next(value)?;
        out.push((key.0.into_owned(), &value[..value.len() - tail.len()]));
        let tail = ws(tail);
        match tail.strip_prefix(',') {
            Some(t) => rest = ws(t),
            None => return ws(tail.strip_prefix('}')?).is_empty().then_some(out),
        }
    }
}

/// The text of field `key` among `fields` (from [`raw_fields`]); the
/// first of that name.
pub fn raw_field<'a>(fields: &[(String, &'a str)], key: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// The string `json` holds, unescaped; `None` for other values.
pub fn raw_string(json: &str) -> Option<String> {
    crate::socketio::json_string(json).map(alloc::borrow::Cow::into_owned)
}

/// Checks the placeholders of a binary packet's JSON number exactly the
/// attachments `0..count`, each once. The decoder runs it on the header so
/// every driver rejects a bad binary packet the same way, before waiting for
/// attachments. The caller has checked the nesting depth.
pub(crate) fn validate_placeholders(json: &str, count: usize) -> Result<()> {
    let dummies = vec![Bytes::new(); count];
    let unbounded = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    Value::reconstruct(json, &dummies, &unbounded).map(drop)
}

/// Deserialization context that swaps placeholders for attachments while
/// the JSON is parsed, so no intermediate tree is built.
struct Placeholders<'b> {
    /// `None` when placeholders are plain data.
    attachments: Option<&'b [Bytes]>,
    used: Vec<bool>,
    /// Placeholder errors are kept here rather than as a serde error so the
    /// caller gets a typed [`ProtocolError`].
    error: Option<ProtocolError>,
    /// Containers that may still open at the current position: the depth
    /// limit is enforced while parsing, so recursion stays bounded without
    /// a separate scan of the text.
    depth_left: usize,
    /// Set when `depth_left` ran out (reported as [`CapacityError::TooDeep`]).
    too_deep: bool,
}

impl Placeholders<'_> {
    /// Steps into an array or object; fails once `max_depth` is passed.
    fn enter<E: serde::de::Error>(&mut self) -> core::result::Result<(), E> {
        if self.depth_left == 0 {
            self.too_deep = true;
            return Err(E::custom("too deep"));
        }
        self.depth_left -= 1;
        Ok(())
    }

    fn take(&mut self, num: Option<u64>) -> Option<Bytes> {
        let result = num
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(ProtocolError::InvalidPlaceholder("missing or invalid num"))
            .and_then(|n| {
                let slot = self
                    .used
                    .get_mut(n)
                    .ok_or(ProtocolError::InvalidPlaceholder(
                        "attachment number out of range",
                    ))?;
                if core::mem::replace(slot, true) {
                    return Err(ProtocolError::InvalidPlaceholder("attachment used twice"));
                }
                Ok(self.attachments.map(|a| a[n].clone()).unwrap_or_default())
            });
        match result {
            Ok(b) => Some(b),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut Placeholders<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> core::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut Placeholders<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> core::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> core::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> core::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> core::result::Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> core::result::Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> core::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> core::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> core::result::Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(&mut *self)? {
            items.push(v);
        }
        self.depth_left += 1;
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> core::result::Result<Value, A::Error> {
        self.enter()?;
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(&mut *self)?;
            entries.push((key, value));
        }
        self.depth_left += 1;
        // Any object with `"_placeholder": true` is a placeholder; one
        // without a usable `num` is an error, not ordinary data, as in the
        // reference parser.
        let is_placeholder = self.attachments.is_some()
            && entries
                .iter()
                .any(|(k, v)| k == "_placeholder" && *v == Value::Bool(true));
        if !is_placeholder {
            return Ok(Value::Object(entries));
        }
        let num = entries
            .iter()
            .find(|(k, _)| k == "num")
            .and_then(|(_, v)| match v {
                Value::Number(n) => n.as_u64(),
                _ => None,
            });
        Ok(self.take(num).map_or(Value::Null, Value::Binary))
    }
}

/// `[name, ...args]` (or the arguments alone) written with placeholders,
/// as [`Value::deconstruct`] writes the array it would make of them.
struct EventArray<'v, 'c> {
    name: Option<&'v str>,
    args: &'v [Value],
    attachments: &'c RefCell<Vec<Bytes>>,
}

impl Serialize for EventArray<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        let len = self.args.len() + usize::from(self.name.is_some());
        let mut seq = s.serialize_seq(Some(len))?;
        if let Some(name) = self.name {
            seq.serialize_element(name)?;
        }
        for value in self.args {
            seq.serialize_element(&WithPlaceholders {
                value,
                attachments: self.attachments,
            })?;
        }
        seq.end()
    }
}

struct WithPlaceholders<'v, 'c> {
    value: &'v Value,
    attachments: &'c RefCell<Vec<Bytes>>,
}

impl Serialize for WithPlaceholders<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
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
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
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

impl Value {
    /// Deserializes a typed value straight from the tree, with the same
    /// result as going through [`serde_json::Value`] (binary values read
    /// as sequences of bytes, or as bytes where the type asks for them)
    /// but without building a second tree.
    ///
    /// # Errors
    /// When the tree does not have the shape `T` expects; the message says
    /// what was wrong.
    pub fn deserialize_into<'de, T: serde::Deserialize<'de>>(
        &'de self,
    ) -> core::result::Result<T, serde::de::value::Error> {
        T::deserialize(ValueDeserializer::<serde::de::value::Error>::new(self))
    }
}

/// Reads a [`Value`] tree through serde, borrowing its strings and bytes:
/// what `(&value).into_deserializer()` gives. See [`Value::deserialize_into`].
#[derive(Debug)]
pub struct ValueDeserializer<'de, E> {
    value: &'de Value,
    error: core::marker::PhantomData<E>,
}

impl<'de, E> ValueDeserializer<'de, E> {
    fn new(value: &'de Value) -> Self {
        Self {
            value,
            error: core::marker::PhantomData,
        }
    }
}

impl<'de, E: serde::de::Error> serde::de::IntoDeserializer<'de, E> for &'de Value {
    type Deserializer = ValueDeserializer<'de, E>;

    fn into_deserializer(self) -> Self::Deserializer {
        ValueDeserializer::new(self)
    }
}

impl<'de, E: serde::de::Error> serde::Deserializer<'de> for ValueDeserializer<'de, E> {
    type Error = E;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, E> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => n.deserialize_any(visitor).map_err(E::custom),
            Value::String(s) => visitor.visit_borrowed_str(s),
            // As serde_json::Value holds them: an array of byte numbers.
            Value::Binary(b) => {
                let mut seq = SeqDeserializer::new(b.iter().copied());
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.iter());
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Value::Object(entries) => {
                let mut map = MapDeserializer::new(entries.iter().map(|(k, v)| (k.as_str(), v)));
                let v = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(v)
            }
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, E> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_bytes<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, E> {
        match self.value {
            Value::Binary(b) => visitor.visit_borrowed_bytes(b),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, E> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> core::result::Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, E> {
        use serde::de::value::{MapAccessDeserializer, MapDeserializer};
        use serde::de::IntoDeserializer;
        match self.value {
            // A unit variant is its name; any other variant is an object
            // with one entry, as serde_json writes them.
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Object(entries) if entries.len() == 1 => {
                let map = MapDeserializer::new(entries.iter().map(|(k, v)| (k.as_str(), v)));
                visitor.visit_enum(MapAccessDeserializer::new(map))
            }
            _ => Err(E::invalid_type(
                unexpected(self.value),
                &format!("enum {name} (one of {variants:?})").as_str(),
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

fn unexpected(v: &Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Binary(b) => Unexpected::Bytes(b),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event's arguments are written as the array `[name, ...args]`
    /// would be: the same text, and binaries numbered in the same order.
    #[test]
    fn args_write_as_the_array_with_the_name_in_front() {
        let bin = |b: &[u8]| Value::Binary(Bytes::copy_from_slice(b));
        let args = vec![
            Value::from(serde_json::json!({"id": 7, "s": "é\"\n", "f": 0.1, "n": null})),
            bin(&[1, 2]),
            Value::Array(vec![
                bin(&[3]),
                Value::from(serde_json::json!([1, [2, {}]])),
            ]),
            Value::Bool(false),
        ];
        for name in [Some("tick"), Some("a \"quoted\" name"), None] {
            let items = name
                .map(|n| Value::String(n.to_owned()))
                .into_iter()
                .chain(args.iter().cloned())
                .collect();
            let expected = Value::Array(items).deconstruct();
            assert_eq!(Args::Values(args.clone()).write(name), expected);
        }
        assert_eq!(
            Args::Values(Vec::new()).write(Some("e")),
            (r#"["e"]"#.into(), vec![])
        );
        assert_eq!(Args::Values(Vec::new()).write(None), ("[]".into(), vec![]));
    }
}
