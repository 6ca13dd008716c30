//! Structures come only from JSON objects.
//!
//! A `#[derive(Deserialize)]` struct also reads a sequence, member by
//! member in declaration order, and with every member `#[serde(default)]`
//! (as error correction wants, see [`super`]) even `[]` reads as a
//! structure of defaults. JSON has no positional structures: an array where
//! a structure belongs is not the answer's shape and must fail the parse.
//! [`from_slice`] parses through [`Strict`], a deserializer adapter that
//! refuses a sequence wherever a struct is asked for, at any depth, and
//! otherwise hands every call to serde_json unchanged (borrowed strings and
//! `RawValue` included).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::Deserialize;

/// Parses one JSON value from `body` as `T`, structures only from objects,
/// and nothing but white space after it (as `serde_json::from_slice`).
pub(crate) fn from_slice<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = T::deserialize(Strict(&mut de))?;
    de.end()?;
    Ok(value)
}

/// A deserializer that asks `D` for the same thing, with visitors that
/// wrap every nested deserializer the same way.
pub(crate) struct Strict<D>(pub(crate) D);

/// A visitor that hands everything to `V`, wrapping nested access.
struct Nested<V>(V);

/// The visitor of a struct: as [`Nested`], but a sequence is refused.
struct StructOnly<V>(V);

/// A seed that deserializes through [`Strict`].
struct Seed<S>(S);

/// Sequence and map access whose elements deserialize through [`Strict`].
struct Access<A>(A);

macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(Nested(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Nested(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Nested(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Nested(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Nested(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, StructOnly(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        // Enum payloads are not read by any output type; handed on as is.
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The `Visitor` methods both wrappers hand on unchanged, and those whose
/// nested deserializer or access they wrap.
macro_rules! visitor_body {
    () => {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
            self.0.visit_bool(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
            self.0.visit_i64(v)
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<V::Value, E> {
            self.0.visit_i128(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
            self.0.visit_u64(v)
        }
        fn visit_u128<E: de::Error>(self, v: u128) -> Result<V::Value, E> {
            self.0.visit_u128(v)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
            self.0.visit_f64(v)
        }
        fn visit_char<E: de::Error>(self, v: char) -> Result<V::Value, E> {
            self.0.visit_char(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
            self.0.visit_str(v)
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
            self.0.visit_borrowed_str(v)
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
            self.0.visit_string(v)
        }
        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
            self.0.visit_bytes(v)
        }
        fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
            self.0.visit_borrowed_bytes(v)
        }
        fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
            self.0.visit_byte_buf(v)
        }
        fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
            self.0.visit_none()
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.0.visit_some(Strict(d))
        }
        fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
            self.0.visit_unit()
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.0.visit_newtype_struct(Strict(d))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.0.visit_map(Access(map))
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
            self.0.visit_enum(data)
        }
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Nested<V> {
    visitor_body!();

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Access(seq))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StructOnly<V> {
    visitor_body!();

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<V::Value, A::Error> {
        Err(de::Error::invalid_type(Unexpected::Seq, &self))
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Access<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Access<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::from_slice;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default, rename = "A")]
        a: String,
        #[serde(default, rename = "B")]
        b: u32,
    }

    #[derive(Debug, Deserialize)]
    struct Outer {
        #[serde(default, rename = "Inner", deserialize_with = "crate::wire::nullable")]
        inner: Inner,
        #[serde(default, rename = "List")]
        list: Vec<Inner>,
        #[serde(default, rename = "Maybe")]
        maybe: Option<Inner>,
        #[serde(default, rename = "Raw")]
        raw: Option<Box<serde_json::value::RawValue>>,
    }

    #[test]
    fn serde_json_alone_reads_arrays_as_structs() {
        // What the adapter is for: without it these parse.
        let out: Outer = serde_json::from_str(r#"{"Inner": ["x", 2]}"#).unwrap();
        assert_eq!(
            out.inner,
            Inner {
                a: "x".into(),
                b: 2
            }
        );
        assert!(serde_json::from_str::<Outer>("[]").is_ok());
    }

    #[test]
    fn arrays_where_structs_belong_fail_at_any_depth() {
        for body in [
            "[]",
            r#"{"Inner": []}"#,
            r#"{"Inner": ["x", 2]}"#,
            r#"{"List": [[]]}"#,
            r#"{"List": [{"A": "x"}, ["y"]]}"#,
            r#"{"Maybe": []}"#,
        ] {
            let e = from_slice::<Outer>(body.as_bytes()).expect_err(body);
            assert!(
                e.to_string().contains("invalid type: sequence"),
                "{body}: {e}"
            );
        }
    }

    #[test]
    fn objects_missing_members_and_null_still_read() {
        let out: Outer =
            from_slice(br#"{"Inner": null, "List": [{"A": "x"}, {}], "Maybe": {"B": 3}, "Raw": [1, {"a": []}]}"#)
                .unwrap();
        assert_eq!(out.inner, Inner::default());
        assert_eq!(
            out.list,
            [
                Inner {
                    a: "x".into(),
                    b: 0
                },
                Inner::default()
            ]
        );
        assert_eq!(
            out.maybe,
            Some(Inner {
                a: String::new(),
                b: 3
            })
        );
        assert_eq!(out.raw.unwrap().get(), r#"[1, {"a": []}]"#);
        let empty: Outer = from_slice(b"{}").unwrap();
        assert_eq!((empty.inner, empty.list.len()), (Inner::default(), 0));
        assert!(empty.maybe.is_none() && empty.raw.is_none());
    }

    #[test]
    fn trailing_bytes_fail_as_with_serde_json() {
        assert!(from_slice::<Outer>(b"{} x").is_err());
        assert!(from_slice::<Outer>(b" {} \n").is_ok());
    }
}
