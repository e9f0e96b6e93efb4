//! heartbeat tests.
