//! What the operation modules share beyond [`crate::validate`] and the
//! shapes of [`super::shapes`]: a list-size check, the name rule queues and
//! channels follow, and the macros that write the same methods or trait
//! implementation for many inputs (they define no type).

use crate::error::UsageError;
use crate::validate::{self, Field};

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

/// Defines `with_stream_arn` for an input addressing its stream by a
/// [`StreamRef`](super::StreamRef) field `stream`.
macro_rules! with_stream_arn {
    ($($input:ident),+ $(,)?) => {
        $(
            impl $input {
                /// Addresses the stream by ARN instead (the same as giving
                /// `StreamRef::arn(stream_arn)` to `new`).
                pub fn with_stream_arn(mut self, stream_arn: impl Into<String>) -> Self {
                    self.stream = $crate::ops::StreamRef::Arn(stream_arn.into());
                    self
                }
            }
        )+
    };
}
pub(crate) use with_stream_arn;

/// Defines `with_max_results` and `with_next_token` for a list input that
/// pages with a [`Page`](super::Page) field `page`; `$items` names what it
/// lists, for the docs.
macro_rules! page_setters {
    ($($input:ident: $items:literal),+ $(,)?) => {
        $(
            impl $input {
                #[doc = concat!("Returns at most `max_results` ", $items, " per page.")]
                pub fn with_max_results(mut self, max_results: u32) -> Self {
                    self.page.max_results = Some(max_results);
                    self
                }

                /// Continues after the page that returned `next_token`.
                pub fn with_next_token(mut self, next_token: impl Into<String>) -> Self {
                    self.page.next_token = Some(next_token.into());
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
///     validate(op) { validate::queue_arn("QueueARN", &op.queue_arn) },
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
                _limits: &$crate::limits::Limits,
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

    #[test]
    fn names_and_counts() {
        assert!(check_name("QueueName", "app-1.v2_x").is_ok());
        assert_eq!(
            check_name("QueueName", "a b").unwrap_err().field,
            "QueueName"
        );
        assert!(check_name("QueueName", &"a".repeat(129)).is_err());
        assert!(check_count("Entries", 0, 1, 10).is_err());
        assert!(check_count("Entries", 10, 1, 10).is_ok());
        assert!(check_count("Entries", 11, 1, 10).is_err());
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
