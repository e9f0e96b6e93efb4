//! Errors of the codecs and the state machine.
//!
//! One [`Error`] type with two families pulled in with `#[from]`: a
//! [`ProtocolError`] means the peer sent something that is not valid
//! Engine.IO v4 / Socket.IO v5; a [`CapacityError`] means it was valid but
//! larger than the configured [`Limits`](crate::Limits) allow. Both come from
//! untrusted input: the right reaction is to close the transport with the
//! error as the reason (the state machine reports it as `parse error`) and
//! reconnect. Neither is a bug in the caller.

use crate::prelude::*;
/// Result type of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong while decoding input from the network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input breaks the protocol grammar.
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// The input is over a configured limit.
    #[error("capacity error: {0}")]
    Capacity(#[from] CapacityError),
}

/// The peer sent input that is not valid Engine.IO v4 or Socket.IO v5.
///
/// Close the transport and treat the connection as lost; retrying the same
/// input gives the same error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// An empty frame where a packet was expected.
    #[error("empty packet")]
    Empty,
    /// The first character is not an Engine.IO packet type (`0`..=`6`).
    // `'{0}'`, not `{0:?}`: char escaping costs the browser build the
    // Unicode printability tables.
    #[error("unknown Engine.IO packet type '{0}'")]
    UnknownEngineIoType(char),
    /// The first character is not a Socket.IO packet type (`0`..=`6`).
    #[error("unknown Socket.IO packet type '{0}'")]
    UnknownSocketIoType(char),
    /// The open packet's handshake JSON is missing fields or malformed.
    #[error("invalid Engine.IO handshake: {0}")]
    InvalidHandshake(String),
    /// A packet type that carries no data carried some.
    #[error("{packet} packet must not carry data")]
    UnexpectedData {
        /// Name of the packet type.
        packet: &'static str,
    },
    /// A `b`-prefixed polling record is not valid base64.
    #[error("invalid base64 in polling payload")]
    InvalidBase64,
    /// The binary attachment count (`5<n>-…`) is malformed.
    #[error("invalid binary attachment count")]
    InvalidAttachmentCount,
    /// An ack id is not a decimal number that fits in 64 bits.
    #[error("invalid ack id")]
    InvalidAckId,
    /// The packet data is not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The JSON is valid but has the wrong shape for the packet type, e.g. an
    /// EVENT whose data is not an array starting with the event name.
    #[error("invalid {packet} payload: {reason}")]
    InvalidPayload {
        /// Name of the packet type.
        packet: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A binary placeholder names an attachment that does not exist, or is
    /// referenced twice, or an attachment is never referenced.
    #[error("invalid binary placeholder: {0}")]
    InvalidPlaceholder(&'static str),
    /// A binary frame arrived while no binary packet was waiting for one.
    #[error("binary frame without a pending binary packet")]
    UnexpectedBinary,
    /// A text packet arrived while a binary packet still waited for
    /// attachments.
    #[error("text packet while {remaining} binary attachment(s) were still expected")]
    UnexpectedText {
        /// Attachments that were still missing.
        remaining: usize,
    },
}

/// Valid input that is larger than the configured [`Limits`](crate::Limits).
///
/// Not a protocol violation as such, but the connection cannot continue
/// without trusting the peer with unbounded memory, so close it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CapacityError {
    /// A packet or polling payload is longer than allowed.
    #[error("packet of {size} bytes is over the limit of {max} bytes")]
    PacketTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// A binary packet announces more attachments than allowed.
    #[error("{count} binary attachments are over the limit of {max}")]
    TooManyAttachments {
        /// Announced number of attachments.
        count: usize,
        /// The configured maximum.
        max: usize,
    },
    /// JSON nested deeper than allowed.
    #[error("JSON nested deeper than {max} levels")]
    TooDeep {
        /// The configured maximum depth.
        max: usize,
    },
}
