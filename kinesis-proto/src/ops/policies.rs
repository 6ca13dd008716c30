//! Resource policies on streams, consumers, queues and channels: PutResourcePolicy,
//! GetResourcePolicy, DeleteResourcePolicy.

use serde::{Deserialize, Serialize};

use super::support::operation;
use crate::error::UsageError;
use crate::operation::Empty;
use crate::validate;

/// Attaches a resource-based policy (an IAM policy document, as JSON text) to
/// a stream or consumer, replacing any policy it had.
///
/// ```
/// use kinesis_proto::ops::PutResourcePolicy;
/// let op = PutResourcePolicy::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
///     r#"{"Version":"2012-10-17","Statement":[]}"#,
/// );
/// assert!(op.policy.starts_with('{'));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutResourcePolicy {
    /// The stream or consumer.
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    /// The policy document.
    pub policy: String,
}

impl PutResourcePolicy {
    /// Attaches `policy` to `resource_arn`.
    pub fn new(resource_arn: impl Into<String>, policy: impl Into<String>) -> Self {
        PutResourcePolicy {
            resource_arn: resource_arn.into(),
            policy: policy.into(),
        }
    }
}

operation! {
    PutResourcePolicy: Control -> Empty,
    validate(op) {
        validate::resource_arn("ResourceARN", &op.resource_arn)?;
        if op.policy.trim().is_empty() {
            return Err(UsageError::new("Policy", "must not be empty"));
        }
        Ok(())
    },
    resource_arn(op) { Some(&op.resource_arn) },
}

/// Reads the resource-based policy of a stream or consumer.
///
/// ```
/// let op = kinesis_proto::ops::GetResourcePolicy::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders");
/// assert!(op.resource_arn.contains(":stream/"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetResourcePolicy {
    /// The stream or consumer.
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
}

impl GetResourcePolicy {
    /// Reads the policy of `resource_arn`.
    pub fn new(resource_arn: impl Into<String>) -> Self {
        GetResourcePolicy {
            resource_arn: resource_arn.into(),
        }
    }
}

/// The answer to [`GetResourcePolicy`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetResourcePolicyOutput {
    /// The policy document, as JSON text (`"{}"` when the resource has none).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub policy: String,
}

operation! {
    GetResourcePolicy: Control -> GetResourcePolicyOutput,
    validate(op) {
        validate::resource_arn("ResourceARN", &op.resource_arn)
    },
    resource_arn(op) { Some(&op.resource_arn) },
}

/// Removes the resource-based policy of a stream or consumer.
///
/// ```
/// let op = kinesis_proto::ops::DeleteResourcePolicy::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders");
/// assert!(op.resource_arn.ends_with("orders"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeleteResourcePolicy {
    /// The stream or consumer.
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
}

impl DeleteResourcePolicy {
    /// Removes the policy of `resource_arn`.
    pub fn new(resource_arn: impl Into<String>) -> Self {
        DeleteResourcePolicy {
            resource_arn: resource_arn.into(),
        }
    }
}

operation! {
    DeleteResourcePolicy: Control -> Empty,
    validate(op) {
        validate::resource_arn("ResourceARN", &op.resource_arn)
    },
    resource_arn(op) { Some(&op.resource_arn) },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::Operation;
    use crate::ops::test_support::{CONSUMER, STREAM};

    #[test]
    fn put_serializes_the_policy_as_text() {
        let op = PutResourcePolicy::new(CONSUMER, r#"{"Version":"2012-10-17"}"#);
        let body: serde_json::Value = serde_json::from_slice(&op.to_body().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"ResourceARN": CONSUMER, "Policy": "{\"Version\":\"2012-10-17\"}"})
        );
        assert_eq!(op.resource_arn(), Some(CONSUMER));
    }

    #[test]
    fn get_parses_the_policy() {
        let out: GetResourcePolicyOutput =
            serde_json::from_str(r#"{"Policy":"{\"Statement\":[]}"}"#).unwrap();
        assert_eq!(out.policy, r#"{"Statement":[]}"#);
    }

    #[test]
    fn validation_names_the_field() {
        let limits = Limits::default();
        assert_eq!(
            PutResourcePolicy::new(STREAM, " ")
                .validate(&limits)
                .unwrap_err()
                .field,
            "Policy"
        );
        assert_eq!(
            GetResourcePolicy::new("orders")
                .validate(&limits)
                .unwrap_err()
                .field,
            "ResourceARN"
        );
        assert_eq!(
            DeleteResourcePolicy::new("arn:aws:sqs:us-east-1:123456789012:q")
                .validate(&limits)
                .unwrap_err()
                .field,
            "ResourceARN"
        );
        // The model's ResourceARN names a stream, consumer, queue or channel.
        for arn in [
            STREAM,
            "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
            "arn:aws:kinesis:us-east-1:123456789012:queue/q",
            "arn:aws:kinesis:us-east-1:123456789012:channel/c",
        ] {
            assert!(
                DeleteResourcePolicy::new(arn).validate(&limits).is_ok(),
                "{arn}"
            );
        }
    }
}
