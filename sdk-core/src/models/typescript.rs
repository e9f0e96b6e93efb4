//! TypeScript declarations of the event models (feature `ts`).
//!
//! The npm package's types come from here and nowhere else: [`files`]
//! renders one `.ts` file per product into memory, and a test compares them
//! with the checked-in copies under [`OUTPUT_DIR`], failing on any
//! difference. After changing a model, regenerate with
//!
//! ```text
//! UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::
//! ```
//!
//! Each product file declares its payload types (prefixed with the product,
//! so `OmniNotification` and `MarketplaceNotification` can live side by
//! side) and two maps from event name to payload type, e.g.
//! `OmniServerEvents` for `on` and `OmniClientEvents` for `emit`.

use crate::prelude::*;

use ts_rs::{Config, TS};

/// Where the generated files live, relative to the workspace root.
pub const OUTPUT_DIR: &str = "npm/src/generated";

const HEADER: &str = "// Generated from the Rust types in sdk-core/src/models by ts-rs.\n\
// Do not edit: run `UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::`.\n";

/// Name of the shared file that declares `JsonValue`.
const JSON_FILE: &str = "json.ts";

fn config() -> Config {
    // JSON numbers reach JavaScript as `number`; ids and clocks in these
    // protocols stay far below 2^53, so `bigint` would only be in the way.
    Config::new().with_large_int("number")
}

/// `export type X = …;` with the type's doc comment, after a blank line.
pub(crate) fn declare<T: TS>(cfg: &Config) -> String {
    let mut out = String::from("\n");
    if let Some(docs) = T::docs() {
        out.push_str(&docs);
    }
    out.push_str("export ");
    out.push_str(&T::decl(cfg));
    out.push('\n');
    out
}

fn product_file(body: String) -> String {
    let mut out = String::from(HEADER);
    // Only files that mention JSON values import the shared declaration, so
    // none has an unused import.
    if body.contains("JsonValue") {
        out.push_str("\nimport type { JsonValue } from \"./json.js\";\n");
    }
    out.push_str(&body);
    out
}

/// ts-rs leaves a space after each opening brace; trailing whitespace in
/// checked-in files only makes noisy diffs.
fn tidy(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_end().to_owned() + "\n")
        .collect()
}

/// The generated files as `(file name, contents)`, in a fixed order.
pub fn files() -> Vec<(&'static str, String)> {
    raw_files()
        .into_iter()
        .map(|(name, text)| (name, tidy(&text)))
        .collect()
}

fn raw_files() -> Vec<(&'static str, String)> {
    let cfg = config();
    let products = [
        ("omni.ts", super::omni::typescript(&cfg)),
        ("deployments.ts", super::deployments::typescript(&cfg)),
        ("doa.ts", super::doa::typescript(&cfg)),
        ("fama.ts", super::fama::typescript(&cfg)),
        ("marketplace.ts", super::marketplace::typescript(&cfg)),
    ];
    let mut index = String::from(HEADER);
    index.push('\n');
    index.push_str("export type { JsonValue } from \"./json.js\";\n");
    let mut files = vec![(
        JSON_FILE,
        format!("{HEADER}{}", declare::<serde_json::Value>(&cfg)),
    )];
    for (file_name, body) in products {
        // NodeNext resolution wants the extension of the emitted module.
        let module = file_name.trim_end_matches(".ts");
        index.push_str(&format!("export type * from \"./{module}.js\";\n"));
        files.push((file_name, product_file(body)));
    }
    files.push(("index.ts", index));
    files.push(("rooms.ts", rooms_file()));
    files.push(("driver.ts", driver_file(&cfg)));
    files.push(("options.ts", options_file(&cfg)));
    files
}

/// The options the core reads ([`crate::client::ClientConfig`], as
/// `CoreOptions`): the npm package's options are these, made optional, with
/// the few that only JavaScript has.
fn options_file(cfg: &Config) -> String {
    use crate::client::{
        ClientConfig, HeartbeatConfig, HeartbeatMode, OverflowPolicy, Product, Rate,
        RateLimitConfig, RateTable,
    };
    let mut out = String::from(HEADER);
    out.push_str("\nimport type { TransportKind } from \"./driver.js\";\n");
    for decl in [
        declare::<OverflowPolicy>(cfg),
        declare::<HeartbeatMode>(cfg),
        declare::<HeartbeatConfig>(cfg),
        declare::<Product>(cfg),
        declare::<Rate>(cfg),
        // `RateLimitConfig.namespaces` names it.
        declare::<RateTable>(cfg),
        declare::<RateLimitConfig>(cfg),
        declare::<ClientConfig>(cfg),
    ] {
        out.push_str(&decl);
    }
    out
}

/// The records the browser driver hands the npm wrapper
/// ([`crate::client::records`]) and the `DriverEvents` map from each event
/// kind to its record.
fn driver_file(cfg: &Config) -> String {
    use crate::client::records::*;
    use crate::client::{
        AckFailure, AuthFailureSource, DisconnectReason, LatencyStats, TransportKind,
    };
    let mut out = String::from(HEADER);
    for decl in [
        declare::<TransportKind>(cfg),
        declare::<DisconnectReason>(cfg),
        declare::<AckFailure>(cfg),
        declare::<AuthFailureSource>(cfg),
        declare::<LatencyStats>(cfg),
        declare::<RoomStateName>(cfg),
        declare::<DropReasonName>(cfg),
        declare::<ConnectionStateName>(cfg),
        declare::<OpenRecord>(cfg),
        declare::<UpgradeRecord>(cfg),
        declare::<ConnectRecord>(cfg),
        declare::<ConnectErrorRecord>(cfg),
        declare::<DisconnectRecord>(cfg),
        declare::<AckRecord>(cfg),
        declare::<AckFailedRecord>(cfg),
        declare::<ReconnectAttemptRecord>(cfg),
        declare::<ReconnectingRecord>(cfg),
        declare::<ReconnectRecord>(cfg),
        declare::<ReconnectErrorRecord>(cfg),
        declare::<ReconnectFailedRecord>(cfg),
        declare::<LatencyRecord>(cfg),
        declare::<RoomStatus>(cfg),
        declare::<AuthFailedRecord>(cfg),
        declare::<AuthRequestedRecord>(cfg),
        declare::<AuthFailuresRecord>(cfg),
        declare::<RateLimitedRecord>(cfg),
        declare::<EmitDroppedRecord>(cfg),
        declare::<ProtocolErrorRecord>(cfg),
    ] {
        out.push_str(&decl);
    }
    out.push_str(
        "\n/** Each event kind the driver reports (besides `message`) and its record. */\n\
         export interface DriverEvents {\n",
    );
    for (kind, record) in KINDS {
        out.push_str(&format!("  {kind}: {record};\n"));
    }
    out.push_str("}\n");
    out
}

/// The room presets ([`crate::client::PRESETS`]) as a constant, so
/// JavaScript names a room's subscription key exactly as the core does,
/// even before the WebAssembly is loaded.
fn rooms_file() -> String {
    use crate::client::PresetAnswer;
    let mut out = String::from(HEADER);
    for line in [
        "",
        "/**",
        " * Room presets: the description field that names the room, the prefix of",
        " * its subscription key, whether the id is a number (a string of digits",
        " * counts as one, without leading zeros), the events that join and leave,",
        " * and how the product's server answers a join: `\"ack\"` (the join's ack,",
        " * `{success: false, code, message}` refusing it) or the events that",
        " * confirm and refuse it, naming the room in `field`.",
        " */",
        "export const ROOM_PRESETS = {",
    ] {
        out.push_str(line);
        out.push('\n');
    }
    for p in crate::client::PRESETS {
        let answer = match p.answer {
            PresetAnswer::Ack => "\"ack\"".to_owned(),
            PresetAnswer::Events {
                confirm,
                failure,
                field,
            } => format!("{{ confirm: {confirm:?}, failure: {failure:?}, field: {field:?} }}"),
        };
        out.push_str(&format!(
            "  {}: {{ field: {:?}, keyPrefix: {:?}, numeric: {}, join: {:?}, leave: {:?}, answer: {answer} }},\n",
            p.name, p.field, p.key_prefix, p.numeric, p.join, p.leave
        ));
    }
    out.push_str("} as const;\n");
    // The room descriptions `join()` takes, one per preset (an Omni room
    // may name its type; otherwise it follows from the name), and the
    // custom pair of events.
    out.push_str(
        "\n/** A room to join: a seed preset, or a custom pair of events. */\n\
         export type RoomDescription =\n",
    );
    for p in crate::client::PRESETS {
        let id = if p.numeric {
            "number | string"
        } else {
            "string"
        };
        let extra = if p.name == "omni" {
            "; type?: string"
        } else {
            ""
        };
        out.push_str(&format!(
            "  | {{ preset: {:?}; {}: {id}{extra} }}\n",
            p.name, p.field
        ));
    }
    for line in [
        "  | {",
        "      preset: \"custom\";",
        "      key: string;",
        "      join: { event: string; args?: unknown[] };",
        "      leave: { event: string; args?: unknown[] };",
        "      confirm?: { event: string; field?: string; value?: unknown };",
        "      failure?: { event: string; field?: string; value?: unknown };",
        "      /** Ask the join for an ack: joined unless it answers `{success: false}`. */",
        "      ack?: boolean;",
        "    };",
    ] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn output_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(OUTPUT_DIR)
    }

    /// The drift check: the checked-in declarations must be exactly what the
    /// Rust types produce.
    #[test]
    fn generated_typescript_is_up_to_date() {
        let dir = output_dir();
        let update = std::env::var_os("UPDATE_TS").is_some_and(|v| !v.is_empty() && v != "0");
        let mut stale = Vec::new();
        for (name, contents) in files() {
            let path = dir.join(name);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &contents).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(on_disk) if on_disk == contents => {}
                _ => stale.push(path.display().to_string()),
            }
        }
        assert!(
            stale.is_empty(),
            "TypeScript declarations are out of date with the Rust models: {stale:?}\n\
             regenerate them with: UPDATE_TS=1 cargo test -p omni-socket-core --features ts models::"
        );
    }

    /// Every type a generated file names is declared in it or imported:
    /// ts-rs names a field's type without declaring it, and an undeclared
    /// one breaks the npm build (`tsc`) though the file is "up to date".
    #[test]
    fn every_type_named_is_declared_or_imported() {
        const BUILTIN: &[&str] = &["Array", "Record", "Partial", "Readonly", "Uint8Array"];
        for (name, text) in files() {
            // Comments name Rust items; only the code counts.
            let code: String = text
                .lines()
                .filter(|l| {
                    let t = l.trim_start();
                    !(t.starts_with("//") || t.starts_with("/*") || t.starts_with('*'))
                })
                .collect::<Vec<_>>()
                .join("\n");
            let known = |ident: &str| {
                BUILTIN.contains(&ident)
                    || code.contains(&format!("export type {ident} "))
                    || code.contains(&format!("export type {ident}<"))
                    || code.contains(&format!("export interface {ident} "))
                    || code.lines().any(|l| {
                        l.starts_with("import type {")
                            && l.split(['{', '}', ',']).any(|part| part.trim() == ident)
                    })
            };
            let bytes = code.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                // A type position: after `: `, `<`, `| ` or `, `.
                let after_type_marker = i >= 2
                    && (&bytes[i - 2..i] == b": "
                        || &bytes[i - 2..i] == b"| "
                        || bytes[i - 1] == b'<');
                if after_type_marker && bytes[i].is_ascii_uppercase() {
                    let end = code[i..]
                        .find(|c: char| !c.is_ascii_alphanumeric())
                        .map_or(code.len(), |n| i + n);
                    let ident = &code[i..end];
                    assert!(
                        known(ident),
                        "{name} names `{ident}` without declaring or importing it"
                    );
                    i = end;
                } else {
                    i += 1;
                }
            }
        }
    }

    #[test]
    fn every_event_name_is_in_its_map() {
        use crate::models::*;
        let all = files();
        let text = |file: &str| {
            all.iter()
                .find(|(n, _)| *n == file)
                .map(|(_, c)| c.clone())
                .unwrap()
        };
        let groups: [(&str, &[&str]); 10] = [
            ("omni.ts", omni::OmniServerEvent::NAMES),
            ("omni.ts", omni::OmniClientEvent::NAMES),
            ("deployments.ts", deployments::DeploymentsServerEvent::NAMES),
            ("deployments.ts", deployments::DeploymentsClientEvent::NAMES),
            ("doa.ts", doa::DoaServerEvent::NAMES),
            ("doa.ts", doa::DoaClientEvent::NAMES),
            ("fama.ts", fama::FamaServerEvent::NAMES),
            ("fama.ts", fama::FamaClientEvent::NAMES),
            ("marketplace.ts", marketplace::MarketplaceServerEvent::NAMES),
            ("marketplace.ts", marketplace::MarketplaceClientEvent::NAMES),
        ];
        for (file, names) in groups {
            let contents = text(file);
            for name in names {
                assert!(
                    contents.contains(&format!("  {name:?}: ")),
                    "{name} missing from {file}"
                );
            }
        }
    }
}
