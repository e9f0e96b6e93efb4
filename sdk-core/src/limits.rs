//! Size bounds applied to everything decoded from the network.

/// Bounds on untrusted input. Every decoder in this crate checks them before
/// allocating, so a hostile peer cannot make the client use unbounded memory
/// or stack.
///
/// The defaults match the official server's defaults where one exists
/// (`maxHttpBufferSize` = 1 MB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest Engine.IO packet (text or binary) and longest polling payload,
    /// in bytes. The server's `maxPayload` from the handshake is the usual
    /// value to use once connected.
    pub max_packet_size: usize,
    /// Longest long-polling response body, in bytes. A server writes every
    /// packet it has buffered into one response, and does not bound that
    /// by its `maxPayload`; each packet in it is still bounded by
    /// [`max_packet_size`](Self::max_packet_size).
    pub max_polling_body: usize,
    /// Most binary attachments one Socket.IO packet may announce. Each is
    /// one Engine.IO packet, so a binary packet waiting for its
    /// attachments holds at most `max_attachments` × `max_packet_size`
    /// bytes (64 MB by default).
    pub max_attachments: usize,
    /// Deepest JSON nesting (arrays and objects) accepted in packet data.
    pub max_depth: usize,
}

impl Limits {
    /// Default [`max_packet_size`](Self::max_packet_size): 1 MB.
    pub const DEFAULT_MAX_PACKET_SIZE: usize = 1_000_000;
    /// Default [`max_polling_body`](Self::max_polling_body): 16 MiB.
    pub const DEFAULT_MAX_POLLING_BODY: usize = 16 * 1024 * 1024;
    /// Default [`max_attachments`](Self::max_attachments).
    pub const DEFAULT_MAX_ATTACHMENTS: usize = 64;
    /// Default [`max_depth`](Self::max_depth).
    pub const DEFAULT_MAX_DEPTH: usize = 64;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_packet_size: Self::DEFAULT_MAX_PACKET_SIZE,
            max_polling_body: Self::DEFAULT_MAX_POLLING_BODY,
            max_attachments: Self::DEFAULT_MAX_ATTACHMENTS,
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }
}
