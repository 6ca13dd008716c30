//! Writing and reading records: PutRecord, PutRecords, GetShardIterator,
//! GetRecords.
//!
//! Data is bytes here and base64 on the wire. Records can be built from raw
//! bytes, from any `serde::Serialize` value encoded as JSON
//! ([`PutRecord::json`]) or with your own encoder ([`PutRecord::encoded`]),
//! and read back as bytes or decoded ([`Record::json`], [`Record::decode_with`]).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use time::OffsetDateTime;

use super::shapes::StreamRef;
use super::support::{operation, with_stream_arn};
use crate::error::{ErrorCode, UsageError};
use crate::limits::Limits;
use crate::operation::{Operation, Plane, Sent};
use crate::ops::shards::ChildShard;
use crate::ops::streams::EncryptionType;
use crate::validate::{self, Field};
use crate::wire::{self, Payload};

/// Encodes `value` as JSON record data, as a usage error on failure.
fn json_data<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, UsageError> {
    serde_json::to_vec(value)
        .map_err(|e| UsageError::new("Data", format!("JSON encoding failed: {e}")))
}

/// Runs a user's encoder, as a usage error on failure.
fn encode_data<T: ?Sized, E: fmt::Display>(
    value: &T,
    encoder: impl FnOnce(&T) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, UsageError> {
    encoder(value).map_err(|e| UsageError::new("Data", format!("encoding failed: {e}")))
}

/// Writes `text` as a JSON string (escaped) to `out`.
fn push_json_str(out: &mut Vec<u8>, text: &str) -> Result<(), UsageError> {
    serde_json::to_writer(&mut *out, text).map_err(|e| UsageError::new("body", e.to_string()))
}

/// Writes `data` as a quoted base64 string straight into `out`.
fn push_blob(out: &mut Vec<u8>, data: &[u8]) -> Result<(), UsageError> {
    if base64::encoded_len(data.len(), true).is_none() {
        return Err(UsageError::new("Data", "too large to encode"));
    }
    out.push(b'"');
    wire::blob::encode_into(data, out);
    out.push(b'"');
    Ok(())
}

/// Writes the `StreamName` or `StreamARN` member (preceded by a comma).
fn push_stream(out: &mut Vec<u8>, stream: &StreamRef) -> Result<(), UsageError> {
    match stream {
        StreamRef::Name(name) => {
            out.extend_from_slice(b",\"StreamName\":");
            push_json_str(out, name)
        }
        StreamRef::Arn(arn) => {
            out.extend_from_slice(b",\"StreamARN\":");
            push_json_str(out, arn)
        }
    }
}

/// Writes the `DryRun` member (preceded by a comma) when set.
fn push_dry_run(out: &mut Vec<u8>, dry_run: Option<bool>) {
    if let Some(dry_run) = dry_run {
        out.extend_from_slice(if dry_run {
            b",\"DryRun\":true"
        } else {
            b",\"DryRun\":false"
        });
    }
}

/// Bytes a record adds to a hand-written body besides its base64 data.
const ENTRY_OVERHEAD: usize = 96;

// ---------------------------------------------------------------- PutRecord

/// Writes one data record into a stream.
///
/// ```
/// use kinesis_proto::ops::PutRecord;
/// let put = PutRecord::new("my-stream", "user-42", b"hello".to_vec())
///     .with_explicit_hash_key(0);
/// assert_eq!(put.partition_key.as_deref(), Some("user-42"));
///
/// // A stream whose record distribution strategy is AUTO needs no key.
/// let auto = PutRecord::without_partition_key("my-stream", b"hello".to_vec());
/// assert_eq!(auto.partition_key, None);
///
/// #[derive(serde::Serialize)]
/// struct Click { page: &'static str }
/// let put = PutRecord::json("my-stream", "user-42", &Click { page: "/home" }).unwrap();
/// assert_eq!(put.data, br#"{"page":"/home"}"#);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutRecord {
    /// The record's data (up to the stream's maximum record size together
    /// with the partition key).
    #[serde(with = "crate::wire::blob")]
    pub data: Vec<u8>,
    /// Decides the shard (through its MD5 hash) unless an explicit hash key
    /// is given: 1–256 Unicode characters. Streams using the AUTO record
    /// distribution strategy ignore it and take records without one
    /// (`None`: no `PartitionKey` member is sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// Puts the record on the shard whose hash-key range holds this value,
    /// instead of the partition key's hash.
    #[serde(
        with = "crate::wire::opt_hash_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub explicit_hash_key: Option<u128>,
    /// The sequence number of the previous record put with the same
    /// partition key by this client, for strictly increasing sequence
    /// numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number_for_ordering: Option<String>,
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Asks the service only to check whether the request would succeed,
    /// without carrying it out (`DryRun`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

impl fmt::Debug for PutRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutRecord")
            .field("stream", &self.stream)
            .field("data", &Payload(&self.data))
            .field("partition_key", &self.partition_key)
            .field("explicit_hash_key", &self.explicit_hash_key)
            .field(
                "sequence_number_for_ordering",
                &self.sequence_number_for_ordering,
            )
            .field("dry_run", &self.dry_run)
            .finish()
    }
}

impl PutRecord {
    /// A record of raw bytes for the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(
        stream: impl Into<StreamRef>,
        partition_key: impl Into<String>,
        data: Vec<u8>,
    ) -> Self {
        PutRecord {
            partition_key: Some(partition_key.into()),
            ..PutRecord::without_partition_key(stream, data)
        }
    }

    /// A record of raw bytes without a partition key, for a stream whose
    /// record distribution strategy is AUTO (streams that route by
    /// partition key refuse it).
    pub fn without_partition_key(stream: impl Into<StreamRef>, data: Vec<u8>) -> Self {
        PutRecord {
            stream: stream.into(),
            data,
            partition_key: None,
            explicit_hash_key: None,
            sequence_number_for_ordering: None,
            dry_run: None,
        }
    }

    /// A record whose data is `value` encoded as JSON.
    ///
    /// A value that cannot be encoded (a map with non-string keys…) is a
    /// usage error on the `Data` field.
    pub fn json<T: Serialize + ?Sized>(
        stream: impl Into<StreamRef>,
        partition_key: impl Into<String>,
        value: &T,
    ) -> Result<Self, UsageError> {
        Ok(PutRecord::new(stream, partition_key, json_data(value)?))
    }

    /// A record whose data is `value` encoded by `encoder` (any format:
    /// protobuf, CBOR, compressed JSON…). An encoder error becomes a usage
    /// error on the `Data` field.
    ///
    /// ```
    /// use kinesis_proto::ops::PutRecord;
    /// let put = PutRecord::encoded("my-stream", "k", "hello", |s: &str| {
    ///     Ok::<_, std::convert::Infallible>(s.to_uppercase().into_bytes())
    /// })
    /// .unwrap();
    /// assert_eq!(put.data, b"HELLO");
    /// ```
    pub fn encoded<T: ?Sized, E: fmt::Display>(
        stream: impl Into<StreamRef>,
        partition_key: impl Into<String>,
        value: &T,
        encoder: impl FnOnce(&T) -> Result<Vec<u8>, E>,
    ) -> Result<Self, UsageError> {
        Ok(PutRecord::new(
            stream,
            partition_key,
            encode_data(value, encoder)?,
        ))
    }

    /// Sets the explicit hash key.
    pub fn with_explicit_hash_key(mut self, hash_key: u128) -> Self {
        self.explicit_hash_key = Some(hash_key);
        self
    }

    /// Sets the sequence number the new record must follow.
    pub fn with_sequence_number_for_ordering(mut self, sequence_number: impl Into<String>) -> Self {
        self.sequence_number_for_ordering = Some(sequence_number.into());
        self
    }

    /// Asks the service only to check the request (`DryRun`).
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = Some(dry_run);
        self
    }
}
with_stream_arn!(PutRecord);

/// The answer to [`PutRecord`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutRecordOutput {
    /// The shard the record went to.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shard_id: String,
    /// The record's sequence number in that shard.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub sequence_number: String,
    /// Whether the record is encrypted at rest.
    #[serde(default)]
    pub encryption_type: Option<EncryptionType>,
}

impl Operation for PutRecord {
    const NAME: &'static str = "PutRecord";
    const PLANE: Plane = Plane::Data;
    type Output = PutRecordOutput;

    fn validate(&self, limits: &Limits) -> Result<(), UsageError> {
        self.stream.validate()?;
        let key = self.partition_key.as_deref();
        if let Some(key) = key {
            validate::partition_key("PartitionKey", key)?;
        }
        validate::record_size("Data", &self.data, key.unwrap_or(""), limits)?;
        if let Some(seq) = &self.sequence_number_for_ordering {
            validate::sequence_number("SequenceNumberForOrdering", seq)?;
        }
        Ok(())
    }

    fn resource_arn(&self) -> Option<&str> {
        self.stream.as_arn()
    }

    /// The record was written somewhere: a shard and a sequence number.
    fn check_output(output: &PutRecordOutput, _sent: &Sent) -> Result<(), String> {
        if output.sequence_number.is_empty() || output.shard_id.is_empty() {
            return Err(
                "no SequenceNumber or ShardId: the answer does not say the record was written"
                    .into(),
            );
        }
        Ok(())
    }

    /// Writes the body by hand: the base64 text goes straight into the body.
    fn to_body(&self) -> Result<Vec<u8>, UsageError> {
        let mut out = Vec::with_capacity(
            base64::encoded_len(self.data.len(), true).unwrap_or(0)
                + self.partition_key.as_ref().map_or(0, String::len)
                + ENTRY_OVERHEAD * 2
                + self.stream.as_str().len(),
        );
        out.extend_from_slice(b"{\"Data\":");
        push_blob(&mut out, &self.data)?;
        if let Some(key) = &self.partition_key {
            out.extend_from_slice(b",\"PartitionKey\":");
            push_json_str(&mut out, key)?;
        }
        if let Some(key) = self.explicit_hash_key {
            out.extend_from_slice(format!(",\"ExplicitHashKey\":\"{key}\"").as_bytes());
        }
        if let Some(seq) = &self.sequence_number_for_ordering {
            out.extend_from_slice(b",\"SequenceNumberForOrdering\":");
            push_json_str(&mut out, seq)?;
        }
        push_stream(&mut out, &self.stream)?;
        push_dry_run(&mut out, self.dry_run);
        out.push(b'}');
        Ok(out)
    }
}

// --------------------------------------------------------------- PutRecords

/// One record of a [`PutRecords`] request.
///
/// ```
/// use kinesis_proto::ops::PutRecordsRequestEntry;
/// let raw = PutRecordsRequestEntry::new("user-42", b"hello".to_vec());
/// let typed = PutRecordsRequestEntry::json("user-42", &serde_json::json!({"n": 1})).unwrap();
/// assert_eq!(typed.data, br#"{"n":1}"#);
/// # let _ = raw;
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutRecordsRequestEntry {
    /// The record's data.
    #[serde(with = "crate::wire::blob")]
    pub data: Vec<u8>,
    /// Decides the shard unless an explicit hash key is given: 1–256
    /// Unicode characters; `None` (no member sent) for a stream whose
    /// record distribution strategy is AUTO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// Puts the record on the shard whose hash-key range holds this value.
    #[serde(
        with = "crate::wire::opt_hash_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub explicit_hash_key: Option<u128>,
}

impl fmt::Debug for PutRecordsRequestEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutRecordsRequestEntry")
            .field("data", &Payload(&self.data))
            .field("partition_key", &self.partition_key)
            .field("explicit_hash_key", &self.explicit_hash_key)
            .finish()
    }
}

impl PutRecordsRequestEntry {
    /// An entry of raw bytes.
    pub fn new(partition_key: impl Into<String>, data: Vec<u8>) -> Self {
        PutRecordsRequestEntry {
            partition_key: Some(partition_key.into()),
            ..PutRecordsRequestEntry::without_partition_key(data)
        }
    }

    /// An entry of raw bytes without a partition key, for a stream whose
    /// record distribution strategy is AUTO.
    ///
    /// ```
    /// use kinesis_proto::ops::PutRecordsRequestEntry;
    /// let entry = PutRecordsRequestEntry::without_partition_key(b"hello".to_vec());
    /// assert_eq!(entry.partition_key, None);
    /// ```
    pub fn without_partition_key(data: Vec<u8>) -> Self {
        PutRecordsRequestEntry {
            data,
            partition_key: None,
            explicit_hash_key: None,
        }
    }

    /// An entry whose data is `value` encoded as JSON.
    pub fn json<T: Serialize + ?Sized>(
        partition_key: impl Into<String>,
        value: &T,
    ) -> Result<Self, UsageError> {
        Ok(PutRecordsRequestEntry::new(
            partition_key,
            json_data(value)?,
        ))
    }

    /// An entry whose data is `value` encoded by `encoder`.
    pub fn encoded<T: ?Sized, E: fmt::Display>(
        partition_key: impl Into<String>,
        value: &T,
        encoder: impl FnOnce(&T) -> Result<Vec<u8>, E>,
    ) -> Result<Self, UsageError> {
        Ok(PutRecordsRequestEntry::new(
            partition_key,
            encode_data(value, encoder)?,
        ))
    }

    /// Sets the explicit hash key.
    pub fn with_explicit_hash_key(mut self, hash_key: u128) -> Self {
        self.explicit_hash_key = Some(hash_key);
        self
    }
}

/// Writes up to 500 records (by default) into a stream in one request.
/// Each record succeeds or fails on its own: see [`PutRecordsOutput`].
///
/// ```
/// use kinesis_proto::ops::{PutRecords, PutRecordsRequestEntry};
/// let batch = PutRecords::new(
///     "my-stream",
///     vec![
///         PutRecordsRequestEntry::new("a", b"one".to_vec()),
///         PutRecordsRequestEntry::new("b", b"two".to_vec()),
///     ],
/// );
/// assert_eq!(batch.records.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PutRecords {
    /// The records, in order.
    pub records: Vec<PutRecordsRequestEntry>,
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// Asks the service only to check whether the request would succeed,
    /// without carrying it out (`DryRun`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

impl PutRecords {
    /// A batch for the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>, records: Vec<PutRecordsRequestEntry>) -> Self {
        PutRecords {
            records,
            stream: stream.into(),
            dry_run: None,
        }
    }

    /// Asks the service only to check the request (`DryRun`).
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = Some(dry_run);
        self
    }

    /// The batch to send again after `output`: the same stream, only the
    /// entries that failed, in their original order. `None` when every
    /// entry succeeded. Entries beyond the answer's list count as failed.
    ///
    /// ```
    /// use kinesis_proto::ops::{PutRecords, PutRecordsRequestEntry, PutRecordsOutput};
    /// let batch = PutRecords::new("s", vec![
    ///     PutRecordsRequestEntry::new("a", b"1".to_vec()),
    ///     PutRecordsRequestEntry::new("b", b"2".to_vec()),
    /// ]);
    /// let answer: PutRecordsOutput = serde_json::from_str(r#"{"FailedRecordCount":1,"Records":[
    ///     {"SequenceNumber":"1","ShardId":"shardId-000000000000"},
    ///     {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow down"}]}"#).unwrap();
    /// let again = batch.failed_only(&answer).unwrap();
    /// assert_eq!(again.records[0].partition_key.as_deref(), Some("b"));
    /// ```
    pub fn failed_only(&self, output: &PutRecordsOutput) -> Option<PutRecords> {
        let records: Vec<PutRecordsRequestEntry> = self
            .records
            .iter()
            .enumerate()
            .filter(|(i, _)| output.records.get(*i).is_none_or(|r| !r.is_success()))
            .map(|(_, entry)| entry.clone())
            .collect();
        if records.is_empty() {
            return None;
        }
        Some(PutRecords {
            records,
            stream: self.stream.clone(),
            dry_run: self.dry_run,
        })
    }
}
with_stream_arn!(PutRecords);

impl Operation for PutRecords {
    const NAME: &'static str = "PutRecords";
    const PLANE: Plane = Plane::Data;
    type Output = PutRecordsOutput;

    fn validate(&self, limits: &Limits) -> Result<(), UsageError> {
        self.stream.validate()?;
        validate::put_records_count(self.records.len(), limits)?;
        let mut total = 0usize;
        for (i, entry) in self.records.iter().enumerate() {
            // Field names are built only on failure: this loop runs per record.
            let at = |e: UsageError| UsageError {
                field: Field::Owned(format!("Records[{i}].{}", e.field)),
                problem: e.problem,
            };
            let key = entry.partition_key.as_deref();
            if let Some(key) = key {
                validate::partition_key("PartitionKey", key).map_err(at)?;
            }
            let key = key.unwrap_or("");
            validate::record_size("Data", &entry.data, key, limits).map_err(at)?;
            total += entry.data.len() + key.len();
            validate::put_records_size(total, i, limits)?;
        }
        Ok(())
    }

    fn resource_arn(&self) -> Option<&str> {
        self.stream.as_arn()
    }

    fn sent(&self) -> Sent {
        Sent::entries(self.records.len())
    }

    /// The usual answer (no escapes, no unknown members) is read by a
    /// scanner written for it, straight into a list sized for the records
    /// sent; anything else goes to serde_json, which gives the same result
    /// (a property test compares the two).
    fn parse_body(body: &[u8], sent: &Sent) -> Result<PutRecordsOutput, String> {
        // Every entry takes at least 2 bytes of the body.
        let capacity = sent.entries.unwrap_or(0).min(body.len() / 2);
        match answer_scan::parse(body, capacity) {
            Some(output) => Ok(output),
            None => crate::wire::from_slice(body).map_err(|e| e.to_string()),
        }
    }

    /// One result entry per record sent.
    fn check_output(output: &PutRecordsOutput, sent: &Sent) -> Result<(), String> {
        match sent.entries {
            Some(n) if n != output.records.len() => Err(format!(
                "{} result entries for the {n} records sent",
                output.records.len()
            )),
            _ => Ok(()),
        }
    }

    /// Writes the body by hand: each record's base64 text goes straight
    /// into the body, which is sized once up front.
    fn to_body(&self) -> Result<Vec<u8>, UsageError> {
        let capacity = self
            .records
            .iter()
            .map(|e| {
                base64::encoded_len(e.data.len(), true).unwrap_or(0)
                    + e.partition_key.as_ref().map_or(0, String::len)
                    + ENTRY_OVERHEAD
            })
            .sum::<usize>()
            + ENTRY_OVERHEAD
            + self.stream.as_str().len();
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"{\"Records\":[");
        for (i, entry) in self.records.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"Data\":");
            push_blob(&mut out, &entry.data)?;
            if let Some(key) = &entry.partition_key {
                out.extend_from_slice(b",\"PartitionKey\":");
                push_json_str(&mut out, key)?;
            }
            if let Some(key) = entry.explicit_hash_key {
                out.extend_from_slice(format!(",\"ExplicitHashKey\":\"{key}\"").as_bytes());
            }
            out.push(b'}');
        }
        out.push(b']');
        push_stream(&mut out, &self.stream)?;
        push_dry_run(&mut out, self.dry_run);
        out.push(b'}');
        Ok(out)
    }
}

/// Text of up to [`InlineText::INLINE`] bytes kept inside the value, with
/// no heap allocation (longer text goes to the heap): how a
/// [`PutRecordsResultEntry`] keeps its shard ID and sequence number, so
/// parsing a 500-entry answer allocates nothing per entry.
///
/// Reads as a `&str` ([`InlineText::as_str`], `Deref`, `Display`).
///
/// ```
/// use kinesis_proto::ops::InlineText;
/// let id = InlineText::from("shardId-000000000001");
/// assert_eq!(id, "shardId-000000000001");
/// assert!(id.starts_with("shardId-"));
/// ```
// Equality and hashing of the representation are those of the text: the
// same text always takes the same form (ASCII of up to INLINE bytes inline,
// anything else on the heap).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct InlineText(TextRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum TextRepr {
    /// ASCII text of `len` bytes at the start of `bytes`.
    Inline {
        len: u8,
        bytes: [u8; InlineText::INLINE],
    },
    Heap(Box<str>),
}

impl InlineText {
    /// The longest text kept inline, in bytes (a 56-digit sequence number
    /// fits).
    pub const INLINE: usize = 62;

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only ASCII is stored inline (see `From<&str>`), so this
            // cannot fail; "" stands for the impossible case.
            TextRepr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            TextRepr::Heap(text) => text,
        }
    }
}

impl Default for InlineText {
    fn default() -> Self {
        InlineText::from("")
    }
}

impl InlineText {
    /// Text the caller has checked is ASCII (the answer scanner).
    fn from_ascii(text: &[u8]) -> Self {
        if text.len() <= InlineText::INLINE {
            let mut bytes = [0u8; InlineText::INLINE];
            bytes[..text.len()].copy_from_slice(text);
            // `len` ≤ INLINE < 256.
            InlineText(TextRepr::Inline {
                len: text.len() as u8,
                bytes,
            })
        } else {
            // ASCII, so nothing is lost.
            InlineText(TextRepr::Heap(
                String::from_utf8_lossy(text).into_owned().into_boxed_str(),
            ))
        }
    }
}

impl From<&str> for InlineText {
    fn from(text: &str) -> Self {
        if text.len() <= InlineText::INLINE && text.is_ascii() {
            InlineText::from_ascii(text.as_bytes())
        } else {
            InlineText(TextRepr::Heap(text.into()))
        }
    }
}

impl From<String> for InlineText {
    fn from(text: String) -> Self {
        if text.len() <= InlineText::INLINE && text.is_ascii() {
            InlineText::from(text.as_str())
        } else {
            InlineText(TextRepr::Heap(text.into_boxed_str()))
        }
    }
}

impl std::ops::Deref for InlineText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for InlineText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for InlineText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for InlineText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for InlineText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for InlineText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for InlineText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InlineText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl serde::de::Visitor<'_> for TextVisitor {
            type Value = InlineText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<InlineText, E> {
                Ok(InlineText::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<InlineText, E> {
                Ok(InlineText::from(v))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

/// The fate of one record of a [`PutRecords`] request, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WireResultEntry", into = "WireResultEntry")]
#[non_exhaustive]
pub enum PutRecordsResultEntry {
    /// The record was written.
    Success {
        /// The shard it went to.
        shard_id: InlineText,
        /// Its sequence number in that shard.
        sequence_number: InlineText,
    },
    /// The record was not written.
    Failure {
        /// Why: `ProvisionedThroughputExceeded` or `InternalFailure`, both
        /// retryable ([`ErrorCode::is_retryable`]), or a code this crate
        /// does not know.
        error_code: ErrorCode,
        /// The service's explanation.
        error_message: Option<String>,
    },
}

impl PutRecordsResultEntry {
    /// Whether the record was written.
    pub fn is_success(&self) -> bool {
        matches!(self, PutRecordsResultEntry::Success { .. })
    }
    /// The shard the record went to, when it was written.
    pub fn shard_id(&self) -> Option<&str> {
        match self {
            PutRecordsResultEntry::Success { shard_id, .. } => Some(shard_id),
            _ => None,
        }
    }
    /// The record's sequence number, when it was written.
    pub fn sequence_number(&self) -> Option<&str> {
        match self {
            PutRecordsResultEntry::Success {
                sequence_number, ..
            } => Some(sequence_number),
            _ => None,
        }
    }
    /// The error code, when the record was not written.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match self {
            PutRecordsResultEntry::Failure { error_code, .. } => Some(error_code),
            _ => None,
        }
    }
    /// Whether sending the record again may succeed (it failed with a
    /// throttling or transient code).
    pub fn is_retryable(&self) -> bool {
        self.error_code().is_some_and(ErrorCode::is_retryable)
    }
}

/// A result entry as the wire has it: either pair of fields.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireResultEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sequence_number: Option<InlineText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard_id: Option<InlineText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

impl TryFrom<WireResultEntry> for PutRecordsResultEntry {
    type Error = String;
    fn try_from(w: WireResultEntry) -> Result<Self, String> {
        match (w.error_code, w.sequence_number, w.shard_id) {
            (Some(code), _, _) if !code.is_empty() => Ok(PutRecordsResultEntry::Failure {
                error_code: ErrorCode::from_code(&code),
                error_message: w.error_message,
            }),
            (_, Some(sequence_number), Some(shard_id)) => Ok(PutRecordsResultEntry::Success {
                shard_id,
                sequence_number,
            }),
            _ => Err(
                "a PutRecords result entry has neither ErrorCode nor SequenceNumber and ShardId"
                    .into(),
            ),
        }
    }
}

impl From<PutRecordsResultEntry> for WireResultEntry {
    fn from(e: PutRecordsResultEntry) -> Self {
        match e {
            PutRecordsResultEntry::Success {
                shard_id,
                sequence_number,
            } => WireResultEntry {
                sequence_number: Some(sequence_number),
                shard_id: Some(shard_id),
                error_code: None,
                error_message: None,
            },
            PutRecordsResultEntry::Failure {
                error_code,
                error_message,
            } => WireResultEntry {
                sequence_number: None,
                shard_id: None,
                error_code: Some(error_code.as_str().to_owned()),
                error_message,
            },
        }
    }
}

/// The answer to [`PutRecords`]: one entry per record, in request order.
///
/// Parsing checks the answer: `FailedRecordCount`, when sent, must be the
/// number of entries that failed (when absent, it is counted), and through
/// [`Expect`](crate::Expect) there must be one entry per record sent.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", try_from = "WirePutRecordsOutput")]
#[non_exhaustive]
pub struct PutRecordsOutput {
    /// How many records failed.
    pub failed_record_count: u32,
    /// Each record's fate, in request order.
    pub records: Vec<PutRecordsResultEntry>,
    /// Whether the records are encrypted at rest.
    pub encryption_type: Option<EncryptionType>,
}

/// A PutRecords answer as the wire has it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WirePutRecordsOutput {
    #[serde(default)]
    failed_record_count: Option<u32>,
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    records: Vec<PutRecordsResultEntry>,
    #[serde(default)]
    encryption_type: Option<EncryptionType>,
}

impl TryFrom<WirePutRecordsOutput> for PutRecordsOutput {
    type Error = String;
    fn try_from(w: WirePutRecordsOutput) -> Result<Self, String> {
        let failed = w.records.iter().filter(|r| !r.is_success()).count();
        if let Some(count) = w.failed_record_count {
            if usize::try_from(count).ok() != Some(failed) {
                return Err(format!(
                    "FailedRecordCount is {count}, but {failed} of its {} entries failed",
                    w.records.len()
                ));
            }
        }
        Ok(PutRecordsOutput {
            // At most the entries' count, which came from a body in memory.
            failed_record_count: u32::try_from(failed).unwrap_or(u32::MAX),
            records: w.records,
            encryption_type: w.encryption_type,
        })
    }
}

impl PutRecordsOutput {
    /// The entries that failed, with their index in the request.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &PutRecordsResultEntry)> {
        self.records
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_success())
    }
}

/// A scanner for the PutRecords answer as the service writes it: an object
/// of `FailedRecordCount`, `Records` (objects of up to four string
/// members) and `EncryptionType`, strings of printable ASCII without
/// escapes. It gives up (`None`) on anything else — another member, a
/// duplicate, `null`, an escape, a number that is not 0–999999999 — and
/// the answer then goes to serde_json. What it reads goes through the same
/// conversions as the serde path (`WireResultEntry`, `WirePutRecordsOutput`),
/// and it gives up where they fail, so serde_json reports the error.
mod answer_scan {
    use super::{
        EncryptionType, ErrorCode, InlineText, PutRecordsOutput, PutRecordsResultEntry,
        WirePutRecordsOutput,
    };

    struct Scan<'a> {
        bytes: &'a [u8],
        /// Never past `bytes.len()`.
        at: usize,
    }

    impl<'a> Scan<'a> {
        fn rest(&self) -> &'a [u8] {
            self.bytes.get(self.at..).unwrap_or_default()
        }

        /// The next byte after whitespace, not consumed.
        fn peek(&mut self) -> Option<u8> {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
                self.at += 1;
            }
            self.bytes.get(self.at).copied()
        }

        fn eat(&mut self, byte: u8) -> Option<()> {
            (self.peek()? == byte).then(|| self.at += 1)
        }

        /// `,` then more, or `close` then done.
        fn more(&mut self, close: u8) -> Option<bool> {
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    Some(true)
                }
                b if b == close => {
                    self.at += 1;
                    Some(false)
                }
                _ => None,
            }
        }

        /// The bytes of a string of printable ASCII without escapes.
        fn ascii(&mut self) -> Option<&'a [u8]> {
            self.eat(b'"')?;
            let rest = self.rest();
            let end = special(rest)?;
            if rest.get(end) != Some(&b'"') {
                return None;
            }
            self.at += end + 1;
            rest.get(..end)
        }

        /// A string of printable ASCII without escapes.
        fn string(&mut self) -> Option<&'a str> {
            std::str::from_utf8(self.ascii()?).ok()
        }

        /// 0–999999999, without leading zeros (which JSON forbids).
        fn count(&mut self) -> Option<u32> {
            self.peek()?;
            let rest = self.rest();
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 || digits > 9 || (digits > 1 && rest[0] == b'0') {
                return None;
            }
            let n = rest[..digits]
                .iter()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
            self.at += digits;
            Some(n)
        }
    }

    /// Where the first byte of `text` that ends or breaks a plain ASCII
    /// string is: `"`, `\\`, a control character or a byte ≥ 0x80. Eight
    /// bytes at a time (the classic "has a byte less than n" word tests),
    /// then byte by byte in the word that has one.
    fn special(text: &[u8]) -> Option<usize> {
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
        /// Whether a byte of `w` is zero.
        fn zero_byte(w: u64) -> bool {
            w.wrapping_sub(ONES) & !w & HIGH != 0
        }
        let is_special = |b: &u8| matches!(*b, b'"' | b'\\' | 0..0x20 | 0x80..);
        let mut at = 0;
        for chunk in text.chunks_exact(8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_ne_bytes(word);
            let hit = zero_byte(w ^ (ONES * u64::from(b'"')))
                || zero_byte(w ^ (ONES * u64::from(b'\\')))
                || w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0
                || w & HIGH != 0;
            if hit {
                return chunk.iter().position(is_special).map(|i| at + i);
            }
            at += 8;
        }
        text.get(at..)?.iter().position(is_special).map(|i| at + i)
    }

    pub(super) fn parse(body: &[u8], capacity: usize) -> Option<PutRecordsOutput> {
        let mut scan = Scan { bytes: body, at: 0 };
        scan.eat(b'{')?;
        let mut failed_record_count = None;
        let mut records = None;
        let mut encryption_type = None;
        if scan.peek()? == b'}' {
            scan.at += 1;
        } else {
            loop {
                let key = scan.string()?;
                scan.eat(b':')?;
                match key {
                    "FailedRecordCount" if failed_record_count.is_none() => {
                        failed_record_count = Some(scan.count()?);
                    }
                    "Records" if records.is_none() => records = Some(entries(&mut scan, capacity)?),
                    "EncryptionType" if encryption_type.is_none() => {
                        encryption_type = Some(EncryptionType::from(scan.string()?));
                    }
                    _ => return None,
                }
                if !scan.more(b'}')? {
                    break;
                }
            }
        }
        if scan.peek().is_some() {
            return None;
        }
        PutRecordsOutput::try_from(WirePutRecordsOutput {
            failed_record_count,
            records: records.unwrap_or_default(),
            encryption_type,
        })
        .ok()
    }

    fn entries(scan: &mut Scan<'_>, capacity: usize) -> Option<Vec<PutRecordsResultEntry>> {
        scan.eat(b'[')?;
        let mut out = Vec::with_capacity(capacity);
        if scan.peek()? == b']' {
            scan.at += 1;
            return Some(out);
        }
        loop {
            out.push(entry(scan)?);
            if !scan.more(b']')? {
                return Some(out);
            }
        }
    }

    /// One entry, built as `TryFrom<WireResultEntry>` builds it (an
    /// error code that is not empty wins, else the sequence number and the
    /// shard), with only the chosen variant's text copied.
    fn entry(scan: &mut Scan<'_>) -> Option<PutRecordsResultEntry> {
        scan.eat(b'{')?;
        let (mut sequence_number, mut shard_id, mut error_code, mut error_message) =
            (None, None, None, None);
        if scan.peek()? == b'}' {
            scan.at += 1;
        } else {
            loop {
                let key = scan.ascii()?;
                scan.eat(b':')?;
                let value = scan.ascii()?;
                let slot = match key {
                    b"SequenceNumber" => &mut sequence_number,
                    b"ShardId" => &mut shard_id,
                    b"ErrorCode" => &mut error_code,
                    b"ErrorMessage" => &mut error_message,
                    _ => return None,
                };
                if slot.replace(value).is_some() {
                    return None; // a duplicate: serde_json's error
                }
                if !scan.more(b'}')? {
                    break;
                }
            }
        }
        let text = |bytes: &[u8]| std::str::from_utf8(bytes).ok().map(str::to_owned);
        match (error_code, sequence_number, shard_id) {
            (Some(code), _, _) if !code.is_empty() => Some(PutRecordsResultEntry::Failure {
                error_code: ErrorCode::from_code(std::str::from_utf8(code).ok()?),
                error_message: match error_message {
                    Some(message) => Some(text(message)?),
                    None => None,
                },
            }),
            (_, Some(sequence_number), Some(shard_id)) => Some(PutRecordsResultEntry::Success {
                shard_id: InlineText::from_ascii(shard_id),
                sequence_number: InlineText::from_ascii(sequence_number),
            }),
            _ => None,
        }
    }
}

// --------------------------------------------------------- GetShardIterator

/// Where a shard iterator starts reading. The positions that need a
/// sequence number or a timestamp carry it, so a request can never lack it.
///
/// ```
/// use kinesis_proto::ops::ShardIteratorType;
/// let after = ShardIteratorType::AfterSequenceNumber("49590338271490256608559692538361571095921575989136588898".into());
/// assert_eq!(after.as_str(), "AFTER_SEQUENCE_NUMBER");
/// assert!(after.sequence_number().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShardIteratorType {
    /// The oldest record still in the shard.
    TrimHorizon,
    /// Just after the newest record: only records written from now on.
    Latest,
    /// The record with this sequence number.
    AtSequenceNumber(String),
    /// The record after the one with this sequence number.
    AfterSequenceNumber(String),
    /// The first record that arrived at or after this time.
    AtTimestamp(OffsetDateTime),
}

impl ShardIteratorType {
    /// The `ShardIteratorType` (or `StartingPosition.Type`) wire value.
    pub fn as_str(&self) -> &'static str {
        match self {
            ShardIteratorType::TrimHorizon => "TRIM_HORIZON",
            ShardIteratorType::Latest => "LATEST",
            ShardIteratorType::AtSequenceNumber(_) => "AT_SEQUENCE_NUMBER",
            ShardIteratorType::AfterSequenceNumber(_) => "AFTER_SEQUENCE_NUMBER",
            ShardIteratorType::AtTimestamp(_) => "AT_TIMESTAMP",
        }
    }
    /// The sequence number the position carries.
    pub fn sequence_number(&self) -> Option<&str> {
        match self {
            ShardIteratorType::AtSequenceNumber(s) | ShardIteratorType::AfterSequenceNumber(s) => {
                Some(s)
            }
            _ => None,
        }
    }
    /// The timestamp the position carries.
    pub fn timestamp(&self) -> Option<OffsetDateTime> {
        match self {
            ShardIteratorType::AtTimestamp(t) => Some(*t),
            _ => None,
        }
    }
    /// Checks the carried value; `prefix` and `sequence_field` name the
    /// wire fields (`""`/`"StartingSequenceNumber"` for GetShardIterator,
    /// `"StartingPosition."`/`"SequenceNumber"` for SubscribeToShard).
    pub(crate) fn validate(
        &self,
        prefix: &'static str,
        sequence_field: &'static str,
    ) -> Result<(), UsageError> {
        validate::iterator_position(
            prefix,
            sequence_field,
            self.as_str(),
            self.sequence_number(),
            self.timestamp().as_ref(),
        )
    }
}

/// Asks for a shard iterator: the position from which GetRecords reads a
/// shard. Iterators expire after five minutes.
///
/// ```
/// use kinesis_proto::ops::{GetShardIterator, ShardIteratorType};
/// let op = GetShardIterator::new("my-stream", "shardId-000000000000", ShardIteratorType::TrimHorizon);
/// assert_eq!(op.shard_id, "shardId-000000000000");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetShardIterator {
    /// The stream, by name or ARN.
    pub stream: StreamRef,
    /// The shard to read.
    pub shard_id: String,
    /// Where to start (`ShardIteratorType`, with `StartingSequenceNumber` or
    /// `Timestamp` on the wire when the position carries one).
    pub shard_iterator_type: ShardIteratorType,
    /// Asks the service only to check whether the request would succeed,
    /// without carrying it out (`DryRun`).
    pub dry_run: Option<bool>,
}

impl GetShardIterator {
    /// An iterator on `shard_id` of the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(
        stream: impl Into<StreamRef>,
        shard_id: impl Into<String>,
        shard_iterator_type: ShardIteratorType,
    ) -> Self {
        GetShardIterator {
            stream: stream.into(),
            shard_id: shard_id.into(),
            shard_iterator_type,
            dry_run: None,
        }
    }

    /// Asks the service only to check the request (`DryRun`).
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = Some(dry_run);
        self
    }
}
with_stream_arn!(GetShardIterator);

impl Serialize for GetShardIterator {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("GetShardIterator", 6)?;
        match &self.stream {
            StreamRef::Name(name) => st.serialize_field("StreamName", name)?,
            StreamRef::Arn(arn) => st.serialize_field("StreamARN", arn)?,
        }
        st.serialize_field("ShardId", &self.shard_id)?;
        st.serialize_field("ShardIteratorType", self.shard_iterator_type.as_str())?;
        match self.shard_iterator_type.sequence_number() {
            Some(seq) => st.serialize_field("StartingSequenceNumber", seq)?,
            None => st.skip_field("StartingSequenceNumber")?,
        }
        match &self.shard_iterator_type {
            ShardIteratorType::AtTimestamp(t) => {
                st.serialize_field("Timestamp", &wire::EpochSeconds(t))?
            }
            _ => st.skip_field("Timestamp")?,
        }
        match self.dry_run {
            Some(dry_run) => st.serialize_field("DryRun", &dry_run)?,
            None => st.skip_field("DryRun")?,
        }
        st.end()
    }
}

/// The answer to [`GetShardIterator`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetShardIteratorOutput {
    /// The iterator to pass to [`GetRecords`].
    #[serde(default)]
    pub shard_iterator: Option<String>,
}

operation! {
    GetShardIterator: Data -> GetShardIteratorOutput,
    validate(op) {
        op.stream.validate()?;
        validate::shard_id("ShardId", &op.shard_id)?;
        op.shard_iterator_type.validate("", "StartingSequenceNumber")
    },
    resource_arn(op) { op.stream.as_arn() },
}

// --------------------------------------------------------------- GetRecords

/// Reads records from a shard, from the position a shard iterator names.
/// Each answer carries the iterator for the next call.
///
/// ```
/// use kinesis_proto::ops::GetRecords;
/// let op = GetRecords::new("AAAAAAAAAAH...").with_limit(1000);
/// assert_eq!(op.limit, Some(1000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetRecords {
    /// Where to read, from [`GetShardIterator`] or the previous answer.
    pub shard_iterator: String,
    /// Most records to return, 1–10000 (the service's default is 10000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The stream's ARN, to reach an account-scoped endpoint.
    #[serde(rename = "StreamARN", skip_serializing_if = "Option::is_none")]
    pub stream_arn: Option<String>,
    /// Asks the service only to check whether the request would succeed,
    /// without carrying it out (`DryRun`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

impl GetRecords {
    /// Reads from `shard_iterator`.
    pub fn new(shard_iterator: impl Into<String>) -> Self {
        GetRecords {
            shard_iterator: shard_iterator.into(),
            limit: None,
            stream_arn: None,
            dry_run: None,
        }
    }
    /// Asks the service only to check the request (`DryRun`).
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = Some(dry_run);
        self
    }
    /// Returns at most `limit` records.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    /// Names the stream's ARN.
    pub fn with_stream_arn(mut self, stream_arn: impl Into<String>) -> Self {
        self.stream_arn = Some(stream_arn.into());
        self
    }
}

/// One data record of a stream.
#[derive(Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Record {
    /// The record's position in its shard.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub sequence_number: String,
    /// When the record arrived, roughly.
    #[serde(
        default,
        with = "crate::wire::opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub approximate_arrival_timestamp: Option<OffsetDateTime>,
    /// The record's data, decoded from base64.
    #[serde(default, with = "crate::wire::blob")]
    pub data: Vec<u8>,
    /// The partition key it was written with.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub partition_key: String,
    /// Whether it was encrypted at rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<EncryptionType>,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("sequence_number", &self.sequence_number)
            .field(
                "approximate_arrival_timestamp",
                &self.approximate_arrival_timestamp,
            )
            .field("data", &Payload(&self.data))
            .field("partition_key", &self.partition_key)
            .field("encryption_type", &self.encryption_type)
            .finish()
    }
}

impl Record {
    /// Decodes the data as JSON into `T`.
    ///
    /// ```
    /// use kinesis_proto::ops::GetRecordsOutput;
    /// #[derive(serde::Deserialize)]
    /// struct Click { page: String }
    /// let page: GetRecordsOutput = serde_json::from_str(r#"{"Records":[{"SequenceNumber":"1",
    ///     "Data":"eyJwYWdlIjoiL2hvbWUifQ==","PartitionKey":"u1"}],"NextShardIterator":"x"}"#).unwrap();
    /// let click: Click = page.records[0].json().unwrap();
    /// assert_eq!(click.page, "/home");
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        serde_json::from_slice(&self.data)
            .map_err(|e| DecodeError::new(self, format!("not the expected JSON: {e}")))
    }

    /// Decodes the data with `decoder` (any format).
    pub fn decode_with<T, E: fmt::Display>(
        &self,
        decoder: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<T, DecodeError> {
        decoder(&self.data).map_err(|e| DecodeError::new(self, e.to_string()))
    }

    /// The data as UTF-8 text.
    pub fn text(&self) -> Result<&str, DecodeError> {
        std::str::from_utf8(&self.data)
            .map_err(|e| DecodeError::new(self, format!("not UTF-8: {e}")))
    }
}

/// A record's data did not decode as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The record's sequence number.
    pub sequence_number: String,
    /// The record's partition key.
    pub partition_key: String,
    /// What went wrong.
    pub reason: String,
}

impl DecodeError {
    fn new(record: &Record, reason: String) -> Self {
        DecodeError {
            sequence_number: record.sequence_number.clone(),
            partition_key: record.partition_key.clone(),
            reason,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} (partition key {:?}) did not decode: {}",
            self.sequence_number, self.partition_key, self.reason
        )
    }
}

impl std::error::Error for DecodeError {}

/// The answer to [`GetRecords`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct GetRecordsOutput {
    /// The records, in shard order.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub records: Vec<Record>,
    /// Where to read next; `None` once the shard is closed and read to its
    /// end (then see `child_shards`).
    #[serde(default)]
    pub next_shard_iterator: Option<String>,
    /// How far behind the tip of the shard this answer is, in milliseconds
    /// (0: caught up).
    #[serde(default)]
    pub millis_behind_latest: Option<u64>,
    /// The shards that follow this one, sent when the end of a closed shard
    /// is reached.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub child_shards: Vec<ChildShard>,
}

operation! {
    GetRecords: Data -> GetRecordsOutput,
    validate(op) {
        validate::shard_iterator("ShardIterator", &op.shard_iterator)?;
        if let Some(limit) = op.limit {
            validate::get_records_limit(limit)?;
        }
        match &op.stream_arn {
            Some(arn) => validate::stream_arn("StreamARN", arn),
            None => Ok(()),
        }
    },
    resource_arn(op) { op.stream_arn.as_deref() },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::text_body as body;

    const ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

    #[test]
    fn put_record_body_matches_serde() {
        let put = PutRecord::new("s", "k\"\u{1}é", b"hello\x00\xff".to_vec())
            .with_explicit_hash_key(u128::MAX)
            .with_sequence_number_for_ordering("42");
        let hand = body(&put);
        assert_eq!(hand, serde_json::to_string(&put).expect("serde"));
        assert_eq!(
            hand,
            r#"{"Data":"aGVsbG8A/w==","PartitionKey":"k\"\u0001é","ExplicitHashKey":"340282366920938463463374607431768211455","SequenceNumberForOrdering":"42","StreamName":"s"}"#
        );
        for dry_run in [true, false] {
            let put = put.clone().with_dry_run(dry_run);
            assert_eq!(body(&put), serde_json::to_string(&put).expect("serde"));
            let batch = PutRecords::new("s", vec![PutRecordsRequestEntry::new("k", vec![1])])
                .with_dry_run(dry_run);
            assert_eq!(body(&batch), serde_json::to_string(&batch).expect("serde"));
            assert!(body(&batch).ends_with(&format!(r#""DryRun":{dry_run}}}"#)));
        }
        let by_arn = PutRecord::new("s", "k", Vec::new()).with_stream_arn(ARN);
        assert_eq!(
            body(&by_arn),
            format!(r#"{{"Data":"","PartitionKey":"k","StreamARN":"{ARN}"}}"#)
        );
        assert_eq!(by_arn.resource_arn(), Some(ARN));
    }

    #[test]
    fn records_without_a_partition_key() {
        let limits = Limits::default();
        let put = PutRecord::without_partition_key("s", b"hi".to_vec());
        assert!(put.validate(&limits).is_ok());
        assert_eq!(body(&put), r#"{"Data":"aGk=","StreamName":"s"}"#);
        assert_eq!(body(&put), serde_json::to_string(&put).expect("serde"));
        let batch = PutRecords::new(
            "s",
            vec![
                PutRecordsRequestEntry::without_partition_key(b"hi".to_vec()),
                PutRecordsRequestEntry::new("k", b"hi".to_vec()),
            ],
        );
        assert!(batch.validate(&limits).is_ok());
        assert_eq!(
            body(&batch),
            r#"{"Records":[{"Data":"aGk="},{"Data":"aGk=","PartitionKey":"k"}],"StreamName":"s"}"#
        );
        assert_eq!(body(&batch), serde_json::to_string(&batch).expect("serde"));
        // A key given is still checked.
        let empty = PutRecords::new("s", vec![PutRecordsRequestEntry::new("", vec![])]);
        assert_eq!(
            empty.validate(&limits).expect_err("empty key").field,
            "Records[0].PartitionKey"
        );
    }

    #[test]
    fn put_records_body_matches_serde() {
        for n in [1usize, 2, 3, 10] {
            let entries = (0..n)
                .map(|i| {
                    let e = PutRecordsRequestEntry::new(format!("key-{i}"), vec![i as u8; i * 7]);
                    if i % 2 == 1 {
                        e.with_explicit_hash_key(i as u128)
                    } else {
                        e
                    }
                })
                .collect();
            let batch = PutRecords::new("stream", entries);
            assert_eq!(body(&batch), serde_json::to_string(&batch).expect("serde"));
            let batch = batch.with_stream_arn(ARN);
            assert_eq!(body(&batch), serde_json::to_string(&batch).expect("serde"));
        }
    }

    #[test]
    fn put_record_validation() {
        let limits = Limits::default();
        assert!(PutRecord::new("s", "k", vec![0; 100])
            .validate(&limits)
            .is_ok());
        let e = PutRecord::new("s", "", vec![])
            .validate(&limits)
            .expect_err("empty key");
        assert_eq!(e.field, "PartitionKey");
        let e = PutRecord::new("s", "k".repeat(257), vec![])
            .validate(&limits)
            .expect_err("long key");
        assert_eq!(e.field, "PartitionKey");
        let e = PutRecord::new("s", "k", vec![0; 1024 * 1024])
            .validate(&limits)
            .expect_err("big");
        assert_eq!(e.field, "Data");
        let bad_arn = PutRecord::new(StreamRef::arn("s"), "k", vec![]);
        assert_eq!(
            bad_arn.validate(&limits).expect_err("not an ARN").field,
            "StreamARN"
        );
        assert_eq!(
            PutRecord::new("a b", "k", vec![])
                .validate(&limits)
                .expect_err("bad name")
                .field,
            "StreamName"
        );
        let e = PutRecord::new("s", "k", vec![])
            .with_sequence_number_for_ordering("abc")
            .validate(&limits)
            .expect_err("seq");
        assert_eq!(e.field, "SequenceNumberForOrdering");
        let big = Limits {
            max_record_bytes: 10 * 1024 * 1024,
            ..Limits::default()
        };
        assert!(PutRecord::new("s", "k", vec![0; 1024 * 1024])
            .validate(&big)
            .is_ok());
    }

    #[test]
    fn put_records_validation_names_the_entry() {
        let limits = Limits::default();
        let entry = |key: &str, len: usize| PutRecordsRequestEntry::new(key, vec![0; len]);
        assert_eq!(
            PutRecords::new("s", vec![])
                .validate(&limits)
                .expect_err("empty")
                .field,
            "Records"
        );
        let many = PutRecords::new("s", (0..501).map(|_| entry("k", 1)).collect());
        assert_eq!(many.validate(&limits).expect_err("501").field, "Records");
        let bad_key = PutRecords::new(
            "s",
            vec![entry("a", 1), entry("b", 1), entry("c", 1), entry("", 1)],
        );
        assert_eq!(
            bad_key.validate(&limits).expect_err("key").field,
            "Records[3].PartitionKey"
        );
        let too_big = PutRecords::new("s", vec![entry("a", 1), entry("b", 1024 * 1024)]);
        assert_eq!(
            too_big.validate(&limits).expect_err("record").field,
            "Records[1].Data"
        );
        // Six records just under 1 MiB each cross 5 MiB at the sixth.
        let heavy = PutRecords::new("s", (0..6).map(|_| entry("k", 1024 * 1024 - 1)).collect());
        let e = heavy.validate(&limits).expect_err("request");
        assert_eq!(e.field, "Records[5].Data");
        assert!(e.problem.contains("5242880"), "{}", e.problem);
        let fine = PutRecords::new("s", (0..500).map(|_| entry("k", 1000)).collect());
        assert!(fine.validate(&limits).is_ok());
    }

    #[test]
    fn json_and_custom_encoders() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Order {
            id: u32,
            item: String,
        }
        let order = Order {
            id: 7,
            item: "tea".into(),
        };
        let put = PutRecord::json("s", "k", &order).expect("encodes");
        assert_eq!(put.data, br#"{"id":7,"item":"tea"}"#);
        let mut bad = std::collections::HashMap::new();
        bad.insert(vec![1u8], 1);
        let e = PutRecord::json("s", "k", &bad).expect_err("non-string keys");
        assert_eq!(e.field, "Data");
        let e = PutRecordsRequestEntry::encoded("k", &order, |_| Err::<Vec<u8>, _>("disk on fire"))
            .expect_err("encoder fails");
        assert_eq!(e.field, "Data");
        assert!(e.problem.contains("disk on fire"));
        let entry = PutRecordsRequestEntry::encoded("k", &order, |o| {
            Ok::<_, String>(o.item.clone().into_bytes())
        })
        .expect("encodes");
        assert_eq!(entry.data, b"tea");

        let record = Record {
            sequence_number: "1".into(),
            approximate_arrival_timestamp: None,
            data: put.data.clone(),
            partition_key: "k".into(),
            encryption_type: None,
        };
        assert_eq!(record.json::<Order>().expect("decodes"), order);
        let e = record.json::<Vec<u32>>().expect_err("wrong type");
        assert_eq!(e.sequence_number, "1");
        assert!(e.to_string().contains("did not decode"), "{e}");
        assert_eq!(record.text().expect("utf-8"), r#"{"id":7,"item":"tea"}"#);
        let n = record
            .decode_with(|b| Ok::<_, String>(b.len()))
            .expect("decodes");
        assert_eq!(n, 21);
        let e = record
            .decode_with(|_| Err::<(), _>("nope"))
            .expect_err("fails");
        assert_eq!(e.reason, "nope");
    }

    #[test]
    fn payloads_are_redacted_from_debug() {
        let put = PutRecord::new("s", "k", b"secret-payload".to_vec());
        let shown = format!("{put:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<14 bytes>"), "{shown}");
        let entry = PutRecordsRequestEntry::new("k", b"secret".to_vec());
        assert!(!format!("{entry:?}").contains("secret"));
    }

    #[test]
    fn shard_iterator_positions_on_the_wire() {
        let op = |t| GetShardIterator::new("s", "shardId-000000000001", t);
        assert_eq!(
            body(&op(ShardIteratorType::TrimHorizon)),
            r#"{"StreamName":"s","ShardId":"shardId-000000000001","ShardIteratorType":"TRIM_HORIZON"}"#
        );
        assert_eq!(
            body(&op(ShardIteratorType::AfterSequenceNumber("123".into())).with_stream_arn(ARN)),
            format!(
                r#"{{"StreamARN":"{ARN}","ShardId":"shardId-000000000001","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"123"}}"#
            )
        );
        let t =
            OffsetDateTime::from_unix_timestamp_nanos(1_459_799_926_480_000_000).expect("valid");
        assert_eq!(
            body(&op(ShardIteratorType::AtTimestamp(t))),
            r#"{"StreamName":"s","ShardId":"shardId-000000000001","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1459799926.48}"#
        );
        let limits = Limits::default();
        assert!(op(ShardIteratorType::AtSequenceNumber("123".into()))
            .validate(&limits)
            .is_ok());
        let e = op(ShardIteratorType::AtSequenceNumber(String::new()))
            .validate(&limits)
            .expect_err("empty");
        assert_eq!(e.field, "StartingSequenceNumber");
        let e = GetShardIterator::new("s", "", ShardIteratorType::Latest)
            .validate(&limits)
            .expect_err("shard");
        assert_eq!(e.field, "ShardId");
    }

    #[test]
    fn get_records_validation() {
        let limits = Limits::default();
        assert!(GetRecords::new("it")
            .with_limit(10_000)
            .validate(&limits)
            .is_ok());
        assert_eq!(
            GetRecords::new("it")
                .with_limit(0)
                .validate(&limits)
                .expect_err("0")
                .field,
            "Limit"
        );
        assert_eq!(
            GetRecords::new("it")
                .with_limit(10_001)
                .validate(&limits)
                .expect_err("big")
                .field,
            "Limit"
        );
        assert_eq!(
            GetRecords::new("")
                .validate(&limits)
                .expect_err("empty")
                .field,
            "ShardIterator"
        );
        assert_eq!(
            GetRecords::new("it")
                .with_stream_arn("x")
                .validate(&limits)
                .expect_err("arn")
                .field,
            "StreamARN"
        );
        assert_eq!(
            body(&GetRecords::new("it").with_limit(5)),
            r#"{"ShardIterator":"it","Limit":5}"#
        );
    }

    #[test]
    fn put_records_results() {
        let out: PutRecordsOutput = serde_json::from_str(
            r#"{"FailedRecordCount":3,"Records":[
                {"SequenceNumber":"49","ShardId":"shardId-000000000000"},
                {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"},
                {"ErrorCode":"InternalFailure","ErrorMessage":"Internal service failure."},
                {"ErrorCode":"SomethingNew"}],"EncryptionType":"KMS"}"#,
        )
        .expect("parses");
        assert_eq!(out.failed_record_count, 3);
        assert_eq!(out.records[0].shard_id(), Some("shardId-000000000000"));
        assert_eq!(out.records[0].sequence_number(), Some("49"));
        assert!(out.records[1].is_retryable());
        assert!(out.records[2].is_retryable());
        assert!(!out.records[3].is_retryable());
        assert_eq!(
            out.records[3].error_code(),
            Some(&ErrorCode::Other("SomethingNew".into()))
        );
        assert_eq!(
            out.failures().map(|(i, _)| i).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(out.encryption_type, Some(EncryptionType::Kms));
        let err = serde_json::from_str::<PutRecordsOutput>(r#"{"Records":[{"ShardId":"x"}]}"#)
            .expect_err("neither");
        assert!(err.to_string().contains("neither"), "{err}");
        // Round trip through Serialize.
        let text = serde_json::to_string(&out).expect("serializes");
        assert_eq!(
            serde_json::from_str::<PutRecordsOutput>(&text).expect("parses"),
            out
        );
    }

    #[test]
    fn put_records_answers_must_have_one_entry_per_record_sent() {
        let client = crate::Client::new(crate::Config::new("us-east-1"));
        let credentials = crate::Credentials::new("AKID", "SECRET", None);
        let batch = PutRecords::new(
            "s",
            vec![
                PutRecordsRequestEntry::new("a", b"1".to_vec()),
                PutRecordsRequestEntry::new("b", b"2".to_vec()),
            ],
        );
        let (_, expect) = client
            .prepare(&batch, &credentials, OffsetDateTime::UNIX_EPOCH)
            .expect("a valid batch");
        let entry = r#"{"SequenceNumber":"1","ShardId":"shardId-000000000000"}"#;
        let answer = |entries: usize| {
            let list = vec![entry; entries].join(",");
            let body = format!(r#"{{"FailedRecordCount":0,"Records":[{list}]}}"#);
            http::Response::builder()
                .status(200)
                .body(body)
                .expect("a response")
        };
        assert_eq!(
            expect.parse(&answer(2)).expect("two for two").records.len(),
            2
        );
        for wrong in [0, 1, 3] {
            match expect.parse(&answer(wrong)) {
                Err(crate::Error::Response(e)) => assert!(
                    e.reason
                        .contains(&format!("{wrong} result entries for the 2 records sent")),
                    "{}",
                    e.reason
                ),
                other => panic!("{wrong} entries: {other:?}"),
            }
        }
        // Without a token nothing is known of the request.
        assert!(crate::operation::parse_response::<PutRecords, _>(&answer(3)).is_ok());
    }

    #[test]
    fn put_record_answers_must_name_the_sequence_number() {
        let answer = |body: &str| {
            let response = http::Response::builder()
                .status(200)
                .body(body.to_owned())
                .expect("a response");
            crate::operation::parse_response::<PutRecord, _>(&response)
        };
        assert!(answer(r#"{"SequenceNumber":"1","ShardId":"shardId-000000000000"}"#).is_ok());
        for body in [
            r#"{"SequenceNumber":"","ShardId":"shardId-000000000000"}"#,
            r#"{"ShardId":"shardId-000000000000"}"#,
            r#"{"SequenceNumber":"1","ShardId":null}"#,
            "{}",
        ] {
            assert!(
                matches!(answer(body), Err(crate::Error::Response(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn get_records_takes_null_child_shards() {
        // What kinesis-mock sends for every page of an open shard.
        let out: GetRecordsOutput = serde_json::from_str(
            r#"{"ChildShards":null,"MillisBehindLatest":0,"NextShardIterator":"it","Records":[]}"#,
        )
        .expect("parses");
        assert!(out.child_shards.is_empty());
        assert_eq!(out.millis_behind_latest, Some(0));
    }
}
#[cfg(test)]
mod answer_scan_tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    #[test]
    fn the_generated_answers_reach_the_scanner() {
        // Most generated answers must be ones the scanner reads, or the
        // property tests below would test little.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut read = 0;
        for _ in 0..500 {
            let body = answer().new_tree(&mut runner).expect("a value").current();
            read += usize::from(answer_scan::parse(body.as_bytes(), 0).is_some());
        }
        assert!(read > 100, "only {read} of 500 answers scanned");
    }

    /// The scanner and serde_json agree wherever the scanner answers.
    fn agree(body: &[u8]) -> Result<bool, TestCaseError> {
        let serde = serde_json::from_slice::<PutRecordsOutput>(body);
        match answer_scan::parse(body, 3) {
            Some(scanned) => {
                prop_assert_eq!(
                    serde.as_ref().ok(),
                    Some(&scanned),
                    "{}",
                    String::from_utf8_lossy(body)
                );
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A JSON string of `text`, or `text` as raw bytes in quotes
    /// (`raw`), which may not be valid JSON.
    fn string(text: &str, raw: bool) -> String {
        if raw {
            format!("\"{text}\"")
        } else {
            serde_json::to_string(text).unwrap_or_default()
        }
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,70}",
            "shardId-[0-9]{12}",
            "[ -~]{0,12}",
            "\\PC{0,8}",
            Just(String::new()),
        ]
    }

    fn member() -> impl Strategy<Value = (String, String, bool)> {
        (
            prop_oneof![
                Just("SequenceNumber".to_owned()),
                Just("ShardId".to_owned()),
                Just("ErrorCode".to_owned()),
                Just("ErrorMessage".to_owned()),
                Just("Other".to_owned()),
            ],
            text(),
            any::<bool>(),
        )
    }

    /// A written or a failed record's entry, members in either order, or
    /// (now and then) any members at all.
    fn entry() -> impl Strategy<Value = String> {
        let written =
            ("[0-9]{1,70}", "shardId-[0-9]{12}", any::<bool>()).prop_map(|(seq, shard, flip)| {
                let members = [
                    format!("\"SequenceNumber\":\"{seq}\""),
                    format!("\"ShardId\": \"{shard}\""),
                ];
                if flip {
                    format!("{{{},{}}}", members[1], members[0])
                } else {
                    format!("{{{},{}}}", members[0], members[1])
                }
            });
        let failed =
            ("[A-Za-z]{0,40}", prop::option::of(text())).prop_map(
                |(code, message)| match message {
                    Some(message) => format!(
                        "{{\"ErrorCode\":\"{code}\",\"ErrorMessage\":{}}}",
                        string(&message, false)
                    ),
                    None => format!("{{ \"ErrorCode\" : \"{code}\" }}"),
                },
            );
        prop_oneof![4 => written, 4 => failed, 1 => any_entry()]
    }

    fn any_entry() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(member(), 0..5),
            prop_oneof![Just(""), Just(" "), Just("\n\t")],
            any::<bool>(),
        )
            .prop_map(|(members, ws, null)| {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v, raw)| {
                        let value = if null && k == "ErrorMessage" {
                            "null".to_owned()
                        } else {
                            string(v, *raw)
                        };
                        format!("{ws}\"{k}\"{ws}:{ws}{value}")
                    })
                    .collect();
                format!("{{{}{ws}}}", members.join(","))
            })
    }

    fn answer() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(entry(), 0..6),
            prop::option::of(prop_oneof![
                Just("0".to_owned()),
                Just("1".to_owned()),
                Just("2".to_owned()),
                Just("01".to_owned()),
                Just("null".to_owned()),
                Just("1e0".to_owned()),
                "[0-9]{1,11}"
            ]),
            prop::option::of(prop_oneof![
                Just("\"KMS\""),
                Just("\"NONE\""),
                Just("null"),
                Just("5")
            ]),
            any::<bool>(),
            prop_oneof![Just(""), Just(" "), Just("\r\n")],
        )
            .prop_map(|(entries, count, encryption, count_last, ws)| {
                let mut members = vec![format!("\"Records\":{ws}[{}]", entries.join(","))];
                if let Some(count) = count {
                    let count = format!("\"FailedRecordCount\":{count}");
                    if count_last {
                        members.push(count);
                    } else {
                        members.insert(0, count);
                    }
                }
                if let Some(encryption) = encryption {
                    members.push(format!("\"EncryptionType\":{encryption}"));
                }
                format!("{ws}{{{}}}{ws}", members.join(&format!(",{ws}")))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn scanner_agrees_with_serde(body in answer()) {
            agree(body.as_bytes())?;
        }

        #[test]
        fn scanner_agrees_with_serde_on_mutated_answers(
            body in answer(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        ) {
            let mut body = body.into_bytes();
            for (at, byte) in edits {
                if !body.is_empty() {
                    let at = at.index(body.len());
                    body[at] = byte;
                }
            }
            agree(&body)?;
        }
    }

    #[test]
    fn scanner_reads_the_usual_answer() {
        let body = br#"{"FailedRecordCount":1,"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989130000001","ShardId":"shardId-000000000001"},
            {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001"}],"EncryptionType":"KMS"}"#;
        let scanned = answer_scan::parse(body, 2).expect("the usual answer");
        assert_eq!(
            Some(&scanned),
            serde_json::from_slice::<PutRecordsOutput>(body)
                .ok()
                .as_ref()
        );
        assert_eq!(scanned.records.len(), 2);
        // A long sequence number goes to the heap and reads the same.
        let long = "1".repeat(100);
        let body = format!(r#"{{"Records":[{{"SequenceNumber":"{long}","ShardId":"s"}}]}}"#);
        let scanned = answer_scan::parse(body.as_bytes(), 0).expect("a long number");
        assert_eq!(scanned.records[0].sequence_number(), Some(long.as_str()));
        // Escapes, unknown members, null: serde_json's turn.
        for odd in [
            r#"{"Records":[{"SequenceNumber":"1\u0031","ShardId":"s"}]}"#,
            r#"{"Records":[],"Other":1}"#,
            r#"{"Records":null}"#,
            r#"{"Records":[]} x"#,
        ] {
            assert!(answer_scan::parse(odd.as_bytes(), 0).is_none(), "{odd}");
        }
    }

    #[test]
    fn inline_text_reads_as_its_text() {
        for text in [
            "",
            "shardId-000000000001",
            &"9".repeat(62),
            &"9".repeat(63),
            "é",
        ] {
            let inline = InlineText::from(text);
            assert_eq!(inline.as_str(), text);
            assert_eq!(inline, InlineText::from(text.to_owned()));
            assert_eq!(format!("{inline:?}"), format!("{text:?}"));
            assert_eq!(inline.to_string(), text);
        }
        assert_ne!(InlineText::from("a"), InlineText::from("b"));
        assert_eq!(InlineText::default(), "");
    }
}
