//! Input validation against the service limits: one small helper per rule,
//! shared by every operation's [`Operation::validate`](crate::Operation::validate).
//!
//! Each helper takes the field name the way the API spells it (a
//! `&'static str` such as `"StreamName"`, or an owned name such as
//! `"Records[3].PartitionKey"`) and returns a [`UsageError`] naming it.
//! Lengths of text are counted in Unicode characters unless a helper says
//! bytes. Explicit hash keys are `u128` everywhere, in range by type.

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::arn::{KinesisArn, KinesisResource};
use crate::error::UsageError;
use crate::limits::Limits;

/// A field name: static for top-level fields, owned for list entries.
pub(crate) type Field = Cow<'static, str>;

pub(crate) use crate::limits::{
    MAX_ARN_CHARS, MAX_GET_RECORDS_LIMIT, MAX_NAME_CHARS, MAX_PARTITION_KEY_CHARS,
    MAX_SEQUENCE_NUMBER_DIGITS, MAX_SHARD_ITERATOR_CHARS, MAX_TAGS_PER_CALL, MAX_TAG_KEYS_PER_CALL,
    MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS,
};

fn error(field: impl Into<Field>, problem: impl Into<String>) -> UsageError {
    UsageError::new(field, problem)
}

/// Rejects control characters (U+0000–U+001F, U+007F–U+009F): for every
/// string that may end up in a header (an ARN picks the host name) or that
/// a service name pattern forbids anyway.
pub(crate) fn no_control_chars(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    match value.chars().position(char::is_control) {
        Some(at) => Err(error(
            field,
            format!("contains a control character at position {at}"),
        )),
        None => Ok(()),
    }
}

/// `value` must be `min..=max` characters long.
pub(crate) fn char_length(
    field: impl Into<Field>,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), UsageError> {
    // Byte length bounds the character count from above: skip counting when
    // even the bytes fit.
    if value.len() >= min && value.len() <= max {
        return Ok(());
    }
    let chars = value.chars().count();
    if chars < min {
        if min == 1 {
            return Err(error(field, "must not be empty"));
        }
        return Err(error(
            field,
            format!("must be at least {min} characters, is {chars}"),
        ));
    }
    if chars > max {
        return Err(error(
            field,
            format!("must be at most {max} characters, is {chars}"),
        ));
    }
    Ok(())
}

/// A name of the `[a-zA-Z0-9_.-]{1,128}` family: stream, consumer, shard.
fn simple_name(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    let field = field.into();
    if value.is_empty() {
        return Err(error(field, "must not be empty"));
    }
    if value.len() > MAX_NAME_CHARS {
        return Err(error(
            field,
            format!(
                "must be at most {MAX_NAME_CHARS} characters, is {}",
                value.chars().count()
            ),
        ));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(error(
            field,
            format!("may hold only letters, digits, '_', '.' and '-', found {bad:?}"),
        ));
    }
    Ok(())
}

/// A stream name: 1–128 characters of `[a-zA-Z0-9_.-]`.
pub(crate) fn stream_name(field: impl Into<Field>, name: &str) -> Result<(), UsageError> {
    simple_name(field, name)
}

/// A consumer name: 1–128 characters of `[a-zA-Z0-9_.-]`.
pub(crate) fn consumer_name(field: impl Into<Field>, name: &str) -> Result<(), UsageError> {
    simple_name(field, name)
}

/// A shard id: 1–128 characters of `[a-zA-Z0-9_.-]`.
pub(crate) fn shard_id(field: impl Into<Field>, id: &str) -> Result<(), UsageError> {
    simple_name(field, id)
}

/// A Kinesis ARN whose resource `accept` takes; `what` names that resource
/// for the error ("stream", "queue"…).
fn kinesis_arn(
    field: impl Into<Field>,
    text: &str,
    what: &str,
    accept: impl FnOnce(&KinesisResource<'_>) -> bool,
) -> Result<(), UsageError> {
    match KinesisArn::parse(text) {
        Ok(arn) if accept(&arn.resource) => Ok(()),
        Ok(arn) => Err(error(
            field,
            format!("is the ARN of a {}, not of a {what}", arn.resource.kind()),
        )),
        Err(e) => Err(error(field, format!("is not the ARN of a {what}: {e}"))),
    }
}

/// A stream ARN: `arn:{partition}:kinesis:{region}:{account}:stream/{name}`.
pub(crate) fn stream_arn(field: impl Into<Field>, text: &str) -> Result<(), UsageError> {
    kinesis_arn(field, text, "stream", |r| {
        matches!(r, KinesisResource::Stream { .. })
    })
}

/// A consumer ARN: `…:stream/{stream}/consumer/{name}`, with or without the
/// `:{creation-epoch}` suffix.
pub(crate) fn consumer_arn(field: impl Into<Field>, text: &str) -> Result<(), UsageError> {
    kinesis_arn(field, text, "stream consumer", |r| {
        matches!(r, KinesisResource::Consumer { .. })
    })
}

/// A queue ARN: `…:queue/{id}`.
pub(crate) fn queue_arn(field: impl Into<Field>, text: &str) -> Result<(), UsageError> {
    kinesis_arn(field, text, "queue", |r| {
        matches!(r, KinesisResource::Queue { .. })
    })
}

/// A channel ARN: `…:channel/{id}`.
pub(crate) fn channel_arn(field: impl Into<Field>, text: &str) -> Result<(), UsageError> {
    kinesis_arn(field, text, "channel", |r| {
        matches!(r, KinesisResource::Channel { .. })
    })
}

/// The ARN of anything Kinesis tags or attaches a policy to: a stream, a
/// consumer, a queue or a channel.
pub(crate) fn resource_arn(field: impl Into<Field>, text: &str) -> Result<(), UsageError> {
    kinesis_arn(field, text, "stream, consumer, queue or channel", |_| true)
}

/// An ARN of another service (an IAM role, an S3 bucket, a Glue schema):
/// 1–2048 characters; the service that owns it checks the rest.
pub(crate) fn foreign_arn(field: impl Into<Field>, text: &str) -> Result<(), UsageError> {
    char_length(field, text, 1, MAX_ARN_CHARS)
}

/// A partition key: 1–256 Unicode characters.
pub(crate) fn partition_key(field: impl Into<Field>, key: &str) -> Result<(), UsageError> {
    char_length(field, key, 1, MAX_PARTITION_KEY_CHARS)
}

/// One record's size: its data plus its partition key (UTF-8 bytes), which
/// the service counts together against the maximum record size.
pub(crate) fn record_size(
    field: impl Into<Field>,
    data: &[u8],
    partition_key: &str,
    limits: &Limits,
) -> Result<(), UsageError> {
    let size = data.len() + partition_key.len();
    if size > limits.max_record_bytes {
        return Err(error(
            field,
            format!(
                "record is {size} bytes (data {} + partition key {}), the limit is {} bytes",
                data.len(),
                partition_key.len(),
                limits.max_record_bytes
            ),
        ));
    }
    Ok(())
}

/// The entry count of one PutRecords request: `1..=max_put_records_entries`.
pub(crate) fn put_records_count(count: usize, limits: &Limits) -> Result<(), UsageError> {
    if count == 0 {
        return Err(error("Records", "must hold at least one record"));
    }
    if count > limits.max_put_records_entries {
        return Err(error(
            "Records",
            format!(
                "holds {count} records, the limit is {}",
                limits.max_put_records_entries
            ),
        ));
    }
    Ok(())
}

/// The total size of one PutRecords request (data plus partition keys of
/// every entry). `index` is the entry that crossed the limit.
pub(crate) fn put_records_size(
    total: usize,
    index: usize,
    limits: &Limits,
) -> Result<(), UsageError> {
    if total > limits.max_put_records_request_bytes {
        return Err(error(
            format!("Records[{index}].Data"),
            format!(
                "request reaches {total} bytes of data and partition keys at this entry, the limit is {} bytes",
                limits.max_put_records_request_bytes
            ),
        ));
    }
    Ok(())
}

/// An integer within `min..=max`.
pub(crate) fn range<T: PartialOrd + std::fmt::Display>(
    field: impl Into<Field>,
    value: T,
    min: T,
    max: T,
) -> Result<(), UsageError> {
    if value < min || value > max {
        return Err(error(field, format!("is {value}, must be {min} to {max}")));
    }
    Ok(())
}

/// An integer of at least `min`.
pub(crate) fn at_least<T: PartialOrd + std::fmt::Display>(
    field: impl Into<Field>,
    value: T,
    min: T,
) -> Result<(), UsageError> {
    if value < min {
        return Err(error(field, format!("is {value}, must be at least {min}")));
    }
    Ok(())
}

/// The `Limit` of GetRecords: 1–10000.
pub(crate) fn get_records_limit(limit: u32) -> Result<(), UsageError> {
    range("Limit", limit, 1, MAX_GET_RECORDS_LIMIT)
}

/// A shard iterator: 1–512 characters.
pub(crate) fn shard_iterator(field: impl Into<Field>, iterator: &str) -> Result<(), UsageError> {
    char_length(field, iterator, 1, MAX_SHARD_ITERATOR_CHARS)
}

/// A sequence number: decimal digits without leading zeros (`0|[1-9]\d{0,128}`).
pub(crate) fn sequence_number(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    let field = field.into();
    if value.is_empty() {
        return Err(error(field, "must not be empty"));
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(field, "must be a decimal number"));
    }
    if value.len() > 1 && value.starts_with('0') {
        return Err(error(field, "must not have leading zeros"));
    }
    if value.len() > MAX_SEQUENCE_NUMBER_DIGITS {
        return Err(error(
            field,
            format!("must be at most {MAX_SEQUENCE_NUMBER_DIGITS} digits"),
        ));
    }
    Ok(())
}

/// Tags to add in one call: at most 50, keys 1–128 characters, values at
/// most 256 characters, neither with control characters.
pub(crate) fn tags_to_add<'a>(
    field: &'static str,
    tags: impl ExactSizeIterator<Item = (&'a str, &'a str)>,
) -> Result<(), UsageError> {
    if tags.len() > MAX_TAGS_PER_CALL {
        return Err(error(
            field,
            format!(
                "holds {} tags, the limit is {MAX_TAGS_PER_CALL} per call",
                tags.len()
            ),
        ));
    }
    for (key, value) in tags {
        tag_key(format!("{field}[{key:?}]"), key)?;
        char_length(format!("{field}[{key:?}]"), value, 0, MAX_TAG_VALUE_CHARS)?;
        no_control_chars(format!("{field}[{key:?}]"), value)?;
    }
    Ok(())
}

/// Tag keys to remove in one call: 1–50 keys, each 1–128 characters.
pub(crate) fn tag_keys_to_remove<'a>(
    field: &'static str,
    keys: impl ExactSizeIterator<Item = &'a str>,
) -> Result<(), UsageError> {
    if keys.len() == 0 {
        return Err(error(field, "must hold at least one key"));
    }
    if keys.len() > MAX_TAG_KEYS_PER_CALL {
        return Err(error(
            field,
            format!(
                "holds {} keys, the limit is {MAX_TAG_KEYS_PER_CALL} per call",
                keys.len()
            ),
        ));
    }
    for (i, key) in keys.enumerate() {
        tag_key(format!("{field}[{i}]"), key)?;
    }
    Ok(())
}

/// One tag key: 1–128 characters, no control characters.
pub(crate) fn tag_key(field: impl Into<Field>, key: &str) -> Result<(), UsageError> {
    let field = field.into();
    char_length(field.clone(), key, 1, MAX_TAG_KEY_CHARS)?;
    no_control_chars(field, key)
}

/// Where a shard iterator or subscription starts, given as the wire's
/// three fields: `kind` is the `ShardIteratorType` / `StartingPosition.Type`
/// value. AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER need a sequence
/// number, AT_TIMESTAMP a timestamp; no type may carry the other field.
/// `prefix` names the enclosing field (`""` for top level,
/// `"StartingPosition."` for SubscribeToShard).
pub(crate) fn iterator_position(
    prefix: &'static str,
    sequence_field: &'static str,
    kind: &str,
    sequence: Option<&str>,
    timestamp: Option<&OffsetDateTime>,
) -> Result<(), UsageError> {
    let seq_field = || Field::Owned(format!("{prefix}{sequence_field}"));
    let ts_field = || Field::Owned(format!("{prefix}Timestamp"));
    match kind {
        "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER" => {
            let Some(seq) = sequence else {
                return Err(error(seq_field(), format!("is required with {kind}")));
            };
            sequence_number(seq_field(), seq)?;
            if timestamp.is_some() {
                return Err(error(ts_field(), format!("must not be given with {kind}")));
            }
        }
        "AT_TIMESTAMP" => {
            if timestamp.is_none() {
                return Err(error(ts_field(), "is required with AT_TIMESTAMP"));
            }
            if sequence.is_some() {
                return Err(error(seq_field(), "must not be given with AT_TIMESTAMP"));
            }
        }
        _ => {
            if sequence.is_some() {
                return Err(error(seq_field(), format!("must not be given with {kind}")));
            }
            if timestamp.is_some() {
                return Err(error(ts_field(), format!("must not be given with {kind}")));
            }
        }
    }
    if let Some(t) = timestamp {
        timestamp_not_before_epoch(ts_field(), t)?;
    }
    Ok(())
}

/// A timestamp the wire can carry: not before 1970.
pub(crate) fn timestamp_not_before_epoch(
    field: impl Into<Field>,
    t: &OffsetDateTime,
) -> Result<(), UsageError> {
    if *t < OffsetDateTime::UNIX_EPOCH {
        return Err(error(field, "must not be before 1970-01-01T00:00:00Z"));
    }
    Ok(())
}

/// A required text field: not empty, no control characters.
pub(crate) fn required_text(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    let field = field.into();
    if value.is_empty() {
        return Err(error(field, "must not be empty"));
    }
    no_control_chars(field, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of<T>(r: Result<T, UsageError>) -> String {
        match r {
            Err(e) => e.field.into_owned(),
            Ok(_) => panic!("expected a usage error"),
        }
    }

    #[test]
    fn names() {
        assert!(stream_name("StreamName", "my-stream_1.0").is_ok());
        assert!(stream_name("StreamName", &"a".repeat(128)).is_ok());
        assert_eq!(field_of(stream_name("StreamName", "")), "StreamName");
        assert_eq!(
            field_of(stream_name("StreamName", &"a".repeat(129))),
            "StreamName"
        );
        let e = stream_name("StreamName", "my stream").expect_err("space");
        assert!(e.problem.contains("' '"), "{}", e.problem);
        assert!(stream_name("StreamName", "strëam").is_err());
        assert_eq!(
            field_of(consumer_name("ConsumerName", "a/b")),
            "ConsumerName"
        );
        assert!(shard_id("ShardId", "shardId-000000000001").is_ok());
    }

    #[test]
    fn arns_by_kind() {
        let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream";
        let consumer = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000";
        let queue = "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c";
        let channel = "arn:aws:kinesis:us-east-1:123456789012:channel/c-1";
        assert!(stream_arn("StreamARN", stream).is_ok());
        assert!(stream_arn(
            "StreamARN",
            "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s"
        )
        .is_ok());
        assert!(consumer_arn("ConsumerARN", consumer).is_ok());
        assert!(queue_arn("QueueARN", queue).is_ok());
        assert!(channel_arn("ChannelARN", channel).is_ok());
        for any in [stream, consumer, queue, channel] {
            assert!(resource_arn("ResourceARN", any).is_ok(), "{any}");
        }
        let e = queue_arn("QueueARN", stream).expect_err("a stream");
        assert_eq!(e.field, "QueueARN");
        assert!(
            e.problem.contains("of a stream, not of a queue"),
            "{}",
            e.problem
        );
        assert_eq!(field_of(stream_arn("StreamARN", consumer)), "StreamARN");
        assert_eq!(field_of(consumer_arn("ConsumerARN", stream)), "ConsumerARN");
        for bad in [
            "",
            "aws:kinesis:us-east-1:123456789012:stream/s",
            "arn:aws:kinesis:us-east-1:123456789012",
            "arn:aws:kinesis:us-east-1:123456789012:",
            "arn::kinesis:us-east-1:123456789012:stream/s",
            "arn:aws:kinesis:us-east-1:123456789012:stream/a b",
            "arn:aws:kinesis:us-east-1\r\n:123456789012:stream/s",
            "arn:aws:kinesis:us-east-1:12345:stream/s",
            "arn:aws:sqs:us-east-1:123456789012:stream/s",
        ] {
            assert_eq!(
                field_of(stream_arn("StreamARN", bad)),
                "StreamARN",
                "{bad:?}"
            );
        }
        let long = format!(
            "arn:aws:kinesis:us-east-1:123456789012:stream/{}",
            "s".repeat(2048)
        );
        assert!(stream_arn("StreamARN", &long)
            .expect_err("long")
            .problem
            .contains("2048"));
        assert!(foreign_arn("RoleARN", "arn:aws:iam::123456789012:role/r").is_ok());
        assert!(foreign_arn("RoleARN", "").is_err());
    }

    #[test]
    fn partition_keys_count_characters() {
        assert!(partition_key("PartitionKey", "k").is_ok());
        // 256 three-byte characters: 768 bytes but 256 characters.
        assert!(partition_key("PartitionKey", &"€".repeat(256)).is_ok());
        assert!(partition_key("PartitionKey", &"€".repeat(257)).is_err());
        assert!(partition_key("PartitionKey", &"a".repeat(257)).is_err());
        let e = partition_key(Cow::Owned("Records[3].PartitionKey".into()), "").expect_err("empty");
        assert_eq!(e.field, "Records[3].PartitionKey");
        assert_eq!(e.problem, "must not be empty");
    }

    #[test]
    fn record_and_request_sizes() {
        let limits = Limits::default();
        let mib = vec![0u8; 1024 * 1024];
        assert!(record_size("Data", &mib[..1024 * 1024 - 1], "k", &limits).is_ok());
        let e = record_size("Data", &mib, "k", &limits).expect_err("over");
        assert!(e.problem.contains("1048577"), "{}", e.problem);
        let big = Limits {
            max_record_bytes: 10 * 1024 * 1024,
            ..Limits::default()
        };
        assert!(record_size("Data", &mib, "k", &big).is_ok());
        assert!(put_records_count(1, &limits).is_ok());
        assert!(put_records_count(500, &limits).is_ok());
        assert_eq!(field_of(put_records_count(0, &limits)), "Records");
        assert_eq!(field_of(put_records_count(501, &limits)), "Records");
        assert!(put_records_size(5 * 1024 * 1024, 9, &limits).is_ok());
        assert_eq!(
            field_of(put_records_size(5 * 1024 * 1024 + 1, 9, &limits)),
            "Records[9].Data"
        );
    }

    #[test]
    fn numbers() {
        assert!(get_records_limit(1).is_ok());
        assert!(get_records_limit(10_000).is_ok());
        assert_eq!(field_of(get_records_limit(0)), "Limit");
        assert!(get_records_limit(10_001)
            .expect_err("big")
            .problem
            .contains("1 to 10000"));
        assert!(at_least("ShardCount", 1u32, 1).is_ok());
        assert!(at_least("ShardCount", 0u32, 1).is_err());
    }

    #[test]
    fn sequence_numbers() {
        assert!(sequence_number("S", "0").is_ok());
        assert!(sequence_number(
            "S",
            "49590338271490256608559692538361571095921575989136588898"
        )
        .is_ok());
        assert!(sequence_number("S", &"9".repeat(129)).is_ok());
        for bad in ["", "01", "12a", "-1", " 1", &"9".repeat(130)] {
            assert!(sequence_number("S", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tags() {
        let ok = [("env", "prod"), ("team", "")];
        assert!(tags_to_add("Tags", ok.iter().copied()).is_ok());
        let many: Vec<(String, String)> =
            (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        let e = tags_to_add("Tags", many.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .expect_err("51");
        assert!(e.problem.contains("51"), "{}", e.problem);
        let long_key = "k".repeat(129);
        assert!(tags_to_add("Tags", [(long_key.as_str(), "v")].into_iter()).is_err());
        let long_value = "v".repeat(257);
        let e = tags_to_add("Tags", [("k", long_value.as_str())].into_iter()).expect_err("value");
        assert_eq!(e.field, "Tags[\"k\"]");
        assert!(tags_to_add("Tags", [("", "v")].into_iter()).is_err());
        assert!(tag_keys_to_remove("TagKeys", ["a", "b"].into_iter()).is_ok());
        assert!(tag_keys_to_remove("TagKeys", std::iter::empty()).is_err());
        let keys: Vec<String> = (0..51).map(|i| format!("k{i}")).collect();
        assert!(tag_keys_to_remove("TagKeys", keys.iter().map(String::as_str)).is_err());
        assert_eq!(
            field_of(tag_keys_to_remove("TagKeys", ["a", ""].into_iter())),
            "TagKeys[1]"
        );
    }

    #[test]
    fn iterator_positions() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let seq = "49590338271490256608559692538361571095921575989136588898";
        assert!(iterator_position(
            "",
            "StartingSequenceNumber",
            "AT_SEQUENCE_NUMBER",
            Some(seq),
            None
        )
        .is_ok());
        assert!(
            iterator_position("", "StartingSequenceNumber", "TRIM_HORIZON", None, None).is_ok()
        );
        assert!(
            iterator_position("", "StartingSequenceNumber", "AT_TIMESTAMP", None, Some(&t)).is_ok()
        );
        assert_eq!(
            field_of(iterator_position(
                "",
                "StartingSequenceNumber",
                "AFTER_SEQUENCE_NUMBER",
                None,
                None
            )),
            "StartingSequenceNumber"
        );
        assert_eq!(
            field_of(iterator_position(
                "StartingPosition.",
                "SequenceNumber",
                "AT_TIMESTAMP",
                None,
                None
            )),
            "StartingPosition.Timestamp"
        );
        assert_eq!(
            field_of(iterator_position(
                "",
                "StartingSequenceNumber",
                "LATEST",
                Some(seq),
                None
            )),
            "StartingSequenceNumber"
        );
        assert_eq!(
            field_of(iterator_position("", "S", "LATEST", None, Some(&t))),
            "Timestamp"
        );
        assert_eq!(
            field_of(iterator_position(
                "",
                "S",
                "AT_SEQUENCE_NUMBER",
                Some("x1"),
                None
            )),
            "S"
        );
        let early = OffsetDateTime::from_unix_timestamp(-1).expect("valid");
        assert!(iterator_position("", "S", "AT_TIMESTAMP", None, Some(&early)).is_err());
    }

    #[test]
    fn control_characters() {
        assert!(no_control_chars("F", "plain text ü").is_ok());
        assert!(no_control_chars("F", "a\nb")
            .expect_err("newline")
            .problem
            .contains("position 1"));
        assert!(no_control_chars("F", "\u{7f}").is_err());
        assert!(required_text("KeyId", "").is_err());
        assert!(required_text("KeyId", "alias/aws/kinesis").is_ok());
        assert!(char_length("F", "ab", 3, 5)
            .expect_err("short")
            .problem
            .contains("at least 3"));
    }
}
