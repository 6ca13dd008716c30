//! Creating, describing, listing and changing streams.

use serde::{Deserialize, Serialize};

use crate::error::UsageError;
use crate::operation::{Operation, Plane};
use crate::Limits;

/// Describes a stream without its shard list.
///
/// ```
/// let op = kinesis_proto::ops::DescribeStreamSummary::new("my-stream");
/// # let _ = op;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamSummary {
    /// The stream, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_name: Option<String>,
    /// The stream, by ARN.
    #[serde(rename = "StreamARN", skip_serializing_if = "Option::is_none")]
    pub stream_arn: Option<String>,
}

impl DescribeStreamSummary {
    /// Describes the stream named `stream_name`.
    pub fn new(stream_name: impl Into<String>) -> Self {
        DescribeStreamSummary {
            stream_name: Some(stream_name.into()),
            stream_arn: None,
        }
    }
}

/// The answer to [`DescribeStreamSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeStreamSummaryOutput {
    /// The summary.
    pub stream_description_summary: serde_json::Value,
}

impl Operation for DescribeStreamSummary {
    const NAME: &'static str = "DescribeStreamSummary";
    const PLANE: Plane = Plane::Control;
    type Output = DescribeStreamSummaryOutput;

    fn validate(&self, _limits: &Limits) -> Result<(), UsageError> {
        Ok(())
    }

    fn resource_arn(&self) -> Option<&str> {
        self.stream_arn.as_deref()
    }
}
