//! Channels, which deliver a stream's records to Amazon S3 or to Apache
//! Iceberg tables in S3 Tables: CreateChannel, DescribeChannel, ListChannels,
//! UpdateChannel, DeleteChannel.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::shapes::{Page, TagSet};
use super::support::{self, operation, page_setters};
use crate::error::UsageError;
use crate::limits::{
    MAX_DATA_FRESHNESS_SECONDS, MAX_KEY_ID_CHARS, MAX_LIST_MAX_RESULTS, MAX_STREAM_FILTERS,
    MIN_DATA_FRESHNESS_SECONDS, STREAMS_PER_QUEUE_OR_CHANNEL,
};
use crate::operation::{Empty, Paginated};
use crate::validate;
use crate::wire::string_enum;

string_enum! {
    /// Where a channel is in its life.
    ChannelStatus {
        /// Being created.
        Creating = "CREATING",
        /// Delivering records.
        Active = "ACTIVE",
        /// A change is being applied.
        Updating = "UPDATING",
        /// Being deleted.
        Deleting = "DELETING",
        /// Failed; `ChannelStatusReason` says why.
        Failed = "FAILED",
    }
}

string_enum! {
    /// What kind of destination a channel delivers to.
    ChannelDestinationType {
        /// A general purpose S3 bucket.
        S3 = "S3",
        /// Apache Iceberg tables in S3 Tables.
        S3Tables = "S3_TABLES",
    }
}

string_enum! {
    /// How a channel encrypts what it delivers.
    ChannelEncryptionType {
        /// With a customer managed KMS key.
        Kms = "KMS",
    }
}

string_enum! {
    /// How the records on the source stream are encoded.
    RecordFormatType {
        /// JSON described by a Glue Schema Registry schema (S3 Tables only).
        GsrJson = "GSR_JSON",
        /// JSON (both destinations).
        Json = "JSON",
        /// Text (S3 only).
        String = "STRING",
        /// Opaque bytes (S3 only).
        ByteArray = "BYTE_ARRAY",
    }
}

string_enum! {
    /// Compression of objects delivered to S3.
    S3CompressionType {
        /// None.
        None = "NONE",
        /// gzip.
        Gzip = "GZIP",
        /// Zstandard.
        Zstd = "ZSTD",
    }
}

string_enum! {
    /// S3 storage class of delivered objects.
    S3StorageClass {
        /// Standard (the default).
        Standard = "STANDARD",
        /// Intelligent-Tiering.
        IntelligentTiering = "INTELLIGENT_TIERING",
        /// Glacier Instant Retrieval.
        GlacierIr = "GLACIER_IR",
    }
}

string_enum! {
    /// Compression of the Parquet files of an S3 Tables destination.
    S3TablesCompressionType {
        /// None.
        None = "NONE",
        /// Zstandard.
        Zstd = "ZSTD",
        /// Snappy.
        Snappy = "SNAPPY",
    }
}

string_enum! {
    /// A partition transform of a destination table.
    PartitionTransform {
        /// Partition by the hour of a `timestamptz` column.
        TimeHour = "TIME_HOUR",
    }
}

/// How the records of a channel's source stream are read.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RecordConfiguration {
    /// The record encoding.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub record_format_type: RecordFormatType,
    /// The Glue Schema Registry schema (needed for S3 Tables destinations).
    #[serde(
        rename = "GSRSchemaARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub gsr_schema_arn: Option<String>,
}

impl RecordConfiguration {
    /// Records encoded as `record_format_type`.
    pub fn new(record_format_type: RecordFormatType) -> Self {
        RecordConfiguration {
            record_format_type,
            gsr_schema_arn: None,
        }
    }

    /// Validates records against the Glue schema `schema_arn`.
    pub fn with_gsr_schema_arn(mut self, schema_arn: impl Into<String>) -> Self {
        self.gsr_schema_arn = Some(schema_arn.into());
        self
    }
}

/// A channel's source stream, as CreateChannel takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelStreamConfiguration {
    /// The source stream.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// How its records are encoded.
    pub record_configuration: RecordConfiguration,
}

impl ChannelStreamConfiguration {
    /// Reads `stream_arn`, whose records are encoded as `record_configuration` says.
    pub fn new(stream_arn: impl Into<String>, record_configuration: RecordConfiguration) -> Self {
        ChannelStreamConfiguration {
            stream_arn: stream_arn.into(),
            record_configuration,
        }
    }
}

/// A channel's source stream, as DescribeChannel reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelStreamDescription {
    /// The source stream.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// When the source stream was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub stream_creation_timestamp: OffsetDateTime,
    /// How its records are encoded.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub record_configuration: RecordConfiguration,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for ChannelStreamDescription {
    fn default() -> Self {
        ChannelStreamDescription {
            stream_arn: Default::default(),
            stream_creation_timestamp: crate::wire::epoch(),
            record_configuration: Default::default(),
        }
    }
}

/// A channel's source stream, as ListChannels reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelStreamIdentifier {
    /// The source stream.
    #[serde(
        rename = "StreamARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub stream_arn: String,
    /// When the source stream was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub stream_creation_timestamp: OffsetDateTime,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for ChannelStreamIdentifier {
    fn default() -> Self {
        ChannelStreamIdentifier {
            stream_arn: Default::default(),
            stream_creation_timestamp: crate::wire::epoch(),
        }
    }
}

/// Server-side encryption of what a channel delivers.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelEncryptionConfiguration {
    /// The encryption type (only KMS).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub encryption_type: ChannelEncryptionType,
    /// The customer managed KMS key (not the `aws/kinesis` service key).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub key_id: String,
}

impl ChannelEncryptionConfiguration {
    /// KMS encryption with the key `key_id`.
    pub fn kms(key_id: impl Into<String>) -> Self {
        ChannelEncryptionConfiguration {
            encryption_type: ChannelEncryptionType::Kms,
            key_id: key_id.into(),
        }
    }
}

/// CloudWatch Logs settings of a channel.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CloudWatchLogs {
    /// Whether the channel logs to CloudWatch Logs.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub enabled: bool,
    /// The log group (default `/aws/kinesis/{channelName}/{channelId}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    /// The log stream (default `DestinationDelivery`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_name: Option<String>,
}

impl CloudWatchLogs {
    /// Logging turned on (`true`) or off, with the default group and stream.
    pub fn new(enabled: bool) -> Self {
        CloudWatchLogs {
            enabled,
            log_group_name: None,
            log_stream_name: None,
        }
    }

    /// Logs to the group `name`.
    pub fn with_log_group_name(mut self, name: impl Into<String>) -> Self {
        self.log_group_name = Some(name.into());
        self
    }

    /// Logs to the stream `name`.
    pub fn with_log_stream_name(mut self, name: impl Into<String>) -> Self {
        self.log_stream_name = Some(name.into());
        self
    }
}

/// A channel's logging configuration (the same shape in CreateChannel,
/// UpdateChannel and DescribeChannel).
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelLoggingConfiguration {
    /// The CloudWatch Logs settings.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub cloud_watch_logs: CloudWatchLogs,
}

impl ChannelLoggingConfiguration {
    /// Logs as `cloud_watch_logs` says.
    pub fn new(cloud_watch_logs: CloudWatchLogs) -> Self {
        ChannelLoggingConfiguration { cloud_watch_logs }
    }
}

/// Where records that cannot be delivered go.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeadLetterQueueS3Configuration {
    /// The bucket.
    #[serde(
        rename = "BucketARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub bucket_arn: String,
    /// The account that must own the bucket (12 digits).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub expected_bucket_owner: String,
    /// The key prefix of error records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_output_prefix: Option<String>,
}

impl DeadLetterQueueS3Configuration {
    /// Undeliverable records go to `bucket_arn`, owned by `expected_bucket_owner`.
    pub fn new(bucket_arn: impl Into<String>, expected_bucket_owner: impl Into<String>) -> Self {
        DeadLetterQueueS3Configuration {
            bucket_arn: bucket_arn.into(),
            expected_bucket_owner: expected_bucket_owner.into(),
            error_output_prefix: None,
        }
    }

    /// Writes error records under `prefix`.
    pub fn with_error_output_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.error_output_prefix = Some(prefix.into());
        self
    }
}

/// The bucket of a general purpose S3 destination and how objects are stored.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3StorageConfiguration {
    /// The bucket.
    #[serde(
        rename = "BucketARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub bucket_arn: String,
    /// Compression of delivered objects.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub compression_type: S3CompressionType,
    /// The account that must own the bucket (12 digits).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub expected_bucket_owner: String,
    /// The template of object keys (a default one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_key_template: Option<String>,
    /// The storage class (STANDARD when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<S3StorageClass>,
}

impl S3StorageConfiguration {
    /// Objects go to `bucket_arn`, owned by `expected_bucket_owner`, compressed as `compression_type`.
    pub fn new(
        bucket_arn: impl Into<String>,
        expected_bucket_owner: impl Into<String>,
        compression_type: S3CompressionType,
    ) -> Self {
        S3StorageConfiguration {
            bucket_arn: bucket_arn.into(),
            compression_type,
            expected_bucket_owner: expected_bucket_owner.into(),
            output_key_template: None,
            storage_class: None,
        }
    }

    /// Names objects by `template`.
    pub fn with_output_key_template(mut self, template: impl Into<String>) -> Self {
        self.output_key_template = Some(template.into());
        self
    }

    /// Stores objects in `class`.
    pub fn with_storage_class(mut self, class: S3StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }
}

/// Delivery to a general purpose S3 bucket, as CreateChannel takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3DestinationConfiguration {
    /// The bucket and how objects are stored.
    pub storage_configuration: S3StorageConfiguration,
    /// Longest time undelivered data waits, 300–900 s (default 300).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_freshness_in_seconds: Option<u32>,
    /// Where undeliverable records go (default: the destination bucket
    /// under an error prefix).
    #[serde(
        rename = "DeadLetterQueueS3Configuration",
        skip_serializing_if = "Option::is_none"
    )]
    pub dead_letter_queue_s3_configuration: Option<DeadLetterQueueS3Configuration>,
}

impl S3DestinationConfiguration {
    /// Delivers to the bucket that `storage_configuration` names.
    pub fn new(storage_configuration: S3StorageConfiguration) -> Self {
        S3DestinationConfiguration {
            storage_configuration,
            data_freshness_in_seconds: None,
            dead_letter_queue_s3_configuration: None,
        }
    }

    /// Delivers data at most `seconds` old.
    pub fn with_data_freshness_in_seconds(mut self, seconds: u32) -> Self {
        self.data_freshness_in_seconds = Some(seconds);
        self
    }

    /// Sends undeliverable records to `dead_letter`.
    pub fn with_dead_letter_queue(mut self, dead_letter: DeadLetterQueueS3Configuration) -> Self {
        self.dead_letter_queue_s3_configuration = Some(dead_letter);
        self
    }
}

/// Delivery to a general purpose S3 bucket, as DescribeChannel reports it.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3DestinationDescription {
    /// Longest time undelivered data waits, in seconds.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub data_freshness_in_seconds: u32,
    /// Where undeliverable records go.
    #[serde(
        rename = "DeadLetterQueueS3Configuration",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub dead_letter_queue_s3_configuration: DeadLetterQueueS3Configuration,
    /// The bucket and how objects are stored.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub storage_configuration: S3StorageConfiguration,
}

/// One partition field of a destination table.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PartitionField {
    /// The source column (of type `timestamptz`).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub source_name: String,
    /// The transform (only TIME_HOUR).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub transform: PartitionTransform,
}

impl PartitionField {
    /// Partitions by `transform` of the column `source_name`.
    pub fn new(source_name: impl Into<String>, transform: PartitionTransform) -> Self {
        PartitionField {
            source_name: source_name.into(),
            transform,
        }
    }
}

/// How a destination table is partitioned.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PartitionSpec {
    /// The partition fields.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub partition_fields: Vec<PartitionField>,
}

impl PartitionSpec {
    /// Partitions by `partition_fields`.
    pub fn new(partition_fields: Vec<PartitionField>) -> Self {
        PartitionSpec { partition_fields }
    }
}

/// One destination Apache Iceberg table in S3 Tables.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3TablesConfiguration {
    /// The table bucket.
    #[serde(
        rename = "TableBucketARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub table_bucket_arn: String,
    /// The namespace (database) of the table.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub namespace: String,
    /// The table, which the channel creates.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub table_name: String,
    /// Compression of the Parquet data files.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub compression_type: S3TablesCompressionType,
    /// How the table is partitioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_spec: Option<PartitionSpec>,
}

impl S3TablesConfiguration {
    /// The table `namespace`.`table_name` in `table_bucket_arn`.
    pub fn new(
        table_bucket_arn: impl Into<String>,
        namespace: impl Into<String>,
        table_name: impl Into<String>,
        compression_type: S3TablesCompressionType,
    ) -> Self {
        S3TablesConfiguration {
            table_bucket_arn: table_bucket_arn.into(),
            namespace: namespace.into(),
            table_name: table_name.into(),
            compression_type,
            partition_spec: None,
        }
    }

    /// Partitions the table by `spec`.
    pub fn with_partition_spec(mut self, spec: PartitionSpec) -> Self {
        self.partition_spec = Some(spec);
        self
    }
}

/// Delivery to Apache Iceberg tables in S3 Tables, as CreateChannel takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3TablesDestinationConfiguration {
    /// The destination tables (one is supported today).
    pub s3_tables_configuration_list: Vec<S3TablesConfiguration>,
    /// Where undeliverable records go (required for this destination).
    #[serde(rename = "DeadLetterQueueS3Configuration")]
    pub dead_letter_queue_s3_configuration: DeadLetterQueueS3Configuration,
    /// Longest time undelivered data waits, 300–900 s (default 300).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_freshness_in_seconds: Option<u32>,
}

impl S3TablesDestinationConfiguration {
    /// Delivers to `table`, sending undeliverable records to `dead_letter`.
    pub fn new(table: S3TablesConfiguration, dead_letter: DeadLetterQueueS3Configuration) -> Self {
        S3TablesDestinationConfiguration {
            s3_tables_configuration_list: vec![table],
            dead_letter_queue_s3_configuration: dead_letter,
            data_freshness_in_seconds: None,
        }
    }

    /// Delivers data at most `seconds` old.
    pub fn with_data_freshness_in_seconds(mut self, seconds: u32) -> Self {
        self.data_freshness_in_seconds = Some(seconds);
        self
    }
}

/// Delivery to Apache Iceberg tables in S3 Tables, as DescribeChannel reports it.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3TablesDestinationDescription {
    /// Longest time undelivered data waits, in seconds.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub data_freshness_in_seconds: u32,
    /// Where undeliverable records go.
    #[serde(
        rename = "DeadLetterQueueS3Configuration",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub dead_letter_queue_s3_configuration: DeadLetterQueueS3Configuration,
    /// The destination tables.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub s3_tables_configuration_list: Vec<S3TablesConfiguration>,
}

/// A channel's configuration and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelDescription {
    /// The channel's ARN.
    #[serde(
        rename = "ChannelARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub channel_arn: String,
    /// Its name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_name: String,
    /// Its unique identifier.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_id: String,
    /// Where it is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_status: ChannelStatus,
    /// Why it is `Failed`.
    #[serde(default)]
    pub channel_status_reason: Option<String>,
    /// When it was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub channel_creation_timestamp: OffsetDateTime,
    /// The role Kinesis assumes to write to the destination.
    #[serde(
        rename = "ServiceExecutionRoleARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub service_execution_role_arn: String,
    /// The source streams.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub stream_configuration_list: Vec<ChannelStreamDescription>,
    /// Its logging configuration.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub logging_configuration: ChannelLoggingConfiguration,
    /// Its encryption, when set.
    #[serde(default)]
    pub encryption_configuration: Option<ChannelEncryptionConfiguration>,
    /// The general purpose S3 destination, when that is where it delivers.
    #[serde(rename = "S3DestinationConfiguration", default)]
    pub s3_destination_configuration: Option<S3DestinationDescription>,
    /// The S3 Tables destination, when that is where it delivers.
    #[serde(rename = "S3TablesDestinationConfiguration", default)]
    pub s3_tables_destination_configuration: Option<S3TablesDestinationDescription>,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for ChannelDescription {
    fn default() -> Self {
        ChannelDescription {
            channel_arn: Default::default(),
            channel_name: Default::default(),
            channel_id: Default::default(),
            channel_status: Default::default(),
            channel_status_reason: Default::default(),
            channel_creation_timestamp: crate::wire::epoch(),
            service_execution_role_arn: Default::default(),
            stream_configuration_list: Default::default(),
            logging_configuration: Default::default(),
            encryption_configuration: Default::default(),
            s3_destination_configuration: Default::default(),
            s3_tables_destination_configuration: Default::default(),
        }
    }
}

/// A channel as ListChannels reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelSummary {
    /// The channel's ARN.
    #[serde(
        rename = "ChannelARN",
        default,
        deserialize_with = "crate::wire::nullable"
    )]
    pub channel_arn: String,
    /// Its name.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_name: String,
    /// Its unique identifier.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_id: String,
    /// Where it is in its life.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_status: ChannelStatus,
    /// Why it is `Failed`.
    #[serde(default)]
    pub channel_status_reason: Option<String>,
    /// When it was created.
    #[serde(default = "crate::wire::epoch", with = "crate::wire::timestamp")]
    pub channel_creation_timestamp: OffsetDateTime,
    /// The kind of destination.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_destination_type: ChannelDestinationType,
    /// The source streams.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub streams: Vec<ChannelStreamIdentifier>,
}

/// Every member at its default, the creation time at the epoch (what
/// an answer lacking the structure reads as).
impl Default for ChannelSummary {
    fn default() -> Self {
        ChannelSummary {
            channel_arn: Default::default(),
            channel_name: Default::default(),
            channel_id: Default::default(),
            channel_status: Default::default(),
            channel_status_reason: Default::default(),
            channel_creation_timestamp: crate::wire::epoch(),
            channel_destination_type: Default::default(),
            streams: Default::default(),
        }
    }
}

/// The answer to CreateChannel, DescribeChannel and UpdateChannel.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChannelDescriptionOutput {
    /// The channel.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_description: ChannelDescription,
}

fn check_dead_letter(field: &str, dl: &DeadLetterQueueS3Configuration) -> Result<(), UsageError> {
    validate::foreign_arn(format!("{field}.BucketARN"), &dl.bucket_arn)?;
    check_account_id(
        &format!("{field}.ExpectedBucketOwner"),
        &dl.expected_bucket_owner,
    )
}

fn check_account_id(field: &str, value: &str) -> Result<(), UsageError> {
    if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UsageError::new(
            field.to_owned(),
            "must be a 12-digit account id",
        ));
    }
    Ok(())
}

fn check_freshness(field: &'static str, seconds: Option<u32>) -> Result<(), UsageError> {
    match seconds {
        Some(s) => validate::range(
            field,
            s,
            MIN_DATA_FRESHNESS_SECONDS,
            MAX_DATA_FRESHNESS_SECONDS,
        ),
        None => Ok(()),
    }
}

/// Where a new channel delivers: a general purpose S3 bucket
/// (`S3DestinationConfiguration`) or Iceberg tables in S3 Tables
/// (`S3TablesDestinationConfiguration`), exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChannelDestination {
    /// Delivery to a general purpose S3 bucket.
    #[serde(rename = "S3DestinationConfiguration")]
    S3(S3DestinationConfiguration),
    /// Delivery to Iceberg tables in S3 Tables.
    #[serde(rename = "S3TablesDestinationConfiguration")]
    S3Tables(S3TablesDestinationConfiguration),
}

impl From<S3DestinationConfiguration> for ChannelDestination {
    fn from(destination: S3DestinationConfiguration) -> Self {
        ChannelDestination::S3(destination)
    }
}

impl From<S3TablesDestinationConfiguration> for ChannelDestination {
    fn from(destination: S3TablesDestinationConfiguration) -> Self {
        ChannelDestination::S3Tables(destination)
    }
}

/// Creates a channel that delivers one stream's records to a general purpose
/// S3 bucket or to Iceberg tables in S3 Tables (exactly one of the two).
/// Only on-demand streams are supported.
///
/// ```
/// use kinesis_proto::ops::*;
/// let op = CreateChannel::new(
///     "orders-to-s3",
///     "arn:aws:iam::123456789012:role/kinesis-delivery",
///     ChannelStreamConfiguration::new(
///         "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
///         RecordConfiguration::new(RecordFormatType::Json),
///     ),
/// )
/// .with_s3_destination(S3DestinationConfiguration::new(S3StorageConfiguration::new(
///     "arn:aws:s3:::orders-archive",
///     "123456789012",
///     S3CompressionType::Gzip,
/// )));
/// assert!(matches!(op.destination, Some(ChannelDestination::S3(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CreateChannel {
    /// The channel's name, unique in the account and region.
    pub channel_name: String,
    /// The IAM role Kinesis assumes to write to the destination.
    #[serde(rename = "ServiceExecutionRoleARN")]
    pub service_execution_role_arn: String,
    /// The source stream (one is supported today).
    pub stream_configuration_list: Vec<ChannelStreamConfiguration>,
    /// Where the channel delivers: an S3 bucket or S3 Tables (exactly one;
    /// set with [`Self::with_s3_destination`] or
    /// [`Self::with_s3_tables_destination`]).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub destination: Option<ChannelDestination>,
    /// Encryption of what is delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_configuration: Option<ChannelEncryptionConfiguration>,
    /// CloudWatch Logs settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_configuration: Option<ChannelLoggingConfiguration>,
    /// Tags for the new channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagSet>,
}

impl CreateChannel {
    /// A channel named `channel_name` reading `stream`, writing as the role
    /// `service_execution_role_arn`; set its destination with
    /// [`Self::with_s3_destination`] or [`Self::with_s3_tables_destination`].
    pub fn new(
        channel_name: impl Into<String>,
        service_execution_role_arn: impl Into<String>,
        stream: ChannelStreamConfiguration,
    ) -> Self {
        CreateChannel {
            channel_name: channel_name.into(),
            service_execution_role_arn: service_execution_role_arn.into(),
            stream_configuration_list: vec![stream],
            destination: None,
            encryption_configuration: None,
            logging_configuration: None,
            tags: None,
        }
    }

    /// Delivers to a general purpose S3 bucket.
    pub fn with_s3_destination(mut self, destination: S3DestinationConfiguration) -> Self {
        self.destination = Some(ChannelDestination::S3(destination));
        self
    }

    /// Delivers to Iceberg tables in S3 Tables.
    pub fn with_s3_tables_destination(
        mut self,
        destination: S3TablesDestinationConfiguration,
    ) -> Self {
        self.destination = Some(ChannelDestination::S3Tables(destination));
        self
    }

    /// Encrypts what is delivered.
    pub fn with_encryption(mut self, encryption: ChannelEncryptionConfiguration) -> Self {
        self.encryption_configuration = Some(encryption);
        self
    }

    /// Sets the CloudWatch Logs configuration.
    pub fn with_logging(mut self, logging: ChannelLoggingConfiguration) -> Self {
        self.logging_configuration = Some(logging);
        self
    }

    /// Adds one tag to the new channel.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.get_or_insert_with(TagSet::new).insert(key, value);
        self
    }
}

operation! {
    CreateChannel: Control -> ChannelDescriptionOutput,
    validate(op) {
        support::check_name("ChannelName", &op.channel_name)?;
        validate::foreign_arn(
            "ServiceExecutionRoleARN",
            &op.service_execution_role_arn,
        )?;
        support::check_count(
            "StreamConfigurationList",
            op.stream_configuration_list.len(),
            STREAMS_PER_QUEUE_OR_CHANNEL,
            STREAMS_PER_QUEUE_OR_CHANNEL,
        )?;
        for (i, stream) in op.stream_configuration_list.iter().enumerate() {
            validate::stream_arn(
                format!("StreamConfigurationList[{i}].StreamARN"),
                &stream.stream_arn,
            )?;
        }
        match &op.destination {
            None => {
                return Err(UsageError::new(
                    "S3DestinationConfiguration",
                    "give S3DestinationConfiguration or S3TablesDestinationConfiguration",
                ))
            }
            Some(ChannelDestination::S3(s3)) => {
                let storage = &s3.storage_configuration;
                validate::foreign_arn(
                    "S3DestinationConfiguration.StorageConfiguration.BucketARN",
                    &storage.bucket_arn,
                )?;
                check_account_id(
                    "S3DestinationConfiguration.StorageConfiguration.ExpectedBucketOwner",
                    &storage.expected_bucket_owner,
                )?;
                check_freshness(
                    "S3DestinationConfiguration.DataFreshnessInSeconds",
                    s3.data_freshness_in_seconds,
                )?;
                if let Some(dl) = &s3.dead_letter_queue_s3_configuration {
                    check_dead_letter(
                        "S3DestinationConfiguration.DeadLetterQueueS3Configuration",
                        dl,
                    )?;
                }
            }
            Some(ChannelDestination::S3Tables(tables)) => {
                support::check_count(
                    "S3TablesDestinationConfiguration.S3TablesConfigurationList",
                    tables.s3_tables_configuration_list.len(),
                    1,
                    1,
                )?;
                check_freshness(
                    "S3TablesDestinationConfiguration.DataFreshnessInSeconds",
                    tables.data_freshness_in_seconds,
                )?;
                check_dead_letter(
                    "S3TablesDestinationConfiguration.DeadLetterQueueS3Configuration",
                    &tables.dead_letter_queue_s3_configuration,
                )?;
                for (i, stream) in op.stream_configuration_list.iter().enumerate() {
                    if stream.record_configuration.gsr_schema_arn.is_none() {
                        return Err(UsageError::new(
                            format!(
                                "StreamConfigurationList[{i}].RecordConfiguration.GSRSchemaARN"
                            ),
                            "required for an S3 Tables destination",
                        ));
                    }
                }
            }
        }
        if let Some(enc) = &op.encryption_configuration {
            validate::char_length("EncryptionConfiguration.KeyId", &enc.key_id, 1, MAX_KEY_ID_CHARS)?;
        }
        if let Some(tags) = &op.tags {
            tags.validate("Tags", false)?;
        }
        Ok(())
    },
}

/// Describes a channel: its configuration, state and, when it failed, why.
///
/// ```
/// let op = kinesis_proto::ops::DescribeChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3");
/// assert!(op.channel_arn.contains(":channel/"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeChannel {
    /// The channel.
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
}

impl DescribeChannel {
    /// Describes the channel `channel_arn`.
    pub fn new(channel_arn: impl Into<String>) -> Self {
        DescribeChannel {
            channel_arn: channel_arn.into(),
        }
    }
}

operation! {
    DescribeChannel: Control -> ChannelDescriptionOutput,
    validate(op) {
        validate::channel_arn("ChannelARN", &op.channel_arn)
    },
    resource_arn(op) { Some(&op.channel_arn) },
}

/// Deletes a channel. Data already delivered stays where it is.
///
/// ```
/// let op = kinesis_proto::ops::DeleteChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3");
/// assert!(op.channel_arn.ends_with("orders-to-s3"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DeleteChannel {
    /// The channel.
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
}

impl DeleteChannel {
    /// Deletes the channel `channel_arn`.
    pub fn new(channel_arn: impl Into<String>) -> Self {
        DeleteChannel {
            channel_arn: channel_arn.into(),
        }
    }
}

operation! {
    DeleteChannel: Control -> Empty,
    validate(op) {
        validate::channel_arn("ChannelARN", &op.channel_arn)
    },
    resource_arn(op) { Some(&op.channel_arn) },
}

/// Only the data freshness of a destination can change after creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DestinationUpdate {
    /// Longest time undelivered data waits, 300–900 s.
    pub data_freshness_in_seconds: u32,
}

impl DestinationUpdate {
    /// Sets the data freshness to `seconds`.
    pub fn new(seconds: u32) -> Self {
        DestinationUpdate {
            data_freshness_in_seconds: seconds,
        }
    }
}

/// Changes a channel's data freshness or logging; nothing else can change
/// (delete and create the channel for that).
///
/// ```
/// use kinesis_proto::ops::{DestinationUpdate, UpdateChannel};
/// let op = UpdateChannel::new("arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3")
///     .with_s3_destination(DestinationUpdate::new(600));
/// assert_eq!(op.s3_destination_configuration.unwrap().data_freshness_in_seconds, 600);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateChannel {
    /// The channel.
    #[serde(rename = "ChannelARN")]
    pub channel_arn: String,
    /// New logging settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_configuration: Option<ChannelLoggingConfiguration>,
    /// New freshness of a general purpose S3 destination.
    #[serde(
        rename = "S3DestinationConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    pub s3_destination_configuration: Option<DestinationUpdate>,
    /// New freshness of an S3 Tables destination.
    #[serde(
        rename = "S3TablesDestinationConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    pub s3_tables_destination_configuration: Option<DestinationUpdate>,
}

impl UpdateChannel {
    /// Updates the channel `channel_arn`; say what changes with the `with_…` methods.
    pub fn new(channel_arn: impl Into<String>) -> Self {
        UpdateChannel {
            channel_arn: channel_arn.into(),
            logging_configuration: None,
            s3_destination_configuration: None,
            s3_tables_destination_configuration: None,
        }
    }

    /// Sets new logging settings.
    pub fn with_logging(mut self, logging: ChannelLoggingConfiguration) -> Self {
        self.logging_configuration = Some(logging);
        self
    }

    /// Changes a general purpose S3 destination.
    pub fn with_s3_destination(mut self, update: DestinationUpdate) -> Self {
        self.s3_destination_configuration = Some(update);
        self
    }

    /// Changes an S3 Tables destination.
    pub fn with_s3_tables_destination(mut self, update: DestinationUpdate) -> Self {
        self.s3_tables_destination_configuration = Some(update);
        self
    }
}

operation! {
    UpdateChannel: Control -> ChannelDescriptionOutput,
    validate(op) {
        validate::channel_arn("ChannelARN", &op.channel_arn)?;
        if op.logging_configuration.is_none()
            && op.s3_destination_configuration.is_none()
            && op.s3_tables_destination_configuration.is_none()
        {
            return Err(UsageError::new(
                "LoggingConfiguration",
                "nothing to update: give LoggingConfiguration or a destination update",
            ));
        }
        check_freshness(
            "S3DestinationConfiguration.DataFreshnessInSeconds",
            op.s3_destination_configuration
                .map(|u| u.data_freshness_in_seconds),
        )?;
        check_freshness(
            "S3TablesDestinationConfiguration.DataFreshnessInSeconds",
            op.s3_tables_destination_configuration
                .map(|u| u.data_freshness_in_seconds),
        )
    },
    resource_arn(op) { Some(&op.channel_arn) },
}

/// Lists only the channels (or, as [`QueueStreamFilter`](crate::ops::QueueStreamFilter),
/// the queues) reading one stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct StreamFilter {
    /// The source stream.
    #[serde(rename = "StreamARN")]
    pub stream_arn: String,
    /// When it was created (tells apart a stream deleted and created again).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::wire::opt_timestamp"
    )]
    pub stream_creation_timestamp: Option<OffsetDateTime>,
}

impl StreamFilter {
    /// Channels (or queues) reading `stream_arn`.
    pub fn new(stream_arn: impl Into<String>) -> Self {
        StreamFilter {
            stream_arn: stream_arn.into(),
            stream_creation_timestamp: None,
        }
    }
}

/// Checks a `StreamFilter` list: 1–10000 filters, each naming a stream by ARN.
pub(super) fn check_stream_filters(filters: Option<&[StreamFilter]>) -> Result<(), UsageError> {
    let Some(filters) = filters else {
        return Ok(());
    };
    support::check_count("StreamFilter", filters.len(), 1, MAX_STREAM_FILTERS)?;
    for (i, f) in filters.iter().enumerate() {
        validate::stream_arn(format!("StreamFilter[{i}].StreamARN"), &f.stream_arn)?;
    }
    Ok(())
}

/// Lists the account's channels, a page at a time (see [`Paginated`]),
/// optionally only those reading given streams.
///
/// ```
/// use kinesis_proto::ops::{ListChannels, StreamFilter};
/// let op = ListChannels::new()
///     .with_stream_filter(StreamFilter::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders"));
/// assert_eq!(op.stream_filter.unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListChannels {
    /// Where the previous page ended, and the most channels per page
    /// (1–10000; at most 100 are returned).
    #[serde(flatten)]
    pub page: Page,
    /// Only channels reading these streams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_filter: Option<Vec<StreamFilter>>,
}

impl ListChannels {
    /// Lists every channel.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lists only channels reading the stream `filter` names.
    pub fn with_stream_filter(mut self, filter: StreamFilter) -> Self {
        self.stream_filter.get_or_insert_with(Vec::new).push(filter);
        self
    }
}
page_setters!(ListChannels: "channels");

/// The answer to [`ListChannels`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListChannelsOutput {
    /// The channels on this page.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub channel_summaries: Vec<ChannelSummary>,
    /// Present when more channels follow.
    #[serde(default)]
    pub next_token: Option<String>,
}

operation! {
    ListChannels: Control -> ListChannelsOutput,
    validate(op) {
        op.page.validate(MAX_LIST_MAX_RESULTS)?;
        check_stream_filters(op.stream_filter.as_deref())?;
        Ok(())
    },
}

impl Paginated for ListChannels {
    /// The same request with the answer's `NextToken`, while it has one.
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        Some(ListChannels {
            page: self.page.after(output.next_token.as_deref())?,
            ..self.clone()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::Operation;
    use crate::ops::test_support::{field_of, json_body as body, STREAM};
    use serde_json::json;

    const CHANNEL: &str = "arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3";
    const ROLE: &str = "arn:aws:iam::123456789012:role/delivery";

    fn s3_channel() -> CreateChannel {
        CreateChannel::new(
            "orders-to-s3",
            ROLE,
            ChannelStreamConfiguration::new(
                STREAM,
                RecordConfiguration::new(RecordFormatType::Json),
            ),
        )
        .with_s3_destination(
            S3DestinationConfiguration::new(
                S3StorageConfiguration::new(
                    "arn:aws:s3:::archive",
                    "123456789012",
                    S3CompressionType::Zstd,
                )
                .with_storage_class(S3StorageClass::IntelligentTiering),
            )
            .with_data_freshness_in_seconds(600)
            .with_dead_letter_queue(
                DeadLetterQueueS3Configuration::new("arn:aws:s3:::errors", "123456789012")
                    .with_error_output_prefix("failed/"),
            ),
        )
    }

    fn tables_channel() -> CreateChannel {
        CreateChannel::new(
            "orders-to-iceberg",
            ROLE,
            ChannelStreamConfiguration::new(
                STREAM,
                RecordConfiguration::new(RecordFormatType::GsrJson)
                    .with_gsr_schema_arn("arn:aws:glue:us-east-1:123456789012:schema/reg/orders"),
            ),
        )
        .with_s3_tables_destination(S3TablesDestinationConfiguration::new(
            S3TablesConfiguration::new(
                "arn:aws:s3tables:us-east-1:123456789012:bucket/tables",
                "sales",
                "orders",
                S3TablesCompressionType::Snappy,
            )
            .with_partition_spec(PartitionSpec::new(vec![PartitionField::new(
                "event_time",
                PartitionTransform::TimeHour,
            )])),
            DeadLetterQueueS3Configuration::new("arn:aws:s3:::errors", "123456789012"),
        ))
    }

    #[test]
    fn create_serializes_an_s3_channel() {
        let op = s3_channel()
            .with_encryption(ChannelEncryptionConfiguration::kms("alias/delivery"))
            .with_logging(ChannelLoggingConfiguration::new(
                CloudWatchLogs::new(true).with_log_group_name("/delivery"),
            ))
            .with_tag("team", "data");
        assert_eq!(
            body(&op),
            json!({
                "ChannelName": "orders-to-s3",
                "ServiceExecutionRoleARN": ROLE,
                "StreamConfigurationList": [
                    {"StreamARN": STREAM, "RecordConfiguration": {"RecordFormatType": "JSON"}}
                ],
                "S3DestinationConfiguration": {
                    "StorageConfiguration": {
                        "BucketARN": "arn:aws:s3:::archive",
                        "CompressionType": "ZSTD",
                        "ExpectedBucketOwner": "123456789012",
                        "StorageClass": "INTELLIGENT_TIERING"
                    },
                    "DataFreshnessInSeconds": 600,
                    "DeadLetterQueueS3Configuration": {
                        "BucketARN": "arn:aws:s3:::errors",
                        "ExpectedBucketOwner": "123456789012",
                        "ErrorOutputPrefix": "failed/"
                    }
                },
                "EncryptionConfiguration": {"EncryptionType": "KMS", "KeyId": "alias/delivery"},
                "LoggingConfiguration": {"CloudWatchLogs": {"Enabled": true, "LogGroupName": "/delivery"}},
                "Tags": {"team": "data"}
            })
        );
        assert!(op.validate(&Limits::default()).is_ok());
        assert_eq!(op.resource_arn(), None);
    }

    #[test]
    fn create_serializes_an_s3_tables_channel() {
        let op = tables_channel();
        let b = body(&op);
        assert_eq!(
            b["StreamConfigurationList"][0]["RecordConfiguration"],
            json!({"RecordFormatType": "GSR_JSON",
                   "GSRSchemaARN": "arn:aws:glue:us-east-1:123456789012:schema/reg/orders"})
        );
        assert_eq!(
            b["S3TablesDestinationConfiguration"],
            json!({
                "S3TablesConfigurationList": [{
                    "TableBucketARN": "arn:aws:s3tables:us-east-1:123456789012:bucket/tables",
                    "Namespace": "sales",
                    "TableName": "orders",
                    "CompressionType": "SNAPPY",
                    "PartitionSpec": {"PartitionFields": [{"SourceName": "event_time", "Transform": "TIME_HOUR"}]}
                }],
                "DeadLetterQueueS3Configuration": {
                    "BucketARN": "arn:aws:s3:::errors", "ExpectedBucketOwner": "123456789012"
                }
            })
        );
        assert!(b.get("S3DestinationConfiguration").is_none());
        assert!(op.validate(&Limits::default()).is_ok());
    }

    #[test]
    fn create_validation() {
        let mut neither = s3_channel();
        neither.destination = None;
        assert_eq!(field_of(&neither), "S3DestinationConfiguration");
        // The last destination set is the one: a channel has one.
        let switched =
            s3_channel().with_s3_tables_destination(match tables_channel().destination {
                Some(ChannelDestination::S3Tables(tables)) => tables,
                other => panic!("{other:?}"),
            });
        assert!(matches!(
            switched.destination,
            Some(ChannelDestination::S3Tables(_))
        ));
        fn s3(op: &mut CreateChannel) -> &mut S3DestinationConfiguration {
            match op.destination.as_mut() {
                Some(ChannelDestination::S3(s3)) => s3,
                other => panic!("{other:?}"),
            }
        }
        let mut stale = s3_channel();
        s3(&mut stale).data_freshness_in_seconds = Some(60);
        assert_eq!(
            field_of(&stale),
            "S3DestinationConfiguration.DataFreshnessInSeconds"
        );
        let mut owner = s3_channel();
        s3(&mut owner).storage_configuration.expected_bucket_owner = "12345".into();
        assert_eq!(
            field_of(&owner),
            "S3DestinationConfiguration.StorageConfiguration.ExpectedBucketOwner"
        );
        let mut schemaless = tables_channel();
        schemaless.stream_configuration_list[0]
            .record_configuration
            .gsr_schema_arn = None;
        assert_eq!(
            field_of(&schemaless),
            "StreamConfigurationList[0].RecordConfiguration.GSRSchemaARN"
        );
        let mut two = s3_channel();
        two.stream_configuration_list
            .push(two.stream_configuration_list[0].clone());
        assert_eq!(field_of(&two), "StreamConfigurationList");
        let mut name = s3_channel();
        name.channel_name = "orders to s3".into();
        assert_eq!(field_of(&name), "ChannelName");
        let mut stream = s3_channel();
        stream.stream_configuration_list[0].stream_arn = CHANNEL.into();
        assert_eq!(field_of(&stream), "StreamConfigurationList[0].StreamARN");
    }

    #[test]
    fn describe_output_parses_a_failed_s3_channel() {
        let out: ChannelDescriptionOutput = serde_json::from_str(&format!(
            r#"{{"ChannelDescription":{{
                "ChannelARN":"{CHANNEL}","ChannelName":"orders-to-s3","ChannelId":"ch-123",
                "ChannelStatus":"FAILED","ChannelStatusReason":"AccessDenied on bucket",
                "ChannelCreationTimestamp":1700000000.5,
                "ServiceExecutionRoleARN":"{ROLE}",
                "StreamConfigurationList":[{{"StreamARN":"{STREAM}","StreamCreationTimestamp":1600000000,
                    "RecordConfiguration":{{"RecordFormatType":"BYTE_ARRAY"}}}}],
                "LoggingConfiguration":{{"CloudWatchLogs":{{"Enabled":false}}}},
                "S3DestinationConfiguration":{{"DataFreshnessInSeconds":300,
                    "DeadLetterQueueS3Configuration":{{"BucketARN":"arn:aws:s3:::archive","ExpectedBucketOwner":"123456789012","ErrorOutputPrefix":"error/"}},
                    "StorageConfiguration":{{"BucketARN":"arn:aws:s3:::archive","CompressionType":"GZIP","ExpectedBucketOwner":"123456789012"}}}},
                "SomethingNew":{{"x":1}}
            }}}}"#
        ))
        .unwrap();
        let c = out.channel_description;
        assert_eq!(c.channel_status, ChannelStatus::Failed);
        assert_eq!(
            c.channel_status_reason.as_deref(),
            Some("AccessDenied on bucket")
        );
        assert_eq!(c.channel_creation_timestamp.nanosecond(), 500_000_000);
        assert_eq!(
            c.stream_configuration_list[0]
                .record_configuration
                .record_format_type,
            RecordFormatType::ByteArray
        );
        let s3 = c.s3_destination_configuration.unwrap();
        assert_eq!(s3.data_freshness_in_seconds, 300);
        assert_eq!(
            s3.storage_configuration.compression_type,
            S3CompressionType::Gzip
        );
        assert_eq!(s3.storage_configuration.storage_class, None);
        assert!(c.s3_tables_destination_configuration.is_none());
        assert!(!c.logging_configuration.cloud_watch_logs.enabled);
    }

    #[test]
    fn list_parses_summaries_and_pages() {
        let first = ListChannels::new()
            .with_max_results(50)
            .with_stream_filter(StreamFilter::new(STREAM));
        assert_eq!(
            body(&first),
            json!({"MaxResults": 50, "StreamFilter": [{"StreamARN": STREAM}]})
        );
        let page: ListChannelsOutput = serde_json::from_str(&format!(
            r#"{{"ChannelSummaries":[{{"ChannelARN":"{CHANNEL}","ChannelName":"orders-to-s3",
                "ChannelId":"ch-123","ChannelStatus":"ACTIVE","ChannelCreationTimestamp":1700000000,
                "ChannelDestinationType":"S3_TABLES",
                "Streams":[{{"StreamARN":"{STREAM}","StreamCreationTimestamp":1600000000}}]}}],
                "NextToken":"n2"}}"#
        ))
        .unwrap();
        let s = &page.channel_summaries[0];
        assert_eq!(s.channel_destination_type, ChannelDestinationType::S3Tables);
        assert_eq!(
            s.streams[0].stream_creation_timestamp.unix_timestamp(),
            1_600_000_000
        );
        let second = first.next_page(&page).unwrap();
        assert_eq!(second.page.next_token.as_deref(), Some("n2"));
        assert_eq!(second.stream_filter, first.stream_filter);
        let last: ListChannelsOutput = serde_json::from_str(r#"{"ChannelSummaries":[]}"#).unwrap();
        assert!(second.next_page(&last).is_none());
        assert_eq!(body(&ListChannels::new()), json!({}));
        assert_eq!(
            field_of(&ListChannels::new().with_max_results(0)),
            "MaxResults"
        );
    }

    #[test]
    fn update_describe_delete_address_the_channel() {
        let op = UpdateChannel::new(CHANNEL)
            .with_s3_tables_destination(DestinationUpdate::new(900))
            .with_logging(ChannelLoggingConfiguration::new(CloudWatchLogs::new(true)));
        assert_eq!(
            body(&op),
            json!({"ChannelARN": CHANNEL,
                   "LoggingConfiguration": {"CloudWatchLogs": {"Enabled": true}},
                   "S3TablesDestinationConfiguration": {"DataFreshnessInSeconds": 900}})
        );
        assert!(op.validate(&Limits::default()).is_ok());
        assert_eq!(op.resource_arn(), Some(CHANNEL));
        assert_eq!(
            field_of(&UpdateChannel::new(CHANNEL)),
            "LoggingConfiguration"
        );
        assert_eq!(
            field_of(&UpdateChannel::new(CHANNEL).with_s3_destination(DestinationUpdate::new(901))),
            "S3DestinationConfiguration.DataFreshnessInSeconds"
        );
        assert_eq!(
            body(&DescribeChannel::new(CHANNEL)),
            json!({"ChannelARN": CHANNEL})
        );
        assert_eq!(DeleteChannel::new(CHANNEL).resource_arn(), Some(CHANNEL));
        assert_eq!(field_of(&DeleteChannel::new(STREAM)), "ChannelARN");
        assert_eq!(
            field_of(&DescribeChannel::new("orders-to-s3")),
            "ChannelARN"
        );
    }
}
