//! Decodes Engine.IO / Socket.IO frames and shows what they mean.
//!
//! ```text
//! cargo run -p omni-socket-core --example inspect -- '42["hello",1]' '451-["a",{"_placeholder":true,"num":0}]'
//! ```
//!
//! Each argument is one WebSocket text frame (Engine.IO packet). With no
//! arguments it walks through the examples of the protocol documents.

use omni_socket_core::socketio::{Decoded, Decoder};
use omni_socket_core::{engineio, Limits};

const EXAMPLES: &[&str] = &[
    r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
    "2",
    "3",
    "2probe",
    "5",
    "40",
    r#"40/admin,{"token":"123"}"#,
    r#"42["hello",1]"#,
    r#"43/admin,13["bar"]"#,
    r#"44{"message":"Not authorized"}"#,
    r#"451-["a",{"_placeholder":true,"num":0}]"#,
    r#"42["broken""#,
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let frames: Vec<&str> = if args.is_empty() {
        EXAMPLES.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    let limits = Limits::default();
    for frame in frames {
        println!("{frame}");
        match engineio::decode_text(frame, &limits) {
            Err(e) => println!("  engine.io: error: {e}"),
            Ok(engineio::Packet::Message(msg)) => {
                println!("  engine.io: message");
                // A fresh decoder per frame: frames given here are unrelated.
                match Decoder::new(limits).decode_text(&msg) {
                    Err(e) => println!("  socket.io: error: {e}"),
                    Ok(Decoded::NeedsAttachments(n)) => {
                        println!("  socket.io: binary packet header, waits for {n} attachment(s)")
                    }
                    Ok(Decoded::Packet(p)) => {
                        println!(
                            "  socket.io: {:?} nsp={} id={:?}",
                            p.packet_type, p.nsp, p.id
                        );
                        if let Some(name) = p.event_name() {
                            println!("  event: {name}");
                        }
                        if let Some(data) = &p.data {
                            println!("  data: {data}");
                        }
                    }
                }
            }
            Ok(other) => println!("  engine.io: {other:?}"),
        }
    }
}
