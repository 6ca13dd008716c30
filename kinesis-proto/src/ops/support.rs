//! Small pieces the consumer, tag, policy, account, channel and queue
//! operations share: string enums that survive values added to the service
//! later, an optional-timestamp serde adapter, and the input checks that
//! `crate::validate` does not cover.

use std::collections::BTreeMap;

use crate::error::UsageError;

/// Declares a string enum as the service sends it: one variant per known
/// value plus `Unknown(String)`, so a value added to the service later parses
/// instead of failing the whole answer. Serializes back to the same text.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as the service writes it.
            $vis fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok($name::from(text.as_ref()))
            }
        }
    };
}
pub(crate) use string_enum;

/// `Option<time::OffsetDateTime>` through `crate::wire::timestamp`: absent or
/// `null` is `None`.
pub(crate) mod timestamp_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    #[derive(Deserialize)]
    struct Present(#[serde(with = "crate::wire::timestamp")] OffsetDateTime);

    pub(crate) fn serialize<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => crate::wire::timestamp::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
        Ok(Option::<Present>::deserialize(d)?.map(|p| p.0))
    }
}

/// Most tags one request may add (the per-resource limit).
pub(crate) const MAX_TAGS_PER_REQUEST: usize = 50;
/// Longest tag key, in characters.
pub(crate) const MAX_TAG_KEY_CHARS: usize = 128;
/// Longest tag value, in characters.
pub(crate) const MAX_TAG_VALUE_CHARS: usize = 256;
/// Longest ARN the service accepts.
pub(crate) const MAX_ARN_CHARS: usize = 2048;
/// Longest consumer, queue or channel name.
pub(crate) const MAX_NAME_CHARS: usize = 128;
/// Longest receipt handle.
pub(crate) const MAX_RECEIPT_HANDLE_CHARS: usize = 1024;
/// Longest visibility timeout, in seconds (12 hours).
pub(crate) const MAX_VISIBILITY_TIMEOUT_SECONDS: u32 = 43_200;

/// `value` has between `min` and `max` characters.
pub(crate) fn check_chars(field: impl Into<String>, value: &str, min: usize, max: usize) -> Result<(), UsageError> {
    let n = value.chars().count();
    if n < min || n > max {
        let field = field.into();
        return Err(if n == 0 {
            UsageError::new(field, "must not be empty")
        } else {
            UsageError::new(field, format!("has {n} characters, allowed {min} to {max}"))
        });
    }
    Ok(())
}

/// `value` lies in `min..=max`.
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display>(
    field: impl Into<String>,
    value: T,
    min: T,
    max: T,
) -> Result<(), UsageError> {
    if value < min || value > max {
        return Err(UsageError::new(field.into(), format!("is {value}, allowed {min} to {max}")));
    }
    Ok(())
}

/// A list has between `min` and `max` entries.
pub(crate) fn check_count(field: impl Into<String>, count: usize, min: usize, max: usize) -> Result<(), UsageError> {
    if count < min || count > max {
        return Err(UsageError::new(
            field.into(),
            format!("has {count} entries, allowed {min} to {max}"),
        ));
    }
    Ok(())
}

/// A consumer or queue name: 1–128 of `a-z A-Z 0-9 _ . -`.
pub(crate) fn check_name(field: impl Into<String>, value: &str) -> Result<(), UsageError> {
    let field = field.into();
    check_chars(field.clone(), value, 1, MAX_NAME_CHARS)?;
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(UsageError::new(
            field,
            format!("contains {bad:?}; only letters, digits, '_', '.' and '-' are allowed"),
        ));
    }
    Ok(())
}

/// A Kinesis ARN whose resource part starts with one of `kinds` followed by
/// `/` (`stream`, `queue`, `channel`…): `arn:aws…:kinesis:{region}:{12 digits}:{kind}/…`.
pub(crate) fn check_kinesis_arn(field: impl Into<String>, value: &str, kinds: &[&str]) -> Result<(), UsageError> {
    let field = field.into();
    check_chars(field.clone(), value, 1, MAX_ARN_CHARS)?;
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "kinesis"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && !value.chars().any(char::is_whitespace);
    if !well_formed {
        return Err(UsageError::new(
            field,
            "is not a Kinesis ARN (arn:aws…:kinesis:{region}:{account}:…)",
        ));
    }
    let resource = parts[5];
    let kind_ok = kinds.iter().any(|kind| {
        resource
            .strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.is_empty())
    });
    if !kind_ok {
        return Err(UsageError::new(
            field,
            format!("is not the ARN of a {}", kinds.join(" or ")),
        ));
    }
    Ok(())
}

/// A consumer ARN: `arn:aws…:kinesis:{region}:{account}:stream/{stream}/consumer/{name}:{timestamp}`.
pub(crate) fn check_consumer_arn(field: impl Into<String>, value: &str) -> Result<(), UsageError> {
    let field = field.into();
    check_kinesis_arn(field.clone(), value, &["stream"])?;
    if !is_consumer_resource(value) {
        return Err(UsageError::new(field, "is not the ARN of a stream consumer"));
    }
    Ok(())
}

/// Whether the ARN's resource part is `stream/{s}/consumer/{c}:{digits}`.
fn is_consumer_resource(arn: &str) -> bool {
    let Some(resource) = arn.splitn(6, ':').nth(5) else {
        return false;
    };
    let mut segments = resource.splitn(4, '/');
    let (Some("stream"), Some(stream), Some("consumer"), Some(rest)) =
        (segments.next(), segments.next(), segments.next(), segments.next())
    else {
        return false;
    };
    let Some((name, created)) = rest.rsplit_once(':') else {
        return false;
    };
    !stream.is_empty() && !name.is_empty() && !created.is_empty() && created.bytes().all(|b| b.is_ascii_digit())
}

/// A stream ARN or a consumer ARN: what resource policies and
/// resource tags address.
pub(crate) fn check_resource_arn(field: impl Into<String>, value: &str) -> Result<(), UsageError> {
    check_kinesis_arn(field, value, &["stream", "queue", "channel"])
}

/// Tags to add: 1–50 pairs, keys 1–128 characters, values up to 256.
pub(crate) fn check_tags(field: &str, tags: &BTreeMap<String, String>) -> Result<(), UsageError> {
    check_count(field, tags.len(), 1, MAX_TAGS_PER_REQUEST)?;
    for (key, value) in tags {
        check_chars(format!("{field}.{key}"), key, 1, MAX_TAG_KEY_CHARS)?;
        check_chars(format!("{field}[{key}]"), value, 0, MAX_TAG_VALUE_CHARS)?;
    }
    Ok(())
}

/// Tag keys to remove: 1–50 keys of 1–128 characters.
pub(crate) fn check_tag_keys(field: &str, keys: &[String]) -> Result<(), UsageError> {
    check_count(field, keys.len(), 1, MAX_TAGS_PER_REQUEST)?;
    for (i, key) in keys.iter().enumerate() {
        check_chars(format!("{field}[{i}]"), key, 1, MAX_TAG_KEY_CHARS)?;
    }
    Ok(())
}

/// Exactly one of StreamName and StreamARN, each well formed.
pub(crate) fn check_stream_address(name: Option<&str>, arn: Option<&str>) -> Result<(), UsageError> {
    match (name, arn) {
        (Some(_), Some(_)) => Err(UsageError::new(
            "StreamARN",
            "give StreamName or StreamARN, not both",
        )),
        (None, None) => Err(UsageError::new("StreamName", "give StreamName or StreamARN")),
        (Some(name), None) => check_name("StreamName", name),
        (None, Some(arn)) => check_kinesis_arn("StreamARN", arn, &["stream"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    const CONSUMER: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1700000000";

    string_enum! {
        /// A test enum.
        enum Colour {
            /// Red.
            Red => "RED",
            /// Dark blue.
            DarkBlue => "DARK_BLUE",
        }
    }

    #[test]
    fn string_enum_round_trips_known_and_unknown_values() {
        let parsed: Vec<Colour> = serde_json::from_str(r#"["RED","DARK_BLUE","MAUVE"]"#).unwrap();
        assert_eq!(parsed, vec![Colour::Red, Colour::DarkBlue, Colour::Unknown("MAUVE".into())]);
        assert_eq!(serde_json::to_string(&parsed).unwrap(), r#"["RED","DARK_BLUE","MAUVE"]"#);
        assert_eq!(Colour::DarkBlue.to_string(), "DARK_BLUE");
    }

    #[test]
    fn arns_are_checked_by_kind_and_account() {
        assert!(check_kinesis_arn("StreamARN", STREAM, &["stream"]).is_ok());
        assert!(check_kinesis_arn("StreamARN", "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s", &["stream"]).is_ok());
        let e = check_kinesis_arn("QueueARN", STREAM, &["queue"]).unwrap_err();
        assert_eq!(e.field, "QueueARN");
        assert!(check_kinesis_arn("StreamARN", "arn:aws:kinesis:us-east-1:12345:stream/s", &["stream"]).is_err());
        assert!(check_kinesis_arn("StreamARN", "arn:aws:sqs:us-east-1:123456789012:stream/s", &["stream"]).is_err());
        assert!(check_kinesis_arn("StreamARN", "arn:aws:kinesis:us-east-1:123456789012:stream/", &["stream"]).is_err());
        assert!(check_kinesis_arn("StreamARN", "", &["stream"]).is_err());
    }

    #[test]
    fn consumer_arns_need_the_consumer_part() {
        assert!(check_consumer_arn("ConsumerARN", CONSUMER).is_ok());
        assert!(check_consumer_arn("ConsumerARN", STREAM).is_err());
        assert!(check_consumer_arn("ConsumerARN", &format!("{STREAM}/consumer/app")).is_err());
    }

    #[test]
    fn names_tags_and_ranges() {
        assert!(check_name("ConsumerName", "app-1.v2_x").is_ok());
        assert_eq!(check_name("ConsumerName", "a b").unwrap_err().field, "ConsumerName");
        assert!(check_name("ConsumerName", &"a".repeat(129)).is_err());
        let mut tags = BTreeMap::new();
        assert!(check_tags("Tags", &tags).is_err());
        tags.insert("team".to_owned(), "x".repeat(257));
        assert_eq!(check_tags("Tags", &tags).unwrap_err().field, "Tags[team]");
        assert!(check_range("Limit", 0u32, 1, 10).is_err());
        assert!(check_range("Limit", 10u32, 1, 10).is_ok());
    }

    #[test]
    fn stream_address_needs_exactly_one() {
        assert!(check_stream_address(Some("s"), None).is_ok());
        assert!(check_stream_address(None, Some(STREAM)).is_ok());
        assert_eq!(check_stream_address(Some("s"), Some(STREAM)).unwrap_err().field, "StreamARN");
        assert_eq!(check_stream_address(None, None).unwrap_err().field, "StreamName");
    }
}

/// Compiles every example expression of the operation table as a doctest
/// (`cargo test --doc`), checking that it builds a value of the listed input
/// type from names in `kinesis_proto::ops` alone.
#[cfg(doctest)]
mod table_examples {
    macro_rules! examples {
        ($([$method:ident, $ty:ident, $summary:literal, $example:literal]),* $(,)?) => {
            $(
                #[doc = concat!(
                    "```\nuse kinesis_proto::ops::*;\nlet input: ", stringify!($ty), " = ",
                    $example, ";\n# let _ = input;\n```"
                )]
                pub struct $ty;
            )*
        };
    }
    crate::for_each_operation!(examples);
}

#[cfg(test)]
mod table_tests {
    use crate::operation::{Operation, Plane};

    macro_rules! collect {
        ($([$method:ident, $ty:ident, $summary:literal, $example:literal]),* $(,)?) => {
            vec![$(
                (stringify!($method), <crate::ops::$ty as Operation>::NAME, <crate::ops::$ty as Operation>::PLANE, $summary)
            ),*]
        };
    }

    /// `PutRecord` → `put_record`.
    fn snake(name: &str) -> String {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn table_methods_match_operation_names_once_each() {
        let table = crate::for_each_operation!(collect);
        let mut names: Vec<&str> = table.iter().map(|(_, name, _, _)| *name).collect();
        for (method, name, _, summary) in &table {
            assert_eq!(*method, snake(name), "method name of {name}");
            assert!(summary.ends_with('.') && !summary.is_empty(), "summary of {name}");
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "an operation is listed twice");
    }

    #[test]
    fn ops_b_planes() {
        let table = crate::for_each_operation!(collect);
        let data: Vec<&str> = table
            .iter()
            .filter(|(_, _, plane, _)| *plane == Plane::Data)
            .map(|(_, name, _, _)| *name)
            .collect();
        for name in [
            "SubscribeToShard",
            "ReceiveQueueRecords",
            "AcknowledgeQueueRecords",
            "UpdateQueueRecordsVisibility",
            "ReceiveDeadLetterQueueRecords",
            "AcknowledgeDeadLetterQueueRecords",
            "UpdateDeadLetterQueueRecordsVisibility",
            "RestoreDeadLetterQueueRecords",
        ] {
            assert!(data.contains(&name), "{name} should be a data-plane operation");
        }
        assert!(!data.contains(&"CreateQueue") && !data.contains(&"DescribeChannel"));
    }
}
