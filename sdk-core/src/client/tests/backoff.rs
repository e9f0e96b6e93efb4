//! backoff tests.
