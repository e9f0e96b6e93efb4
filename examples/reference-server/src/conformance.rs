//! Echo handlers of the official Socket.IO protocol test suite (`--conformance`).

use std::fmt;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
use socketioxide::SocketIo;
use socketioxide_core::adapter::DefinedAdapter;

use crate::state::answer;

/// Most arguments one echoed event may carry.
const MAX_ARGS: usize = 64;

/// Every argument of an event, binary attachments included. It (de)serializes
/// as a tuple, which socketioxide reads as "all arguments" rather than "the first".
#[derive(Debug, Default)]
pub struct Args(pub Vec<rmpv::Value>);

impl Serialize for Args {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut t = serializer.serialize_tuple(self.0.len())?;
        for v in &self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Args;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("event arguments")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Args, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<rmpv::Value>()? {
                    if out.len() == MAX_ARGS {
                        return Err(serde::de::Error::custom("too many arguments"));
                    }
                    out.push(v);
                }
                Ok(Args(out))
            }
        }
        deserializer.deserialize_tuple(MAX_ARGS, V)
    }
}

/// Registers `/` and `/custom` as the protocol test suite expects.
pub fn register<A: Adapter + DefinedAdapter>(io: &SocketIo<A>) -> Vec<A::InitRes> {
    vec![io.ns("/", on_connect), io.ns("/custom", on_custom_connect)]
}

async fn on_connect<A: Adapter>(s: SocketRef<A>, TryData(auth): TryData<rmpv::Value>) {
    let _ = s.emit("auth", &auth.unwrap_or(rmpv::Value::Map(Vec::new())));
    s.on(
        "message",
        async |s: SocketRef<A>, Data(args): Data<Args>| {
            let _ = s.emit("message-back", &args);
        },
    );
    s.on(
        "message-with-ack",
        async |Data(args): Data<Args>, ack: AckSender<A>| {
            answer(ack, &args);
        },
    );
}

async fn on_custom_connect<A: Adapter>(s: SocketRef<A>, TryData(auth): TryData<rmpv::Value>) {
    let _ = s.emit("auth", &auth.unwrap_or(rmpv::Value::Map(Vec::new())));
}
