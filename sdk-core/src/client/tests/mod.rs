//! Deterministic tests of the client state machine.
