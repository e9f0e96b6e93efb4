//! A typed decode that is also the decoder's validation
//! ([`socketio::decode_first_arg`](crate::socketio::decode_first_arg)).
//!
//! A derived `Deserialize` reads what it knows and skips the rest with
//! `IgnoredAny`, which serde_json walks without converting numbers or
//! reading strings, and it lets serde_json nest 128 deep where the core
//! stops at [`Limits::max_depth`](crate::Limits). Decoding straight from
//! serde_json would then accept text the decoder refuses (`1e999` in a
//! field the model ignores), and a packet the core would have closed the
//! connection for would reach the application. [`Strict`] sits between
//! serde_json and the model: it counts containers as the validator does and
//! walks every skipped value with the validator's own [`Checked`], so one
//! pass both decodes and validates.
//!
//! Two serde_json paths read text without the validator's checks: byte
//! strings and `RawValue`. A model reaching either marks the pass `lax`, and
//! the caller then runs the validator as well.

use crate::prelude::*;
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, Error as _, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use crate::socketio::Checked;

/// serde_json's marker for `RawValue`, whose text it copies unchecked.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// What every wrapper carries down: the validator's walker at this depth
/// (containers still allowed below, the pass's depth flag), and the
/// pass's `lax` flag.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    walk: Checked<'a>,
    lax: &'a Cell<bool>,
}

impl<'a> Ctx<'a> {
    fn enter<E: serde::de::Error>(self) -> Result<Self, E> {
        Ok(Self {
            walk: self.walk.enter()?,
            ..self
        })
    }

    /// The validator's walker at this depth, for a value the model skips.
    fn checked(self) -> Checked<'a> {
        self.walk
    }
}

/// `["name", first, ...]` → `first` as `T`, checked as the validator
/// checks; `Ok(None)` when there is no argument. Sets nothing else: see
/// the module doc for `lax`.
pub(crate) fn decode_first_arg<T: serde::de::DeserializeOwned>(
    data: &str,
    limits: &crate::Limits,
) -> Result<Option<T>, serde_json::Error> {
    let too_deep = Cell::new(false);
    let lax = Cell::new(false);
    let ctx = Ctx {
        walk: Checked {
            depth_left: limits.max_depth,
            too_deep: &too_deep,
        },
        lax: &lax,
    };
    let mut de = serde_json::Deserializer::from_str(data);
    // The event array itself is walked here, unwrapped: it is one
    // container, and its elements are checked one level below it.
    let first = de.deserialize_seq(First(PhantomData, ctx.enter()?))?;
    de.end()?;
    if lax.get() {
        // A byte string or RawValue read part of the text unchecked.
        if let Err(e) = crate::socketio::validate_event_data(data, limits) {
            return Err(serde_json::Error::custom(e));
        }
    }
    Ok(first)
}

/// The event array's elements, one level below it: the first argument is
/// decoded as `T` through [`Strict`], the arguments after it are walked by
/// [`Checked`]. The name is skipped: the client read it as a string (the
/// validator's own read) before lending the event.
struct First<'a, T>(PhantomData<T>, Ctx<'a>);

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for First<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<T>, A::Error> {
        let ctx = self.1;
        seq.next_element::<IgnoredAny>()?;
        let first = seq.next_element_seed(Seed {
            seed: PhantomData::<T>,
            ctx,
        })?;
        while seq.next_element_seed(ctx.checked())?.is_some() {}
        Ok(first)
    }
}

/// A deserializer that checks what the validator checks while `T` reads.
struct Strict<'a, D> {
    de: D,
    ctx: Ctx<'a>,
}

/// The visitor of a [`Strict`] call: containers it opens are counted and
/// their elements are [`Strict`] too.
struct Wrap<'a, V> {
    v: V,
    ctx: Ctx<'a>,
}

/// A seed whose deserializer is [`Strict`].
struct Seed<'a, S> {
    seed: S,
    ctx: Ctx<'a>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Strict { de, ctx: self.ctx })
    }
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
                self.de.$method(Wrap { v, ctx: self.ctx })
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<'_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.ctx.lax.set(true);
        self.de.deserialize_bytes(Wrap { v, ctx: self.ctx })
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.ctx.lax.set(true);
        self.de.deserialize_byte_buf(Wrap { v, ctx: self.ctx })
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_unit_struct(name, Wrap { v, ctx: self.ctx })
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        if name == RAW_VALUE_TOKEN {
            self.ctx.lax.set(true);
        }
        self.de
            .deserialize_newtype_struct(name, Wrap { v, ctx: self.ctx })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple(len, Wrap { v, ctx: self.ctx })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_tuple_struct(name, len, Wrap { v, ctx: self.ctx })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_struct(name, fields, Wrap { v, ctx: self.ctx })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_enum(name, variants, Wrap { v, ctx: self.ctx })
    }

    /// What the model skips, the validator walks.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.ctx.checked().deserialize(self.de)?;
        v.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

macro_rules! pass {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: serde::de::Error>(self, x: $ty) -> Result<V::Value, E> {
                self.v.$method(x)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.expecting(f)
    }

    pass! {
        visit_bool(bool)
        visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128)
        visit_f32(f32) visit_f64(f64) visit_char(char)
        visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_none()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.v.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.v.visit_some(Strict { de, ctx: self.ctx })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.v.visit_newtype_struct(Strict { de, ctx: self.ctx })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let ctx = self.ctx.enter()?;
        self.v.visit_seq(StrictSeq { seq, ctx })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let ctx = self.ctx.enter()?;
        self.v.visit_map(StrictMap { map, ctx })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        // serde_json calls this for `"Variant"` and for `{"Variant": …}`;
        // only the second is a container, and nothing here tells them
        // apart. The payload is counted one deeper, which is right for the
        // object and never reached for the string; at the last level a
        // string variant is valid, so the validator decides instead.
        let ctx = if self.ctx.walk.depth_left == 0 {
            self.ctx.lax.set(true);
            self.ctx
        } else {
            self.ctx.enter::<A::Error>()?
        };
        self.v.visit_enum(StrictEnum { data, ctx })
    }
}

struct StrictSeq<'a, A> {
    seq: A,
    ctx: Ctx<'a>,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.seq.next_element_seed(Seed {
            seed,
            ctx: self.ctx,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

struct StrictMap<'a, A> {
    map: A,
    ctx: Ctx<'a>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(Seed {
            seed,
            ctx: self.ctx,
        })
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(Seed {
            seed,
            ctx: self.ctx,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct StrictEnum<'a, A> {
    data: A,
    ctx: Ctx<'a>,
}

impl<'a, 'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<'a, A> {
    type Error = A::Error;
    type Variant = StrictVariant<'a, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.data.variant_seed(Seed {
            seed,
            ctx: self.ctx,
        })?;
        Ok((
            value,
            StrictVariant {
                variant,
                ctx: self.ctx,
            },
        ))
    }
}

struct StrictVariant<'a, A> {
    variant: A,
    ctx: Ctx<'a>,
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictVariant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.variant.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.variant.newtype_variant_seed(Seed {
            seed,
            ctx: self.ctx,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        self.variant.tuple_variant(len, Wrap { v, ctx: self.ctx })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, A::Error> {
        self.variant
            .struct_variant(fields, Wrap { v, ctx: self.ctx })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use crate::prelude::*;

    use crate::socketio::{decode_first_arg, validate_event_data};
    use crate::Limits;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Tick {
        id: u64,
        #[serde(default)]
        data: Option<serde_json::Value>,
        #[serde(default)]
        level: Option<Level>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Level {
        Low,
        High,
    }

    #[test]
    fn decodes_what_the_validator_accepts_and_nothing_it_refuses() {
        let limits = Limits::default();
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let cases = [
            // Valid, matching.
            (r#"["tick",{"id":1}]"#.to_owned(), true, true),
            (
                r#"["tick",{"id":1,"x":[1,{"y":"z"}],"level":"high"},2,"s"]"#.into(),
                true,
                true,
            ),
            (
                format!(r#"["tick",{{"id":1,"data":{}}}]"#, nest(62)),
                true,
                true,
            ),
            (
                format!(r#"["tick",{{"id":1,"skip":{}}}]"#, nest(62)),
                true,
                true,
            ),
            // Valid, not matching.
            (r#"["tick",{"id":"one"}]"#.into(), true, false),
            (r#"["tick",{"id":1,"level":"mid"}]"#.into(), true, false),
            // Refused by the validator: each must fail the decode too,
            // in the model's fields, the fields it skips, and the other
            // arguments.
            (r#"["tick",{"id":1,"skip":1e999}]"#.into(), false, false),
            (r#"["tick",{"id":1},1e999]"#.into(), false, false),
            (r#"["tick",{"id":1,"data":1e999}]"#.into(), false, false),
            (r#"["tick",{"id":1,"skip":"\ud800"}]"#.into(), false, false),
            (r#"["tick",{"id":1},"\ud800"]"#.into(), false, false),
            (r#"["tick",{"id":1}] x"#.into(), false, false),
            (r#"["tick",{"id":1}"#.into(), false, false),
            (r#"["tick",{"id":1,}]"#.into(), false, false),
            (
                format!(r#"["tick",{{"id":1,"data":{}}}]"#, nest(63)),
                false,
                false,
            ),
            (
                format!(r#"["tick",{{"id":1,"skip":{}}}]"#, nest(63)),
                false,
                false,
            ),
            (format!(r#"["tick",{{"id":1}},{}]"#, nest(64)), false, false),
        ];
        for (text, valid, decodes) in &cases {
            assert_eq!(
                validate_event_data(text, &limits).is_ok(),
                *valid,
                "validator on {text}"
            );
            let got = decode_first_arg::<Tick>(text, &limits);
            assert_eq!(got.is_ok(), *decodes, "decode of {text}: {got:?}");
        }
        assert_eq!(
            decode_first_arg::<Tick>(r#"["tick",{"id":7,"level":"low"}]"#, &limits).unwrap(),
            Some(Tick {
                id: 7,
                data: None,
                level: Some(Level::Low)
            })
        );
        assert_eq!(
            decode_first_arg::<Tick>(r#"["tick"]"#, &limits).unwrap(),
            None
        );
    }

    #[test]
    fn raw_values_and_byte_strings_are_checked_after_the_decode() {
        #[derive(Deserialize)]
        struct Boxed {
            _v: Box<serde_json::value::RawValue>,
        }
        let limits = Limits::default();
        assert!(decode_first_arg::<Boxed>(r#"["e",{"_v":[1,2]}]"#, &limits).is_ok());
        assert!(decode_first_arg::<Boxed>(r#"["e",{"_v":[1e999]}]"#, &limits).is_err());
    }
}
