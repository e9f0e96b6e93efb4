//! buffer tests.
