//! The one place where an event name, its payload type and its enum variant
//! are written down together. Decoding, [`Event`](super::Event) impls and the
//! TypeScript event maps are all generated from that list, so they cannot
//! disagree.

/// Declares a direction's event enum and implements [`Event`](super::Event)
/// for each payload type.
///
/// ```text
/// events! {
///     /// Doc of the enum.
///     pub enum OmniServerEvent as "OmniServerEvents" {
///         RoomLeft(RoomLeft) = "room_left",
///     }
/// }
/// ```
///
/// The string after `as` names the generated TypeScript interface that maps
/// each event name to its payload type.
macro_rules! events {
    (
        $(#[$meta:meta])*
        pub enum $Enum:ident as $ts_map:literal {
            $( $Variant:ident($Payload:ty) = $name:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $Enum {
            $(
                #[doc = concat!("`", $name, "`")]
                $Variant($Payload),
            )*
            /// An event this product's seed does not describe, as raw JSON.
            Unknown($crate::models::UnknownEvent),
        }

        $(
            impl $crate::models::Event for $Payload {
                const NAME: &'static str = $name;
            }
        )*

        impl $Enum {
            /// The event names this enum models, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// Decodes an event from its name and its arguments after the
            /// name (as [`Packet::args`](crate::socketio::Packet::args)
            /// gives them). Unknown names become the `Unknown` variant.
            ///
            /// # Errors
            /// When a known event's payload is missing or has the wrong shape.
            pub fn decode(
                name: &str,
                args: &[&::serde_json::value::RawValue],
            ) -> ::core::result::Result<Self, $crate::models::DecodeError> {
                match name {
                    $(
                        $name => <$Payload as $crate::models::Event>::from_args(args)
                            .map(Self::$Variant),
                    )*
                    _ => Ok(Self::Unknown($crate::models::UnknownEvent::new(name, args))),
                }
            }

            /// Decodes an EVENT / BINARY_EVENT packet.
            ///
            /// # Errors
            /// [`DecodeError::NotAnEvent`](crate::models::DecodeError::NotAnEvent)
            /// for other packet types, otherwise as [`Self::decode`].
            pub fn from_packet(
                packet: &$crate::socketio::Packet<'_>,
            ) -> ::core::result::Result<Self, $crate::models::DecodeError> {
                let (name, args) = $crate::models::packet_parts(packet)?;
                Self::decode(&name, &args)
            }

            /// The event name.
            pub fn name(&self) -> &str {
                match self {
                    $( Self::$Variant(_) => $name, )*
                    Self::Unknown(u) => &u.name,
                }
            }

            /// The data of an EVENT packet, `["name",payload]`.
            ///
            /// # Errors
            /// Only if a `Serialize` impl fails, which the derived ones here
            /// do not.
            pub fn to_event_data(&self) -> ::serde_json::Result<String> {
                match self {
                    $( Self::$Variant(p) => $crate::models::event_data($name, p), )*
                    Self::Unknown(u) => u.to_event_data(),
                }
            }

            /// The TypeScript interface mapping each event name to its
            /// payload type.
            #[cfg(feature = "ts")]
            // A direction without events (FAMA's client) never reads `cfg`.
            #[allow(unused_variables)]
            pub(crate) fn ts_event_map(cfg: &::ts_rs::Config) -> String {
                let mut out = format!("export interface {} {{\n", $ts_map);
                $(
                    out.push_str(&format!(
                        "  {:?}: {};\n",
                        $name,
                        <$Payload as ::ts_rs::TS>::name(cfg)
                    ));
                )*
                out.push_str("}\n");
                out
            }
        }
    };
}

/// Renders the TypeScript declarations of a product module: each payload
/// type, then the event maps of its enums.
#[cfg(feature = "ts")]
macro_rules! ts_decls {
    ($cfg:expr; $($T:ty),* ; $($E:ty),*) => {{
        let mut out = String::new();
        $( out.push_str(&$crate::models::typescript::declare::<$T>($cfg)); )*
        $( out.push('\n'); out.push_str(&<$E>::ts_event_map($cfg)); )*
        out
    }};
}
