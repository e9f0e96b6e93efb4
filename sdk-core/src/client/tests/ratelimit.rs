//! ratelimit tests.
