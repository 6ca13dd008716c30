//! Input checks the consumer, tag, policy, account, channel and queue
//! operations share beyond the per-rule helpers of [`crate::validate`]:
//! ARNs of a given Kinesis resource kind, list sizes, and the tag rules with
//! their "at least one" half.

use std::collections::BTreeMap;

use crate::error::UsageError;
use crate::validate::{self, Field};

/// Longest receipt handle.
pub(crate) const MAX_RECEIPT_HANDLE_CHARS: usize = 1024;
/// Longest visibility timeout, in seconds (12 hours).
pub(crate) const MAX_VISIBILITY_TIMEOUT_SECONDS: u32 = 43_200;
/// Longest pagination token.
pub(crate) const MAX_NEXT_TOKEN_CHARS: usize = 1_048_576;

/// A list has between `min` and `max` entries.
pub(crate) fn check_count(
    field: impl Into<Field>,
    count: usize,
    min: usize,
    max: usize,
) -> Result<(), UsageError> {
    if count < min || count > max {
        return Err(UsageError::new(
            field,
            format!("has {count} entries, must have {min} to {max}"),
        ));
    }
    Ok(())
}

/// A queue or channel name: the `[a-zA-Z0-9_.-]{1,128}` rule consumer names
/// follow.
pub(crate) fn check_name(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    validate::consumer_name(field, value)
}

/// A Kinesis ARN whose resource part starts with one of `kinds` followed by
/// `/` (`stream`, `queue`, `channel`…): `arn:aws…:kinesis:{region}:{12 digits}:{kind}/…`.
pub(crate) fn check_kinesis_arn(
    field: impl Into<Field>,
    value: &str,
    kinds: &[&str],
) -> Result<(), UsageError> {
    let field = field.into();
    validate::arn(field.clone(), value)?;
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let kinesis = parts.len() == 6
        && parts[1].starts_with("aws")
        && parts[2] == "kinesis"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit());
    if !kinesis {
        return Err(UsageError::new(
            field,
            "is not a Kinesis ARN (arn:aws…:kinesis:{region}:{account}:…)",
        ));
    }
    let kind_ok = kinds.iter().any(|kind| {
        parts[5]
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
pub(crate) fn check_consumer_arn(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    let field = field.into();
    check_kinesis_arn(field.clone(), value, &["stream"])?;
    if !is_consumer_resource(value) {
        return Err(UsageError::new(
            field,
            "is not the ARN of a stream consumer",
        ));
    }
    Ok(())
}

/// Whether the ARN's resource part is `stream/{s}/consumer/{c}:{digits}`.
fn is_consumer_resource(arn: &str) -> bool {
    let Some(resource) = arn.splitn(6, ':').nth(5) else {
        return false;
    };
    let mut segments = resource.splitn(4, '/');
    let (Some("stream"), Some(stream), Some("consumer"), Some(rest)) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return false;
    };
    let Some((name, created)) = rest.rsplit_once(':') else {
        return false;
    };
    !stream.is_empty()
        && !name.is_empty()
        && !created.is_empty()
        && created.bytes().all(|b| b.is_ascii_digit())
}

/// The ARN of anything Kinesis tags: a stream, a consumer (a `stream/…`
/// ARN too), a queue or a channel.
pub(crate) fn check_resource_arn(field: impl Into<Field>, value: &str) -> Result<(), UsageError> {
    check_kinesis_arn(field, value, &["stream", "queue", "channel"])
}

/// Tags to add: 1–50 pairs, keys 1–128 characters, values up to 256.
pub(crate) fn check_tags(
    field: &'static str,
    tags: &BTreeMap<String, String>,
) -> Result<(), UsageError> {
    if tags.is_empty() {
        return Err(UsageError::new(field, "must hold at least one tag"));
    }
    validate::tags_to_add(field, tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// An optional pagination token: 1–1048576 characters.
pub(crate) fn check_next_token(token: Option<&str>) -> Result<(), UsageError> {
    match token {
        Some(token) => validate::char_length("NextToken", token, 1, MAX_NEXT_TOKEN_CHARS),
        None => Ok(()),
    }
}

/// Checks StreamName/StreamARN, for the inputs that address their stream
/// either way (exactly one of the two).
pub(crate) fn locator(name: &Option<String>, arn: &Option<String>) -> Result<(), UsageError> {
    validate::stream_locator(name.as_deref(), arn.as_deref())
}

/// The next page of a list that pages by `NextToken` alone: `input` again
/// with the field `next_token` points at set to the answer's `token`, or
/// `None` when the answer has no (or an empty) token.
pub(crate) fn follow_next_token<I: Clone>(
    input: &I,
    token: &Option<String>,
    next_token: impl FnOnce(&mut I) -> &mut Option<String>,
) -> Option<I> {
    let token = token.as_deref().filter(|t| !t.is_empty())?;
    let mut next = input.clone();
    *next_token(&mut next) = Some(token.to_owned());
    Some(next)
}

/// Defines `with_stream_arn` for an input addressing its stream by
/// `stream_name` or `stream_arn` (both `Option<String>` fields).
macro_rules! with_stream_arn {
    ($($input:ident),+ $(,)?) => {
        $(
            impl $input {
                /// Addresses the stream by ARN instead of by name.
                pub fn with_stream_arn(mut self, stream_arn: impl Into<String>) -> Self {
                    self.stream_arn = Some(stream_arn.into());
                    self.stream_name = None;
                    self
                }
            }
        )+
    };
}
pub(crate) use with_stream_arn;

/// Defines `with_max_results` and `with_next_token` for a list input that
/// pages with `max_results: Option<u32>` and `next_token: Option<String>`;
/// `$items` names what it lists, for the docs.
macro_rules! page_setters {
    ($($input:ident: $items:literal),+ $(,)?) => {
        $(
            impl $input {
                #[doc = concat!("Returns at most `max_results` ", $items, " per page.")]
                pub fn with_max_results(mut self, max_results: u32) -> Self {
                    self.max_results = Some(max_results);
                    self
                }

                /// Continues after the page that returned `next_token`.
                pub fn with_next_token(mut self, next_token: impl Into<String>) -> Self {
                    self.next_token = Some(next_token.into());
                    self
                }
            }
        )+
    };
}
pub(crate) use page_setters;

/// Writes `impl Operation` for the common case: `NAME` is the input type's
/// own name, `validate` does not need the [`Limits`](crate::Limits), and
/// `resource_arn` (when given) is a plain field read. Operations with a
/// custom body or limit-dependent checks implement the trait by hand.
///
/// Each block gets the input as the name in parentheses:
///
/// ```text
/// operation! {
///     DeleteQueue: Control in Queues -> Empty,
///     validate(op) { check_queue_arn(&op.queue_arn) },
///     resource_arn(op) { Some(&op.queue_arn) },
/// }
/// ```
macro_rules! operation {
    (
        $input:ident: $plane:ident $(in $family:ident)? -> $output:ty,
        validate($v:ident) $validate:block
        $(, resource_arn($r:ident) $resource_arn:block)? $(,)?
    ) => {
        impl $crate::operation::Operation for $input {
            const NAME: &'static str = stringify!($input);
            const PLANE: $crate::operation::Plane = $crate::operation::Plane::$plane;
            $(const FAMILY: $crate::operation::Family = $crate::operation::Family::$family;)?
            type Output = $output;

            fn validate(
                &self,
                _limits: &$crate::Limits,
            ) -> Result<(), $crate::error::UsageError> {
                let $v = self;
                $validate
            }
            $(
                fn resource_arn(&self) -> Option<&str> {
                    let $r = self;
                    $resource_arn
                }
            )?
        }
    };
}
pub(crate) use operation;

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::ops::test_support::{CONSUMER, STREAM};

    #[test]
    fn arns_are_checked_by_kind_and_account() {
        assert!(check_kinesis_arn("StreamARN", STREAM, &["stream"]).is_ok());
        assert!(check_kinesis_arn(
            "StreamARN",
            "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s",
            &["stream"]
        )
        .is_ok());
        let e = check_kinesis_arn("QueueARN", STREAM, &["queue"]).unwrap_err();
        assert_eq!(e.field, "QueueARN");
        assert!(check_kinesis_arn(
            "StreamARN",
            "arn:aws:kinesis:us-east-1:12345:stream/s",
            &["stream"]
        )
        .is_err());
        assert!(check_kinesis_arn(
            "StreamARN",
            "arn:aws:sqs:us-east-1:123456789012:stream/s",
            &["stream"]
        )
        .is_err());
        assert!(check_kinesis_arn(
            "StreamARN",
            "arn:aws:kinesis:us-east-1:123456789012:stream/",
            &["stream"]
        )
        .is_err());
        assert!(check_kinesis_arn("StreamARN", "", &["stream"]).is_err());
        assert!(check_kinesis_arn(
            "StreamARN",
            "arn:aws:kinesis:us-east-1:123456789012:stream/a b",
            &["stream"]
        )
        .is_err());
        assert!(check_resource_arn(
            "ResourceARN",
            "arn:aws:kinesis:us-east-1:123456789012:queue/q"
        )
        .is_ok());
    }

    #[test]
    fn consumer_arns_need_the_consumer_part() {
        assert!(check_consumer_arn("ConsumerARN", CONSUMER).is_ok());
        assert!(check_consumer_arn("ConsumerARN", STREAM).is_err());
        assert!(check_consumer_arn("ConsumerARN", &format!("{STREAM}/consumer/app")).is_err());
        assert!(check_consumer_arn("ConsumerARN", &format!("{STREAM}/consumer/app:x1")).is_err());
    }

    #[test]
    fn names_tags_counts_and_tokens() {
        assert!(check_name("QueueName", "app-1.v2_x").is_ok());
        assert_eq!(
            check_name("QueueName", "a b").unwrap_err().field,
            "QueueName"
        );
        assert!(check_name("QueueName", &"a".repeat(129)).is_err());
        let mut tags = BTreeMap::new();
        assert_eq!(check_tags("Tags", &tags).unwrap_err().field, "Tags");
        tags.insert("team".to_owned(), "x".repeat(257));
        assert!(check_tags("Tags", &tags)
            .unwrap_err()
            .field
            .starts_with("Tags["));
        assert!(check_count("Entries", 0, 1, 10).is_err());
        assert!(check_count("Entries", 10, 1, 10).is_ok());
        assert!(check_count("Entries", 11, 1, 10).is_err());
        assert_eq!(check_next_token(Some("")).unwrap_err().field, "NextToken");
        assert!(check_next_token(None).is_ok());
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
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
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
        // The whole current API (issue 2): 23 record/stream/shard operations
        // and 34 consumer, tag, policy, account, channel and queue ones.
        assert_eq!(table.len(), 57, "operations in the table");
        let mut names: Vec<&str> = table.iter().map(|(_, name, _, _)| *name).collect();
        for (method, name, _, summary) in &table {
            assert_eq!(*method, snake(name), "method name of {name}");
            assert!(
                summary.ends_with('.') && !summary.is_empty(),
                "summary of {name}"
            );
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
            assert!(
                data.contains(&name),
                "{name} should be a data-plane operation"
            );
        }
        assert!(!data.contains(&"CreateQueue") && !data.contains(&"DescribeChannel"));
    }
}
