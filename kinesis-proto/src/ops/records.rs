//! Writing and reading records: PutRecord, PutRecords, GetShardIterator,
//! GetRecords.

use serde::{Deserialize, Serialize};

use crate::error::UsageError;
use crate::operation::{Operation, Plane};
use crate::Limits;

/// Writes one data record into a stream.
///
/// ```
/// use kinesis_proto::ops::PutRecord;
/// let put = PutRecord::new("my-stream", "user-42", b"hello".to_vec());
/// assert_eq!(put.partition_key, "user-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutRecord {
    /// The stream, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_name: Option<String>,
    /// The stream, by ARN.
    #[serde(rename = "StreamARN", skip_serializing_if = "Option::is_none")]
    pub stream_arn: Option<String>,
    /// The record's data.
    #[serde(with = "crate::wire::blob")]
    pub data: Vec<u8>,
    /// Decides the shard (through its MD5 hash) unless an explicit hash key is given.
    pub partition_key: String,
}

impl PutRecord {
    /// A record for the stream named `stream_name`.
    pub fn new(stream_name: impl Into<String>, partition_key: impl Into<String>, data: Vec<u8>) -> Self {
        PutRecord {
            stream_name: Some(stream_name.into()),
            stream_arn: None,
            data,
            partition_key: partition_key.into(),
        }
    }
}

/// The answer to [`PutRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutRecordOutput {
    /// The shard the record went to.
    pub shard_id: String,
    /// The record's sequence number in that shard.
    pub sequence_number: String,
}

impl Operation for PutRecord {
    const NAME: &'static str = "PutRecord";
    const PLANE: Plane = Plane::Data;
    type Output = PutRecordOutput;

    fn validate(&self, limits: &Limits) -> Result<(), UsageError> {
        if self.data.len() > limits.max_record_bytes {
            return Err(UsageError::new("Data", "too large"));
        }
        Ok(())
    }

    fn resource_arn(&self) -> Option<&str> {
        self.stream_arn.as_deref()
    }
}
