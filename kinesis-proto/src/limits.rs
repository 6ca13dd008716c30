//! Service limits that validation checks before any request is built: the
//! one home for them. [`Limits`] holds the ones a stream's configuration
//! changes (record and request sizes); the constants below are fixed by the
//! service, each named after the model member it bounds.

/// The service limits that validation enforces. The defaults are the
/// service's defaults; raise them for streams configured for larger records.
///
/// ```
/// // A stream configured for 10 MiB records:
/// let limits = kinesis_proto::Limits::default()
///     .with_max_record_bytes(10 * 1024 * 1024)
///     .with_max_put_records_request_bytes(10 * 1024 * 1024);
/// assert_eq!(limits.max_put_records_entries, 500);
/// let config = kinesis_proto::Config::new("us-east-1").with_limits(limits);
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest record: `Data` (before base64) plus `PartitionKey`, in bytes
    /// (default 1 MiB; a stream's `MaxRecordSizeInKiB` raises it to 10 MiB).
    pub max_record_bytes: usize,
    /// Largest PutRecords request: `Data` plus `PartitionKey` of every
    /// entry of `Records` (default 5 MiB).
    pub max_put_records_request_bytes: usize,
    /// Most entries in `Records` of one PutRecords request (default 500).
    pub max_put_records_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 1024 * 1024,
            max_put_records_request_bytes: 5 * 1024 * 1024,
            max_put_records_entries: 500,
        }
    }
}

impl Limits {
    /// Sets the largest data blob of one record.
    pub fn with_max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }
    /// Sets the largest PutRecords request (data plus partition keys).
    pub fn with_max_put_records_request_bytes(mut self, bytes: usize) -> Self {
        self.max_put_records_request_bytes = bytes;
        self
    }
    /// Sets the most entries in one PutRecords request.
    pub fn with_max_put_records_entries(mut self, entries: usize) -> Self {
        self.max_put_records_entries = entries;
        self
    }
}

// ---------------------------------------------------------------------------
// Fixed service limits. Each constant names the member (or API shape) of the
// Kinesis model it bounds; lengths are in Unicode characters unless the name
// says bytes. The adjustable ones live in `Limits` above.

/// `StreamARN`, `ConsumerARN`, `ResourceARN`, `QueueARN`, `ChannelARN` and
/// every other ARN member: at most 2048 characters.
pub(crate) const MAX_ARN_CHARS: usize = 2048;
/// `StreamName`, `ConsumerName`, `ShardId`, `QueueName`, `ChannelName`:
/// 1–128 characters.
pub(crate) const MAX_NAME_CHARS: usize = 128;
/// `PartitionKey`: 1–256 Unicode characters.
pub(crate) const MAX_PARTITION_KEY_CHARS: usize = 256;
/// `ShardIterator`: 1–512 characters.
pub(crate) const MAX_SHARD_ITERATOR_CHARS: usize = 512;
/// `SequenceNumber` (`0|([1-9]\d{0,128})`): at most 129 digits.
pub(crate) const MAX_SEQUENCE_NUMBER_DIGITS: usize = 129;
/// `KeyId` of StartStreamEncryption, StopStreamEncryption and a channel's
/// `EncryptionConfiguration`: 1–2048 characters.
pub(crate) const MAX_KEY_ID_CHARS: usize = 2048;
/// `NextToken`: 1–1048576 characters.
pub(crate) const MAX_NEXT_TOKEN_CHARS: usize = 1_048_576;

/// `Limit` of GetRecords (`GetRecordsInputLimit`): 1–10000.
pub(crate) const MAX_GET_RECORDS_LIMIT: u32 = 10_000;
/// `Limit` of DescribeStream (`DescribeStreamInputLimit`) and ListStreams
/// (`ListStreamsInputLimit`): 1–10000.
pub(crate) const MAX_LIST_LIMIT: u32 = 10_000;
/// `MaxResults` of ListShards, ListStreamConsumers, ListQueues and
/// ListChannels (`…InputLimit`): 1–10000.
pub(crate) const MAX_LIST_MAX_RESULTS: u32 = 10_000;
/// `Limit` of ListTagsForStream (`ListTagsForStreamInputLimit`): 1–50.
pub(crate) const MAX_LIST_TAGS_LIMIT: u32 = 50;

/// `Tags` of one call (AddTagsToStream, TagResource, CreateStream…): at
/// most 50 tags, the most a resource may carry.
pub(crate) const MAX_TAGS_PER_CALL: usize = 50;
/// `TagKeys` of RemoveTagsFromStream and UntagResource (`TagKeyList`):
/// 1–50 keys.
pub(crate) const MAX_TAG_KEYS_PER_CALL: usize = 50;
/// `TagKey`: 1–128 characters.
pub(crate) const MAX_TAG_KEY_CHARS: usize = 128;
/// `TagValue`: 0–256 characters.
pub(crate) const MAX_TAG_VALUE_CHARS: usize = 256;

/// `RetentionPeriodHours` (`RetentionPeriodHours`): 24 hours at least…
pub(crate) const MIN_RETENTION_HOURS: u32 = 24;
/// …and 8760 hours (365 days) at most.
pub(crate) const MAX_RETENTION_HOURS: u32 = 8760;
/// `MaxRecordSizeInKiB` (`MaxRecordSizeInKiB`): 1024 KiB at least…
pub(crate) const MIN_RECORD_SIZE_KIB: u32 = 1024;
/// …and 10240 KiB (10 MiB) at most.
pub(crate) const MAX_RECORD_SIZE_KIB: u32 = 10_240;
/// `ShardLevelMetrics` (`MetricsNameList`): 1–7 metrics.
pub(crate) const MAX_SHARD_LEVEL_METRICS: usize = 7;

/// `Limit` of ReceiveQueueRecords and `Entries` of every queue batch call
/// (`ReceiveQueueRecordsInputLimit`, `…RequestEntryList`): 1–10.
pub(crate) const MAX_QUEUE_BATCH: usize = 10;
/// `ReceiptHandle`: 1–1024 characters.
pub(crate) const MAX_RECEIPT_HANDLE_CHARS: usize = 1024;
/// `VisibilityTimeoutSeconds`: 0–43200 seconds (12 hours).
pub(crate) const MAX_VISIBILITY_TIMEOUT_SECONDS: u32 = 43_200;
/// `StreamConfigurationList` of CreateQueue and CreateChannel: exactly one
/// stream.
pub(crate) const STREAMS_PER_QUEUE_OR_CHANNEL: usize = 1;
/// `StreamFilter` of ListQueues and ListChannels: 1–10000 entries.
pub(crate) const MAX_STREAM_FILTERS: usize = 10_000;
/// `DataFreshnessInSeconds` of a channel's S3 and S3 Tables destinations:
/// 300 seconds at least…
pub(crate) const MIN_DATA_FRESHNESS_SECONDS: u32 = 300;
/// …and 900 at most.
pub(crate) const MAX_DATA_FRESHNESS_SECONDS: u32 = 900;
