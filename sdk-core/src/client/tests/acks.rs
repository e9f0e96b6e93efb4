//! acks tests.
