//! Socket.IO v5 codec.
//!
//! ```text
//! packet      = type [ attachments "-" ] [ nsp "," ] [ ack-id ] [ json ]
//! type        = "0" CONNECT | "1" DISCONNECT | "2" EVENT | "3" ACK
//!             | "4" CONNECT_ERROR | "5" BINARY_EVENT | "6" BINARY_ACK
//! attachments = 1*DIGIT                ; BINARY_* only
//! nsp         = "/" *( any but "," )   ; omitted for the main namespace "/"
//! ack-id      = 1*DIGIT
//! ```
//!
//! Examples from the protocol document: `40`, `40/admin,{"token":"123"}`,
//! `42["hello",1]`, `43/admin,13["bar"]`, `44{"message":"Not authorized"}`,
//! `451-["a",{"_placeholder":true,"num":0}]` followed by one binary frame.
//!
//! Packet data stays JSON text: the codec validates it (syntax, nesting
//! depth, the shape each packet type requires, binary placeholders) but does
//! not build a tree, so a browser can hand it to `JSON.parse` and a native
//! client can deserialize it once into a typed value.

use crate::prelude::*;
use alloc::borrow::Cow;

use bytes::Bytes;

use crate::value::validate_placeholders;
use crate::{Args, CapacityError, Limits, ProtocolError, Result, Value};

/// The Socket.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// `0`: join a namespace (client → server, with auth) or accept (server
    /// → client, with `{"sid"}`).
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event, `["name", ...args]`.
    Event,
    /// `3`: the answer to an event that asked for one.
    Ack,
    /// `4`: refusal of a CONNECT, with `{"message", "data"?}`.
    ConnectError,
    /// `5`: an event whose arguments hold binary attachments.
    BinaryEvent,
    /// `6`: an ack whose arguments hold binary attachments.
    BinaryAck,
}

impl PacketType {
    /// The wire character of this type.
    pub const fn as_char(self) -> char {
        match self {
            Self::Connect => '0',
            Self::Disconnect => '1',
            Self::Event => '2',
            Self::Ack => '3',
            Self::ConnectError => '4',
            Self::BinaryEvent => '5',
            Self::BinaryAck => '6',
        }
    }

    /// Whether packets of this type carry binary attachments.
    pub const fn is_binary(self) -> bool {
        matches!(self, Self::BinaryEvent | Self::BinaryAck)
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Connect => "CONNECT",
            Self::Disconnect => "DISCONNECT",
            Self::Event => "EVENT",
            Self::Ack => "ACK",
            Self::ConnectError => "CONNECT_ERROR",
            Self::BinaryEvent => "BINARY_EVENT",
            Self::BinaryAck => "BINARY_ACK",
        }
    }

    fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            b'0' => Self::Connect,
            b'1' => Self::Disconnect,
            b'2' => Self::Event,
            b'3' => Self::Ack,
            b'4' => Self::ConnectError,
            b'5' => Self::BinaryEvent,
            b'6' => Self::BinaryAck,
            _ => return None,
        })
    }
}

/// The main namespace.
pub const MAIN_NAMESPACE: &str = "/";

/// One Socket.IO packet.
///
/// `data` is JSON text. Decoded packets borrow it from the input; call
/// [`Packet::into_owned`] to keep one. For BINARY_EVENT / BINARY_ACK,
/// `attachments` holds the binary frames in order and `data` holds the
/// placeholders that refer to them; [`Packet::value`] puts them together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The packet type.
    pub packet_type: PacketType,
    /// Namespace, `/` for the main one.
    pub nsp: Cow<'a, str>,
    /// Ack id: present on an EVENT that asks for an ack and on every ACK.
    pub id: Option<u64>,
    /// The JSON payload, if any.
    pub data: Option<Cow<'a, str>>,
    /// Binary attachments of a BINARY_* packet.
    pub attachments: Vec<Bytes>,
}

impl<'a> Packet<'a> {
    /// A CONNECT to `nsp`, with the auth object as JSON text if any.
    pub fn connect(nsp: impl Into<Cow<'a, str>>, auth: Option<Cow<'a, str>>) -> Self {
        Self::new(PacketType::Connect, nsp.into(), None, auth)
    }

    /// A DISCONNECT from `nsp`.
    pub fn disconnect(nsp: impl Into<Cow<'a, str>>) -> Self {
        Self::new(PacketType::Disconnect, nsp.into(), None, None)
    }

    /// An EVENT from its data (`["name", ...args]` as JSON text).
    pub fn event(nsp: impl Into<Cow<'a, str>>, id: Option<u64>, data: Cow<'a, str>) -> Self {
        Self::new(PacketType::Event, nsp.into(), id, Some(data))
    }

    /// An ACK from its data (the arguments as a JSON array).
    pub fn ack(nsp: impl Into<Cow<'a, str>>, id: u64, data: Cow<'a, str>) -> Self {
        Self::new(PacketType::Ack, nsp.into(), Some(id), Some(data))
    }

    /// An EVENT or, when `args` contain binary values, a BINARY_EVENT.
    pub fn event_with_values(
        nsp: impl Into<Cow<'a, str>>,
        id: Option<u64>,
        name: &str,
        args: &[Value],
    ) -> Self {
        Self::event_with_args(nsp, id, name, &Args::Values(args.to_vec()))
    }

    /// An EVENT or, when `args` have attachments, a BINARY_EVENT.
    pub fn event_with_args(
        nsp: impl Into<Cow<'a, str>>,
        id: Option<u64>,
        name: &str,
        args: &Args,
    ) -> Self {
        Self::from_args(PacketType::Event, nsp.into(), id, args.write(Some(name)))
    }

    /// An ACK or, when `args` contain binary values, a BINARY_ACK.
    pub fn ack_with_values(nsp: impl Into<Cow<'a, str>>, id: u64, args: &[Value]) -> Self {
        Self::ack_with_args(nsp, id, &Args::Values(args.to_vec()))
    }

    /// An ACK or, when `args` have attachments, a BINARY_ACK.
    pub fn ack_with_args(nsp: impl Into<Cow<'a, str>>, id: u64, args: &Args) -> Self {
        Self::from_args(PacketType::Ack, nsp.into(), Some(id), args.write(None))
    }

    fn from_args(
        base: PacketType,
        nsp: Cow<'a, str>,
        id: Option<u64>,
        (json, attachments): (String, Vec<Bytes>),
    ) -> Self {
        let packet_type = match (base, attachments.is_empty()) {
            (PacketType::Event, false) => PacketType::BinaryEvent,
            (PacketType::Ack, false) => PacketType::BinaryAck,
            (t, _) => t,
        };
        Self {
            packet_type,
            nsp,
            id,
            data: Some(Cow::Owned(json)),
            attachments,
        }
    }

    fn new(
        packet_type: PacketType,
        nsp: Cow<'a, str>,
        id: Option<u64>,
        data: Option<Cow<'a, str>>,
    ) -> Self {
        Self {
            packet_type,
            nsp,
            id,
            data,
            attachments: Vec::new(),
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Packet<'static> {
        Packet {
            packet_type: self.packet_type,
            nsp: Cow::Owned(self.nsp.into_owned()),
            id: self.id,
            data: self.data.map(|d| Cow::Owned(d.into_owned())),
            attachments: self.attachments,
        }
    }

    /// The event name of an EVENT / BINARY_EVENT, parsed from the start of
    /// the data without reading the rest. `None` for other packet types.
    pub fn event_name(&self) -> Option<Cow<'_, str>> {
        if !matches!(
            self.packet_type,
            PacketType::Event | PacketType::BinaryEvent
        ) {
            return None;
        }
        event_name_of(self.data.as_deref()?)
    }

    /// The arguments as raw JSON slices: after the event name for events,
    /// all of them for acks, none for the other packet types. Placeholders
    /// are left as they are.
    ///
    /// # Errors
    /// For invalid data: a packet built by hand, or an EVENT whose data the
    /// decoder left to its consumer ([`Decoder::defer_event_data`]); other
    /// decoded packets have been validated.
    pub fn args(&self) -> Result<Vec<&serde_json::value::RawValue>> {
        let skip = match self.packet_type {
            PacketType::Event | PacketType::BinaryEvent => 1,
            PacketType::Ack | PacketType::BinaryAck => 0,
            _ => return Ok(Vec::new()),
        };
        let Some(data) = self.data.as_deref() else {
            return Ok(Vec::new());
        };
        let mut all: Vec<&serde_json::value::RawValue> =
            serde_json::from_str(data).map_err(|e| ProtocolError::InvalidJson(e.to_string()))?;
        all.drain(..skip.min(all.len()));
        Ok(all)
    }

    /// The data as a [`Value`] tree; for BINARY_* packets with the
    /// attachments in place of their placeholders. `Value::Null` when there
    /// is no data.
    ///
    /// # Errors
    /// As [`Value::reconstruct`] / [`Value::parse_json`].
    pub fn value(&self, limits: &Limits) -> Result<Value> {
        match self.data.as_deref() {
            None => Ok(Value::Null),
            Some(d) if self.packet_type.is_binary() => {
                Value::reconstruct(d, &self.attachments, limits)
            }
            Some(d) => Value::parse_json(d, limits),
        }
    }

    /// Appends the encoded text frame. For BINARY_* packets, send
    /// `attachments` as binary frames right after it, in order.
    ///
    /// `data` is written as it is: build it with `serde_json` (or the
    /// `*_with_values` constructors) so it is valid JSON.
    pub fn encode_into(&self, out: &mut String) {
        use core::fmt::Write as _;
        out.push(self.packet_type.as_char());
        if self.packet_type.is_binary() {
            let _ = write!(out, "{}-", self.attachments.len());
        }
        if self.nsp != MAIN_NAMESPACE {
            out.push_str(&self.nsp);
            out.push(',');
        }
        if let Some(id) = self.id {
            let _ = write!(out, "{id}");
        }
        if let Some(d) = &self.data {
            out.push_str(d);
        }
    }

    /// The encoded text frame (see [`Packet::encode_into`]).
    pub fn encode(&self) -> String {
        let mut out =
            String::with_capacity(self.nsp.len() + self.data.as_ref().map_or(0, |d| d.len()) + 24);
        self.encode_into(&mut out);
        out
    }
}

/// Decodes the text frame of a packet. A BINARY_* packet comes back with no
/// attachments yet, and the number it announces; [`Decoder`] collects them.
///
/// # Errors
/// A [`CapacityError`] when the input is over `limits`; a [`ProtocolError`]
/// when it breaks the grammar or the data has the wrong shape for its type.
pub fn decode_header<'a>(input: &'a str, limits: &Limits) -> Result<(Packet<'a>, usize)> {
    decode_header_with(input, limits, false, false).map(|(p, n, _)| (p, n))
}

/// [`decode_header`]; with `parse`, the data of a text EVENT or ACK comes
/// back as a [`Value`] built by the pass that validates it; with
/// `defer_events`, a text EVENT's data is checked only up to its opening
/// `["` (see [`Decoder::defer_event_data`]).
fn decode_header_with<'a>(
    input: &'a str,
    limits: &Limits,
    parse: bool,
    defer_events: bool,
) -> Result<(Packet<'a>, usize, Option<Value>)> {
    if input.len() > limits.max_packet_size {
        return Err(CapacityError::PacketTooLarge {
            size: input.len(),
            max: limits.max_packet_size,
        }
        .into());
    }
    let bytes = input.as_bytes();
    let first = *bytes.first().ok_or(ProtocolError::Empty)?;
    let packet_type = PacketType::from_byte(first)
        .ok_or_else(|| ProtocolError::UnknownSocketIoType(input.chars().next().unwrap_or('\0')))?;
    // Every boundary below is next to an ASCII byte, so slicing is safe.
    let mut pos = 1;

    let mut expected = 0usize;
    if packet_type.is_binary() {
        let digits = count_digits(&bytes[pos..]);
        if digits == 0 || bytes.get(pos + digits) != Some(&b'-') {
            return Err(ProtocolError::InvalidAttachmentCount.into());
        }
        // Over 20 digits cannot fit; parse errors mean the same as too many.
        expected = input[pos..pos + digits].parse().unwrap_or(usize::MAX);
        if expected > limits.max_attachments {
            return Err(CapacityError::TooManyAttachments {
                count: expected,
                max: limits.max_attachments,
            }
            .into());
        }
        pos += digits + 1;
    }

    let mut nsp = Cow::Borrowed(MAIN_NAMESPACE);
    if bytes.get(pos) == Some(&b'/') {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b',')
            .map_or(bytes.len(), |i| pos + i);
        nsp = Cow::Borrowed(&input[pos..end]);
        pos = (end + 1).min(bytes.len());
    }

    let digits = count_digits(&bytes[pos..]);
    let id = if digits > 0 {
        let id = input[pos..pos + digits]
            .parse::<u64>()
            .map_err(|_| ProtocolError::InvalidAckId)?;
        pos += digits;
        Some(id)
    } else {
        None
    };

    let data = (pos < bytes.len()).then(|| &input[pos..]);
    let mut tree = None;
    if let (Some(d), true, PacketType::Event | PacketType::Ack) = (data, parse, packet_type) {
        // Building the tree checks the depth and converts every number, as
        // the validation below does.
        tree = Some(Value::parse_json(d, limits)?);
    } else if let Some(d) = data {
        if !(defer_events && packet_type == PacketType::Event) {
            validate_json(d, limits.max_depth)?;
        }
    }
    if let Err(e) = check_shape(packet_type, id, data) {
        // A deferred event's text was not validated: text that is not
        // JSON at all is the validator's error, as when it is checked.
        if let (Some(d), true, PacketType::Event) = (data, defer_events, packet_type) {
            validate_json(d, limits.max_depth)?;
        }
        return Err(e);
    }
    if packet_type.is_binary() {
        validate_placeholders(data.unwrap_or("null"), expected)?;
    }

    Ok((
        Packet {
            packet_type,
            nsp,
            id,
            data: data.map(Cow::Borrowed),
            attachments: Vec::new(),
        },
        expected,
        tree,
    ))
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// The first non-blank byte of validated JSON text tells its kind.
fn json_kind(data: &str) -> u8 {
    data.trim_start().as_bytes().first().copied().unwrap_or(0)
}

fn check_shape(ty: PacketType, id: Option<u64>, data: Option<&str>) -> Result<()> {
    let bad = |reason| {
        Err(ProtocolError::InvalidPayload {
            packet: ty.name(),
            reason,
        }
        .into())
    };
    match ty {
        PacketType::Connect => match data.map(json_kind) {
            None | Some(b'{') => Ok(()),
            Some(_) => bad("must be an object"),
        },
        PacketType::Disconnect => match data {
            None => Ok(()),
            Some(_) => bad("must be empty"),
        },
        PacketType::Event | PacketType::BinaryEvent => {
            let Some(d) = data else {
                return bad("missing");
            };
            let Some(rest) = d.trim_start().strip_prefix('[') else {
                return bad("must be an array");
            };
            // The array is valid JSON, so a string first element starts
            // with a quote.
            if rest.trim_start().starts_with('"') {
                Ok(())
            } else {
                bad("must start with the event name")
            }
        }
        PacketType::Ack | PacketType::BinaryAck => {
            if id.is_none() {
                return bad("missing ack id");
            }
            match data.map(json_kind) {
                Some(b'[') => Ok(()),
                _ => bad("must be an array"),
            }
        }
        PacketType::ConnectError => match data.map(json_kind) {
            Some(b'{' | b'"') => Ok(()),
            _ => bad("must be an object or a string"),
        },
    }
}

/// Progress of [`Decoder`] after one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A complete packet.
    Packet(Packet<'a>),
    /// A binary packet is waiting for this many more binary frames. Not an
    /// error: feed them to [`Decoder::decode_binary`].
    NeedsAttachments(usize),
}

/// Decodes the stream of Engine.IO messages of one connection into
/// Socket.IO packets, reassembling binary packets from their attachments.
///
/// Reset it (or make a new one) when the transport is replaced, so a
/// half-received packet does not leak into the next session.
#[derive(Debug, Default)]
pub struct Decoder {
    limits: Limits,
    /// A binary packet and the attachments it still awaits. Boxed: it is
    /// rare and short-lived, and inline it took 100 of the decoder's
    /// bytes, which every connection keeps.
    partial: Option<Box<(Packet<'static>, usize)>>,
    defer_events: bool,
}

impl Decoder {
    /// A decoder that applies `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            partial: None,
            defer_events: false,
        }
    }

    /// With `on`, [`decode_text`](Self::decode_text) checks the data of a
    /// text EVENT (not BINARY_EVENT, not ACK) only up to its opening `["`
    /// and leaves the rest, the name included, to a consumer that parses
    /// all of it anyway: the browser's `JSON.parse` is a complete
    /// validator, and a second full pass in wasm cost as much as the rest
    /// of the decoding. Such a consumer must treat text it cannot parse as
    /// a protocol error. [`decode_text_parsed`](Self::decode_text_parsed)
    /// still parses every event. Off by default.
    pub fn defer_event_data(&mut self, on: bool) {
        self.defer_events = on;
    }

    /// Whether [`defer_event_data`](Self::defer_event_data) is on.
    pub fn defers_event_data(&self) -> bool {
        self.defer_events
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Changes the limits, e.g. to the server's `maxPayload` after the
    /// handshake.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Drops a half-received binary packet.
    pub fn reset(&mut self) {
        self.partial = None;
    }

    /// Number of attachments still awaited, 0 when none is pending.
    pub fn pending_attachments(&self) -> usize {
        self.partial.as_ref().map_or(0, |p| p.1)
    }

    /// Feeds the text of an Engine.IO message.
    ///
    /// # Errors
    /// As [`decode_header`], and [`ProtocolError::UnexpectedText`] when a
    /// binary packet still waits for attachments (that packet is dropped).
    pub fn decode_text<'a>(&mut self, text: &'a str) -> Result<Decoded<'a>> {
        self.decode_text_with(text, false).map(|(d, _)| d)
    }

    /// [`decode_text`](Self::decode_text) for a consumer that reads every
    /// packet's data: a complete text EVENT or ACK also comes back as a
    /// [`Value`] tree, built in the pass that validates it rather than in a
    /// second one.
    ///
    /// # Errors
    /// As [`decode_text`](Self::decode_text).
    pub fn decode_text_parsed<'a>(
        &mut self,
        text: &'a str,
    ) -> Result<(Decoded<'a>, Option<Value>)> {
        self.decode_text_with(text, true)
    }

    fn decode_text_with<'a>(
        &mut self,
        text: &'a str,
        parse: bool,
    ) -> Result<(Decoded<'a>, Option<Value>)> {
        if let Some(p) = self.partial.take() {
            return Err(ProtocolError::UnexpectedText { remaining: p.1 }.into());
        }
        let (packet, expected, tree) =
            decode_header_with(text, &self.limits, parse, self.defer_events)?;
        if expected == 0 {
            return Ok((Decoded::Packet(packet), tree));
        }
        let mut packet = packet.into_owned();
        packet.attachments.reserve_exact(expected);
        self.partial = Some(Box::new((packet, expected)));
        Ok((Decoded::NeedsAttachments(expected), None))
    }

    /// Feeds a binary Engine.IO message.
    ///
    /// # Errors
    /// [`ProtocolError::UnexpectedBinary`] when no binary packet waits for
    /// one; [`CapacityError::PacketTooLarge`] for an oversize frame.
    pub fn decode_binary(&mut self, data: Bytes) -> Result<Decoded<'static>> {
        if data.len() > self.limits.max_packet_size {
            self.partial = None;
            return Err(CapacityError::PacketTooLarge {
                size: data.len(),
                max: self.limits.max_packet_size,
            }
            .into());
        }
        let Some(mut partial) = self.partial.take() else {
            return Err(ProtocolError::UnexpectedBinary.into());
        };
        partial.0.attachments.push(data);
        if partial.1 == 1 {
            Ok(Decoded::Packet(partial.0))
        } else {
            partial.1 -= 1;
            let remaining = partial.1;
            self.partial = Some(partial);
            Ok(Decoded::NeedsAttachments(remaining))
        }
    }
}

/// The event name at the start of an EVENT's data, `["name", ...]`,
/// without reading the rest.
pub(crate) fn event_name_of(data: &str) -> Option<Cow<'_, str>> {
    let rest = data.trim_start().strip_prefix('[')?;
    let mut de = serde_json::Deserializer::from_str(rest);
    serde::Deserializer::deserialize_any(&mut de, NameVisitor).ok()
}

/// `json` when it is one JSON string, unescaped.
pub(crate) fn json_string(json: &str) -> Option<Cow<'_, str>> {
    serde_json::from_str::<JsonString<'_>>(json)
        .ok()
        .map(|s| s.0)
}

/// A JSON string, read as [`NameVisitor`] reads it.
pub(crate) struct JsonString<'a>(pub(crate) Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for JsonString<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        d.deserialize_any(NameVisitor).map(JsonString)
    }
}

/// Reads a string through `deserialize_any`, borrowing it when it has no
/// escapes. Not `String::deserialize`: serde's typed visitors format their
/// type errors with a float formatter that the browser build would carry.
struct NameVisitor;

impl<'de> serde::de::Visitor<'de> for NameVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an event name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> core::result::Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> core::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> core::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }

    // Anything else: an error without a formatted description.
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> core::result::Result<Self::Value, E> {
        Err(E::custom("not a string"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> core::result::Result<Self::Value, E> {
        Err(E::custom("not a string"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> core::result::Result<Self::Value, E> {
        Err(E::custom("not a string"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> core::result::Result<Self::Value, E> {
        Err(E::custom("not a string"))
    }

    fn visit_unit<E: serde::de::Error>(self) -> core::result::Result<Self::Value, E> {
        Err(E::custom("not a string"))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        _: A,
    ) -> core::result::Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom("not a string"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        _: A,
    ) -> core::result::Result<Self::Value, A::Error> {
        Err(serde::de::Error::custom("not a string"))
    }
}

/// Checks in one pass that `json` is one JSON value that [`Packet::value`]
/// can build, nested at most `max_depth` deep.
///
/// serde_json's validate-only path (`RawValue`, `IgnoredAny`) skips
/// numbers without converting them, so it accepts `1e999`, which building
/// the value then refuses; a packet the decoder calls complete must not
/// fail later. Walking with `deserialize_any` converts every number, still
/// allocates nothing for unescaped strings, and counts the depth on the
/// way, so no separate scan of the text is needed (that scan was a tenth of
/// the native receive time). serde_json stops at 128 levels on its own, so
/// a `max_depth` above that acts as 127.
fn validate_json(json: &str, max_depth: usize) -> Result<()> {
    use serde::de::DeserializeSeed;

    let too_deep = core::cell::Cell::new(false);
    let seed = Checked {
        depth_left: max_depth,
        too_deep: &too_deep,
    };
    let mut de = serde_json::Deserializer::from_str(json);
    match seed.deserialize(&mut de).and_then(|()| de.end()) {
        Ok(()) => Ok(()),
        Err(_) if too_deep.get() => Err(CapacityError::TooDeep { max: max_depth }.into()),
        Err(e) => Err(ProtocolError::InvalidJson(e.to_string()).into()),
    }
}

/// The decoder's check of packet data (syntax, depth, every number
/// convertible), for the data of an EVENT a driver took unchecked
/// (see [`Client::handle_text_event_unchecked`](crate::client::Client::handle_text_event_unchecked)):
/// the same check, with the same error, the decoder makes.
///
/// # Errors
/// [`ProtocolError::InvalidJson`] or [`CapacityError::TooDeep`].
pub fn validate_event_data(data: &str, limits: &Limits) -> Result<()> {
    validate_json(data, limits.max_depth)
}

/// Decodes the first argument of an EVENT's data, `["name", arg, ...]`,
/// into `T` in one pass that also checks everything
/// [`validate_event_data`] checks: the nesting depth, every number
/// converted, every string read, and the parts `T` does not read (the
/// other arguments, fields `T` ignores) walked as the validator walks
/// them. So `Ok` means the text is one the decoder accepts; `Ok(None)`
/// that the event has no argument.
///
/// The name is only skipped: it must be one the client has read already,
/// as it reads the name of every event it hands to a driver (a lent
/// [`TextEvent`](crate::client::TextEvent) included).
///
/// # Errors
/// serde_json's error when the text is malformed or `T` does not match it.
/// The error does not tell which: [`validate_event_data`] does.
pub fn decode_first_arg<T: serde::de::DeserializeOwned>(
    data: &str,
    limits: &Limits,
) -> core::result::Result<Option<T>, serde_json::Error> {
    crate::strict::decode_first_arg(data, limits)
}

/// Walks one JSON value as [`validate_json`] does: containers at most
/// `depth_left` deep, every number converted.
#[derive(Clone, Copy)]
pub(crate) struct Checked<'a> {
    /// Containers that may still open below this value.
    pub(crate) depth_left: usize,
    pub(crate) too_deep: &'a core::cell::Cell<bool>,
}

impl Checked<'_> {
    pub(crate) fn enter<E: serde::de::Error>(self) -> core::result::Result<Self, E> {
        if self.depth_left == 0 {
            self.too_deep.set(true);
            return Err(E::custom("too deep"));
        }
        Ok(Self {
            depth_left: self.depth_left - 1,
            ..self
        })
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Checked<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> core::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Checked<'_> {
    type Value = ();
    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> core::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> core::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> core::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> core::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> core::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> core::result::Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> core::result::Result<(), A::Error> {
        let inner = self.enter()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> core::result::Result<(), A::Error> {
        let inner = self.enter()?;
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}
