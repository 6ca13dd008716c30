//! Listing and reshaping shards: ListShards, SplitShard, MergeShards,
//! UpdateShardCount, and the shard types other operations share.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use time::OffsetDateTime;

use super::shapes::{Page, StreamRef};
use super::support::{operation, page_setters, with_stream_arn};
use crate::error::UsageError;
use crate::limits::MAX_LIST_MAX_RESULTS;
use crate::operation::{Empty, Paginated};
use crate::validate;
use crate::wire::{self, string_enum};

/// The inclusive range of hash keys a shard owns.
#[derive(Debug, Clone, Copy, PartialEq, Default, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct HashKeyRange {
    /// The lowest hash key of the range.
    #[serde(default, with = "crate::wire::hash_key")]
    pub starting_hash_key: u128,
    /// The highest hash key of the range (inclusive).
    #[serde(default, with = "crate::wire::hash_key")]
    pub ending_hash_key: u128,
}

impl HashKeyRange {
    /// The range `starting..=ending`.
    pub fn new(starting_hash_key: u128, ending_hash_key: u128) -> Self {
        HashKeyRange {
            starting_hash_key,
            ending_hash_key,
        }
    }
    /// Whether `hash_key` falls in the range (both ends inclusive).
    ///
    /// ```
    /// use kinesis_proto::ops::HashKeyRange;
    /// let all = HashKeyRange::new(0, u128::MAX);
    /// assert!(all.contains(u128::MAX));
    /// ```
    pub fn contains(&self, hash_key: u128) -> bool {
        self.starting_hash_key <= hash_key && hash_key <= self.ending_hash_key
    }
}

/// The sequence numbers a shard holds; an open shard has no end yet.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SequenceNumberRange {
    /// The first sequence number of the shard.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub starting_sequence_number: String,
    /// The last sequence number, once the shard is closed.
    #[serde(default)]
    pub ending_sequence_number: Option<String>,
}

/// One shard of a stream.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Shard {
    /// The shard's id.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shard_id: String,
    /// The shard it was split from, or one of the two it was merged from.
    #[serde(default)]
    pub parent_shard_id: Option<String>,
    /// The other shard it was merged from.
    #[serde(default)]
    pub adjacent_parent_shard_id: Option<String>,
    /// The hash keys it owns.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub hash_key_range: HashKeyRange,
    /// The sequence numbers it holds.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub sequence_number_range: SequenceNumberRange,
}

impl Shard {
    /// Whether the shard still takes writes (its sequence range has no end).
    pub fn is_open(&self) -> bool {
        self.sequence_number_range.ending_sequence_number.is_none()
    }
    /// The shards it came from (none, one for a split, two for a merge).
    pub fn parents(&self) -> impl Iterator<Item = &str> {
        self.parent_shard_id
            .as_deref()
            .into_iter()
            .chain(self.adjacent_parent_shard_id.as_deref())
    }
}

/// A shard that follows a closed one, as GetRecords and SubscribeToShard
/// report it at the end of the closed shard.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ChildShard {
    /// The child's id.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shard_id: String,
    /// Its parents (the closed shard, and for a merge the other parent).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub parent_shards: Vec<String>,
    /// The hash keys it owns.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub hash_key_range: HashKeyRange,
}

/// Which shards ListShards returns. Variants that need a shard id or a
/// time carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShardFilter {
    /// Shards after this shard id.
    AfterShardId(String),
    /// Shards open at the trim horizon.
    AtTrimHorizon,
    /// Every shard within the retention period (the service's default).
    FromTrimHorizon,
    /// Only the shards open now.
    AtLatest,
    /// Shards open at this time.
    AtTimestamp(OffsetDateTime),
    /// Shards open at or after this time.
    FromTimestamp(OffsetDateTime),
}

impl ShardFilter {
    /// The `ShardFilter.Type` wire value.
    pub fn as_str(&self) -> &'static str {
        match self {
            ShardFilter::AfterShardId(_) => "AFTER_SHARD_ID",
            ShardFilter::AtTrimHorizon => "AT_TRIM_HORIZON",
            ShardFilter::FromTrimHorizon => "FROM_TRIM_HORIZON",
            ShardFilter::AtLatest => "AT_LATEST",
            ShardFilter::AtTimestamp(_) => "AT_TIMESTAMP",
            ShardFilter::FromTimestamp(_) => "FROM_TIMESTAMP",
        }
    }
    fn validate(&self) -> Result<(), UsageError> {
        match self {
            ShardFilter::AfterShardId(id) => validate::shard_id("ShardFilter.ShardId", id),
            ShardFilter::AtTimestamp(t) | ShardFilter::FromTimestamp(t) => {
                validate::timestamp_not_before_epoch("ShardFilter.Timestamp", t)
            }
            _ => Ok(()),
        }
    }
}

impl Serialize for ShardFilter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ShardFilter", 3)?;
        st.serialize_field("Type", self.as_str())?;
        match self {
            ShardFilter::AfterShardId(id) => st.serialize_field("ShardId", id)?,
            _ => st.skip_field("ShardId")?,
        }
        match self {
            ShardFilter::AtTimestamp(t) | ShardFilter::FromTimestamp(t) => {
                st.serialize_field("Timestamp", &wire::EpochSeconds(t))?
            }
            _ => st.skip_field("Timestamp")?,
        }
        st.end()
    }
}

// --------------------------------------------------------------- ListShards

/// Lists a stream's shards, a page at a time (up to 1000 by default,
/// 10000 at most).
///
/// The first page names the stream (and the filter); later pages carry
/// only the token (the service refuses `StreamName` with `NextToken`),
/// which [`Paginated::next_page`] takes care of.
///
/// ```
/// use kinesis_proto::ops::{ListShards, ListShardsOutput, ShardFilter};
/// use kinesis_proto::Paginated;
/// let first = ListShards::new("my-stream").with_shard_filter(ShardFilter::AtLatest);
/// let page: ListShardsOutput = serde_json::from_str(r#"{"Shards":[],"NextToken":"AAA"}"#).unwrap();
/// let next = first.next_page(&page).unwrap();
/// assert_eq!(next.page.next_token.as_deref(), Some("AAA"));
/// assert_eq!(next.stream, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListShards {
    /// The stream, by name or ARN: required on the first page; later pages
    /// may name it by ARN only (to reach the same endpoint), never by name.
    #[serde(flatten)]
    pub stream: Option<StreamRef>,
    /// The token of the previous page and the page size (`MaxResults`
    /// 1–10000).
    #[serde(flatten)]
    pub page: Page,
    /// List the shards after this one (first page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_start_shard_id: Option<String>,
    /// Tells apart streams that had the same name (first page only).
    #[serde(
        with = "crate::wire::opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub stream_creation_timestamp: Option<OffsetDateTime>,
    /// Which shards to list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard_filter: Option<ShardFilter>,
}

impl ListShards {
    /// The first page of the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        ListShards {
            stream: Some(stream.into()),
            page: Page::new(),
            exclusive_start_shard_id: None,
            stream_creation_timestamp: None,
            shard_filter: None,
        }
    }
    /// The page a token from an earlier answer names.
    pub fn from_next_token(next_token: impl Into<String>) -> Self {
        ListShards {
            stream: None,
            page: Page::new().with_next_token(next_token),
            exclusive_start_shard_id: None,
            stream_creation_timestamp: None,
            shard_filter: None,
        }
    }
    /// Addresses the stream by ARN instead (the same as giving
    /// `StreamRef::arn(stream_arn)` to `new`).
    pub fn with_stream_arn(mut self, stream_arn: impl Into<String>) -> Self {
        self.stream = Some(StreamRef::Arn(stream_arn.into()));
        self
    }
    /// Lists only the shards `filter` selects.
    pub fn with_shard_filter(mut self, filter: ShardFilter) -> Self {
        self.shard_filter = Some(filter);
        self
    }
}
page_setters!(ListShards: "shards");

/// A page of [`ListShards`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListShardsOutput {
    /// The shards of this page.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shards: Vec<Shard>,
    /// The token of the next page (valid for 300 seconds); `None` on the last.
    #[serde(default)]
    pub next_token: Option<String>,
}

operation! {
    ListShards: Control -> ListShardsOutput,
    validate(op) {
        op.page.validate(MAX_LIST_MAX_RESULTS)?;
        if op.page.next_token.is_some() {
            let conflict = if matches!(op.stream, Some(StreamRef::Name(_))) {
                Some("StreamName")
            } else if op.exclusive_start_shard_id.is_some() {
                Some("ExclusiveStartShardId")
            } else if op.stream_creation_timestamp.is_some() {
                Some("StreamCreationTimestamp")
            } else {
                None
            };
            if let Some(field) = conflict {
                return Err(UsageError::new(field, "must not be given with NextToken"));
            }
            if let Some(stream) = &op.stream {
                stream.validate()?;
            }
        } else {
            match &op.stream {
                Some(stream) => stream.validate()?,
                None => return Err(UsageError::new("StreamName", "give StreamName or StreamARN (or NextToken)")),
            }
            if let Some(id) = &op.exclusive_start_shard_id {
                validate::shard_id("ExclusiveStartShardId", id)?;
            }
            if let Some(t) = &op.stream_creation_timestamp {
                validate::timestamp_not_before_epoch("StreamCreationTimestamp", t)?;
            }
        }
        if let Some(filter) = &op.shard_filter {
            filter.validate()?;
        }
        Ok(())
    },
    resource_arn(op) { op.stream.as_ref().and_then(StreamRef::as_arn) },
}

impl Paginated for ListShards {
    /// The next page carries only the token and the page size: the token
    /// stands for the stream and the filter (kinesis-mock refuses any of
    /// them next to a token).
    fn next_page(&self, output: &ListShardsOutput) -> Option<Self> {
        Some(ListShards {
            page: self.page.after(output.next_token.as_deref())?,
            ..ListShards::from_next_token("")
        })
    }
}

// --------------------------------------------------------------- SplitShard

/// Splits a shard in two at a hash key: the new shards own
/// `start..new_starting_hash_key` and `new_starting_hash_key..=end`.
///
/// ```
/// use kinesis_proto::ops::SplitShard;
/// let split = SplitShard::new("my-stream", "shardId-000000000000", u128::MAX / 2 + 1);
/// # let _ = split;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SplitShard {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The shard to split.
    pub shard_to_split: String,
    /// The first hash key of the upper child.
    #[serde(with = "crate::wire::hash_key")]
    pub new_starting_hash_key: u128,
}

impl SplitShard {
    /// Splits `shard_to_split` of the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(
        stream: impl Into<StreamRef>,
        shard_to_split: impl Into<String>,
        new_starting_hash_key: u128,
    ) -> Self {
        SplitShard {
            stream: stream.into(),
            shard_to_split: shard_to_split.into(),
            new_starting_hash_key,
        }
    }
}
with_stream_arn!(SplitShard);

operation! {
    SplitShard: Control -> Empty,
    validate(op) {
        op.stream.validate()?;
        validate::shard_id("ShardToSplit", &op.shard_to_split)
    },
    resource_arn(op) { op.stream.as_arn() },
}

// -------------------------------------------------------------- MergeShards

/// Merges two adjacent shards (their hash-key ranges touch) into one.
///
/// ```
/// use kinesis_proto::ops::MergeShards;
/// let merge = MergeShards::new("my-stream", "shardId-000000000001", "shardId-000000000002");
/// # let _ = merge;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MergeShards {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// One shard to merge.
    pub shard_to_merge: String,
    /// The shard next to it.
    pub adjacent_shard_to_merge: String,
}

impl MergeShards {
    /// Merges two shards of the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(
        stream: impl Into<StreamRef>,
        shard_to_merge: impl Into<String>,
        adjacent_shard_to_merge: impl Into<String>,
    ) -> Self {
        MergeShards {
            stream: stream.into(),
            shard_to_merge: shard_to_merge.into(),
            adjacent_shard_to_merge: adjacent_shard_to_merge.into(),
        }
    }
}
with_stream_arn!(MergeShards);

operation! {
    MergeShards: Control -> Empty,
    validate(op) {
        op.stream.validate()?;
        validate::shard_id("ShardToMerge", &op.shard_to_merge)?;
        validate::shard_id("AdjacentShardToMerge", &op.adjacent_shard_to_merge)?;
        if op.shard_to_merge == op.adjacent_shard_to_merge {
            return Err(UsageError::new("AdjacentShardToMerge", "must differ from ShardToMerge"));
        }
        Ok(())
    },
    resource_arn(op) { op.stream.as_arn() },
}

// --------------------------------------------------------- UpdateShardCount

string_enum! {
    /// How UpdateShardCount reshapes the stream.
    ScalingType {
        /// Shards of equal size.
        UniformScaling = "UNIFORM_SCALING",
    }
}

/// Scales a provisioned stream to a number of shards.
///
/// ```
/// use kinesis_proto::ops::UpdateShardCount;
/// let scale = UpdateShardCount::new("my-stream", 4);
/// assert_eq!(scale.target_shard_count, 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateShardCount {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The shard count to reach.
    pub target_shard_count: u32,
    /// How to get there.
    pub scaling_type: ScalingType,
}

impl UpdateShardCount {
    /// Scales the stream `stream` (a name, or a [`StreamRef::arn`]) uniformly to `target_shard_count`.
    pub fn new(stream: impl Into<StreamRef>, target_shard_count: u32) -> Self {
        UpdateShardCount {
            stream: stream.into(),
            target_shard_count,
            scaling_type: ScalingType::UniformScaling,
        }
    }
}
with_stream_arn!(UpdateShardCount);

/// The answer to [`UpdateShardCount`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateShardCountOutput {
    /// The stream's name.
    #[serde(default)]
    pub stream_name: Option<String>,
    /// The shard count before the change.
    #[serde(default)]
    pub current_shard_count: Option<u32>,
    /// The shard count being reached.
    #[serde(default)]
    pub target_shard_count: Option<u32>,
    /// The stream's ARN.
    #[serde(rename = "StreamARN", default)]
    pub stream_arn: Option<String>,
}

operation! {
    UpdateShardCount: Control -> UpdateShardCountOutput,
    validate(op) {
        op.stream.validate()?;
        validate::at_least("TargetShardCount", op.target_shard_count, 1)
    },
    resource_arn(op) { op.stream.as_arn() },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::Operation;
    use crate::ops::test_support::text_body as body;

    const ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

    #[test]
    fn list_shards_pages_drop_the_stream() {
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
        let mut first = ListShards::new("s")
            .with_max_results(100)
            .with_shard_filter(ShardFilter::FromTimestamp(t));
        first.stream_creation_timestamp = Some(t);
        first.exclusive_start_shard_id = Some("shardId-000000000003".into());
        assert_eq!(
            body(&first),
            r#"{"StreamName":"s","MaxResults":100,"ExclusiveStartShardId":"shardId-000000000003","StreamCreationTimestamp":1700000000,"ShardFilter":{"Type":"FROM_TIMESTAMP","Timestamp":1700000000}}"#
        );
        assert!(first.validate(&Limits::default()).is_ok());
        let page = ListShardsOutput {
            shards: vec![],
            next_token: Some("tok".into()),
        };
        let next = first.next_page(&page).expect("more");
        assert_eq!(body(&next), r#"{"NextToken":"tok","MaxResults":100}"#);
        assert!(next.validate(&Limits::default()).is_ok());
        let last = ListShardsOutput {
            shards: vec![],
            next_token: None,
        };
        assert_eq!(next.next_page(&last), None);
        let empty_token = ListShardsOutput {
            shards: vec![],
            next_token: Some(String::new()),
        };
        assert_eq!(next.next_page(&empty_token), None);
        let by_arn = ListShards::new("s").with_stream_arn(ARN);
        assert_eq!(by_arn.next_page(&page).expect("more").stream, None);
    }

    #[test]
    fn list_shards_validation() {
        let limits = Limits::default();
        let mut bad = ListShards::from_next_token("tok");
        bad.stream = Some("s".into());
        assert_eq!(
            bad.validate(&limits).expect_err("name+token").field,
            "StreamName"
        );
        let mut bad = ListShards::from_next_token("tok");
        bad.exclusive_start_shard_id = Some("x".into());
        assert_eq!(
            bad.validate(&limits).expect_err("start+token").field,
            "ExclusiveStartShardId"
        );
        assert_eq!(
            ListShards::from_next_token("")
                .validate(&limits)
                .expect_err("empty")
                .field,
            "NextToken"
        );
        let mut neither = ListShards::new("s");
        neither.stream = None;
        assert_eq!(
            neither.validate(&limits).expect_err("neither").field,
            "StreamName"
        );
        assert_eq!(
            ListShards::new("s")
                .with_max_results(0)
                .validate(&limits)
                .expect_err("0")
                .field,
            "MaxResults"
        );
        assert_eq!(
            ListShards::new("s")
                .with_shard_filter(ShardFilter::AfterShardId(String::new()))
                .validate(&limits)
                .expect_err("filter")
                .field,
            "ShardFilter.ShardId"
        );
        assert!(ListShards::from_next_token("tok").validate(&limits).is_ok());
        assert!(ListShards::from_next_token("tok")
            .with_stream_arn(ARN)
            .validate(&limits)
            .is_ok());
    }

    #[test]
    fn shard_filter_wire() {
        let text = |f: ShardFilter| serde_json::to_string(&f).expect("serializes");
        assert_eq!(text(ShardFilter::AtLatest), r#"{"Type":"AT_LATEST"}"#);
        assert_eq!(
            text(ShardFilter::AfterShardId("shardId-1".into())),
            r#"{"Type":"AFTER_SHARD_ID","ShardId":"shardId-1"}"#
        );
        let t =
            OffsetDateTime::from_unix_timestamp_nanos(1_500_000_000_250_000_000).expect("valid");
        assert_eq!(
            text(ShardFilter::AtTimestamp(t)),
            r#"{"Type":"AT_TIMESTAMP","Timestamp":1500000000.25}"#
        );
    }

    #[test]
    fn reshaping_bodies() {
        assert_eq!(
            body(&SplitShard::new("s", "shardId-000000000000", 1u128 << 127)),
            r#"{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"170141183460469231731687303715884105728"}"#
        );
        assert_eq!(
            body(&MergeShards::new("s", "a", "b").with_stream_arn(ARN)),
            format!(r#"{{"StreamARN":"{ARN}","ShardToMerge":"a","AdjacentShardToMerge":"b"}}"#)
        );
        assert_eq!(
            body(&UpdateShardCount::new("s", 4)),
            r#"{"StreamName":"s","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}"#
        );
        let limits = Limits::default();
        assert_eq!(
            MergeShards::new("s", "a", "a")
                .validate(&limits)
                .expect_err("same")
                .field,
            "AdjacentShardToMerge"
        );
        assert_eq!(
            UpdateShardCount::new("s", 0)
                .validate(&limits)
                .expect_err("zero")
                .field,
            "TargetShardCount"
        );
        assert_eq!(
            SplitShard::new("s", "", 1)
                .validate(&limits)
                .expect_err("shard")
                .field,
            "ShardToSplit"
        );
    }

    #[test]
    fn shard_shapes() {
        let shard: Shard = serde_json::from_str(
            r#"{"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000",
                "AdjacentParentShardId":"shardId-000000000001",
                "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},
                "SequenceNumberRange":{"StartingSequenceNumber":"49"}}"#,
        )
        .expect("parses");
        assert!(shard.is_open());
        assert_eq!(
            shard.parents().collect::<Vec<_>>(),
            vec!["shardId-000000000000", "shardId-000000000001"]
        );
        assert!(shard.hash_key_range.contains(u128::MAX));
        assert!(HashKeyRange::new(5, 10).contains(10));
        assert!(!HashKeyRange::new(5, 10).contains(11));
        let bad = r#"{"ShardId":"s","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211456"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}}"#;
        assert!(serde_json::from_str::<Shard>(bad).is_err());
    }
}
