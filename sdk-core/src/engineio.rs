//! Engine.IO v4 codec.
//!
//! ```text
//! packet   = type [ data ]
//! type     = "0" open | "1" close | "2" ping | "3" pong
//!          | "4" message | "5" upgrade | "6" noop
//! open     = "0" handshake-json      ; {"sid","upgrades","pingInterval","pingTimeout","maxPayload"}
//! payload  = record *( %x1E record ) ; HTTP long-polling body
//! record   = packet | "b" base64     ; "b" marks a binary message
//! ```
//!
//! Over WebSocket every text frame is one `packet`, and a binary frame is a
//! binary message as it is (no type prefix). The upgrade probe is
//! `2probe` → `3probe`, then `5`.

use crate::prelude::*;
use alloc::borrow::Cow;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::{CapacityError, Error, Limits, ProtocolError, Result};

/// Record separator between packets of a long-polling payload.
pub const RECORD_SEPARATOR: char = '\x1e';

/// The Engine.IO packet types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// `0`: handshake, server → client.
    Open,
    /// `1`: the session is closed.
    Close,
    /// `2`: heartbeat request (server → client in v4) and upgrade probe.
    Ping,
    /// `3`: heartbeat answer and probe answer.
    Pong,
    /// `4`: application data (a Socket.IO packet).
    Message,
    /// `5`: completes the upgrade to WebSocket.
    Upgrade,
    /// `6`: forces a pending long-polling request to return during upgrade.
    Noop,
}

impl PacketType {
    /// The wire character of this type.
    pub const fn as_char(self) -> char {
        match self {
            Self::Open => '0',
            Self::Close => '1',
            Self::Ping => '2',
            Self::Pong => '3',
            Self::Message => '4',
            Self::Upgrade => '5',
            Self::Noop => '6',
        }
    }

    fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            b'0' => Self::Open,
            b'1' => Self::Close,
            b'2' => Self::Ping,
            b'3' => Self::Pong,
            b'4' => Self::Message,
            b'5' => Self::Upgrade,
            b'6' => Self::Noop,
            _ => return None,
        })
    }
}

/// The JSON body of the open packet.
///
/// Read by hand from a JSON tree ([`Handshake::from_json`], which
/// `Deserialize` uses too): serde's typed visitors carry its error texts,
/// and those pull float formatting into the browser build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// Session id, used in polling URLs and in the WebSocket upgrade.
    pub sid: String,
    /// Transports the session may upgrade to (`["websocket"]` over polling).
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// Milliseconds between the server's pings.
    pub ping_interval: u64,
    /// Milliseconds the server waits for a pong; the client also allows this
    /// much beyond `ping_interval` before it declares the link dead.
    pub ping_timeout: u64,
    /// Largest payload in bytes the server accepts in one polling request.
    #[serde(default = "default_max_payload")]
    pub max_payload: u64,
}

fn default_max_payload() -> u64 {
    Limits::DEFAULT_MAX_PACKET_SIZE as u64
}

impl Handshake {
    /// Reads the open packet's JSON: `sid`, `pingInterval` and
    /// `pingTimeout` are required, `upgrades` defaults to none and
    /// `maxPayload` to the default packet limit; other fields are ignored.
    ///
    /// # Errors
    /// The name of the first missing or mistyped field.
    pub fn from_json(v: &serde_json::Value) -> core::result::Result<Self, &'static str> {
        let uint = |k: &'static str| v.get(k).and_then(serde_json::Value::as_u64).ok_or(k);
        let upgrades = match v.get("upgrades") {
            None => Vec::new(),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|u| u.as_str().map(str::to_owned).ok_or("upgrades"))
                .collect::<core::result::Result<_, _>>()?,
            Some(_) => return Err("upgrades"),
        };
        Ok(Self {
            sid: v
                .get("sid")
                .and_then(serde_json::Value::as_str)
                .ok_or("sid")?
                .to_owned(),
            upgrades,
            ping_interval: uint("pingInterval")?,
            ping_timeout: uint("pingTimeout")?,
            max_payload: match v.get("maxPayload") {
                None => default_max_payload(),
                Some(_) => uint("maxPayload")?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Handshake {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Self::from_json(&v)
            .map_err(|field| serde::de::Error::custom(format_args!("missing or invalid `{field}`")))
    }
}

/// One decoded Engine.IO packet.
///
/// Text data borrows from the input; binary data is [`Bytes`] so it can be
/// handed on (and re-sent on retry) without copying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet<'a> {
    /// `0{…}`: the handshake.
    Open(Handshake),
    /// `1`.
    Close,
    /// `2` with optional data (`probe` during an upgrade).
    Ping(Cow<'a, str>),
    /// `3` with optional data (`probe` during an upgrade).
    Pong(Cow<'a, str>),
    /// `4…`: a text message, normally an encoded Socket.IO packet.
    Message(Cow<'a, str>),
    /// A binary message: a WebSocket binary frame or a `b…` polling record.
    Binary(Bytes),
    /// `5`.
    Upgrade,
    /// `6`.
    Noop,
}

impl Packet<'_> {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Self::Open(_) => PacketType::Open,
            Self::Close => PacketType::Close,
            Self::Ping(_) => PacketType::Ping,
            Self::Pong(_) => PacketType::Pong,
            Self::Message(_) | Self::Binary(_) => PacketType::Message,
            Self::Upgrade => PacketType::Upgrade,
            Self::Noop => PacketType::Noop,
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Packet<'static> {
        match self {
            Self::Open(h) => Packet::Open(h),
            Self::Close => Packet::Close,
            Self::Ping(d) => Packet::Ping(Cow::Owned(d.into_owned())),
            Self::Pong(d) => Packet::Pong(Cow::Owned(d.into_owned())),
            Self::Message(d) => Packet::Message(Cow::Owned(d.into_owned())),
            Self::Binary(b) => Packet::Binary(b),
            Self::Upgrade => Packet::Upgrade,
            Self::Noop => Packet::Noop,
        }
    }

    /// Appends the packet as it is sent in a WebSocket text frame or in a
    /// polling payload. A [`Packet::Binary`] is written as a `b`-prefixed
    /// base64 record, which is the polling form; over WebSocket send its
    /// bytes as a binary frame instead.
    pub fn encode_into(&self, out: &mut String) {
        match self {
            Self::Open(h) => {
                out.push('0');
                // Serializing a struct of strings and integers cannot fail.
                out.push_str(&serde_json::to_string(h).unwrap_or_default());
            }
            Self::Ping(d) | Self::Pong(d) | Self::Message(d) => {
                out.push(self.packet_type().as_char());
                out.push_str(d);
            }
            Self::Binary(b) => {
                out.push('b');
                crate::b64::encode_into(b, out);
            }
            Self::Close | Self::Upgrade | Self::Noop => out.push(self.packet_type().as_char()),
        }
    }

    /// The packet encoded as a string (see [`Packet::encode_into`]).
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(self.encoded_len_hint());
        self.encode_into(&mut out);
        out
    }

    fn encoded_len_hint(&self) -> usize {
        match self {
            Self::Ping(d) | Self::Pong(d) | Self::Message(d) => d.len() + 1,
            Self::Binary(b) => b.len().div_ceil(3) * 4 + 1,
            Self::Open(_) => 128,
            _ => 1,
        }
    }
}

fn check_size(len: usize, limits: &Limits) -> Result<()> {
    check_len(len, limits.max_packet_size)
}

fn check_len(len: usize, max: usize) -> Result<()> {
    if len > max {
        return Err(CapacityError::PacketTooLarge { size: len, max }.into());
    }
    Ok(())
}

/// Decodes one packet from a WebSocket text frame (or one polling record
/// that is not `b`-prefixed).
///
/// # Errors
/// [`CapacityError::PacketTooLarge`] over `limits.max_packet_size`; a
/// [`ProtocolError`] for an empty input, an unknown type, a malformed
/// handshake, or data on a packet type that carries none.
pub fn decode_text<'a>(input: &'a str, limits: &Limits) -> Result<Packet<'a>> {
    check_size(input.len(), limits)?;
    let first = *input.as_bytes().first().ok_or(ProtocolError::Empty)?;
    let ty = PacketType::from_byte(first)
        .ok_or_else(|| ProtocolError::UnknownEngineIoType(input.chars().next().unwrap_or('\0')))?;
    // The type is one ASCII byte, so index 1 is a char boundary.
    let data = &input[1..];
    let no_data = |packet: &'static str| -> Result<()> {
        if data.is_empty() {
            Ok(())
        } else {
            Err(ProtocolError::UnexpectedData { packet }.into())
        }
    };
    Ok(match ty {
        PacketType::Open => {
            let v = crate::Value::parse_json_tree(data, limits)
                .map_err(|e| ProtocolError::InvalidHandshake(e.to_string()))?;
            Packet::Open(Handshake::from_json(&v).map_err(|field| {
                ProtocolError::InvalidHandshake(format!("missing or invalid `{field}`"))
            })?)
        }
        PacketType::Close => {
            no_data("close")?;
            Packet::Close
        }
        PacketType::Ping => Packet::Ping(Cow::Borrowed(data)),
        PacketType::Pong => Packet::Pong(Cow::Borrowed(data)),
        PacketType::Message => Packet::Message(Cow::Borrowed(data)),
        PacketType::Upgrade => {
            no_data("upgrade")?;
            Packet::Upgrade
        }
        PacketType::Noop => {
            no_data("noop")?;
            Packet::Noop
        }
    })
}

/// Decodes a WebSocket binary frame: in Engine.IO v4 it is a binary message
/// with no type prefix.
///
/// # Errors
/// [`CapacityError::PacketTooLarge`] over `limits.max_packet_size`.
pub fn decode_binary(input: Bytes, limits: &Limits) -> Result<Packet<'static>> {
    check_size(input.len(), limits)?;
    Ok(Packet::Binary(input))
}

/// Decodes a long-polling response body into its packets, lazily.
///
/// The whole body is checked against `limits.max_polling_body` first, and
/// each record against `limits.max_packet_size` (a binary one before its
/// base64 is decoded). Iteration stops after the first error.
///
/// # Errors
/// The iterator yields [`CapacityError::PacketTooLarge`] for a body or a
/// record over its bound, the first record's error as in [`decode_text`],
/// or [`ProtocolError::InvalidBase64`] for a bad binary record.
pub fn decode_payload<'a>(input: &'a str, limits: &Limits) -> PayloadDecoder<'a> {
    let state = match check_len(input.len(), limits.max_polling_body) {
        Err(e) => PayloadState::Failed(Some(e)),
        Ok(()) if input.is_empty() => PayloadState::Failed(Some(ProtocolError::Empty.into())),
        Ok(()) => PayloadState::Records(input.split(RECORD_SEPARATOR)),
    };
    PayloadDecoder {
        state,
        limits: *limits,
    }
}

/// Iterator returned by [`decode_payload`].
#[derive(Debug)]
pub struct PayloadDecoder<'a> {
    state: PayloadState<'a>,
    limits: Limits,
}

#[derive(Debug)]
enum PayloadState<'a> {
    Records(core::str::Split<'a, char>),
    Failed(Option<Error>),
}

impl<'a> Iterator for PayloadDecoder<'a> {
    type Item = Result<Packet<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let records = match &mut self.state {
            PayloadState::Failed(e) => return e.take().map(Err),
            PayloadState::Records(r) => r,
        };
        let record = records.next()?;
        let item = match record.strip_prefix('b') {
            // The decoded size is known from the text: checked before
            // decoding anything.
            Some(b64) => check_size(base64_decoded_len(b64), &self.limits).and_then(|()| {
                let bytes = crate::b64::decode(b64).ok_or(ProtocolError::InvalidBase64)?;
                check_size(bytes.len(), &self.limits)?;
                Ok(Packet::Binary(Bytes::from(bytes)))
            }),
            None => decode_text(record, &self.limits),
        };
        if item.is_err() {
            self.state = PayloadState::Failed(None);
        }
        Some(item)
    }
}

/// Bytes that `b64` decodes to, if it is valid base64.
fn base64_decoded_len(b64: &str) -> usize {
    let padding = b64.bytes().rev().take_while(|&c| c == b'=').count();
    (b64.len() * 3 / 4).saturating_sub(padding)
}

/// Encodes packets as one long-polling request body.
pub fn encode_payload<'p, 'a: 'p>(packets: impl IntoIterator<Item = &'p Packet<'a>>) -> String {
    let mut out = String::new();
    for (i, p) in packets.into_iter().enumerate() {
        if i > 0 {
            out.push(RECORD_SEPARATOR);
        }
        p.encode_into(&mut out);
    }
    out
}
