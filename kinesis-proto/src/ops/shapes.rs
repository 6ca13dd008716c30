//! Shapes many inputs share, as types: a stream named by name or ARN
//! ([`StreamRef`]), a consumer named by ARN or by stream and name
//! ([`ConsumerRef`]), a page of a list ([`Page`]) and a set of tags
//! ([`TagSet`]). Each is written into its input's JSON with
//! `#[serde(flatten)]` (or as one member), so "exactly one of" rules are
//! the compiler's, not a run-time check's.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::error::UsageError;
use crate::validate;

/// A stream, by name or by ARN: the `StreamName` / `StreamARN` members of
/// most stream operations, of which the service takes exactly one.
///
/// A `&str` or `String` converts into a name; [`StreamRef::arn`] makes an
/// ARN, so every constructor that takes `impl Into<StreamRef>` takes either.
///
/// ```
/// use kinesis_proto::ops::{DescribeStreamSummary, StreamRef};
/// let by_name = DescribeStreamSummary::new("orders");
/// let by_arn = DescribeStreamSummary::new(StreamRef::arn(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
/// ));
/// assert_eq!(by_name.stream, StreamRef::Name("orders".into()));
/// assert_eq!(by_arn.stream.as_arn(), Some("arn:aws:kinesis:us-east-1:123456789012:stream/orders"));
/// assert_eq!(
///     serde_json::to_string(&by_name).unwrap(),
///     r#"{"StreamName":"orders"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum StreamRef {
    /// `StreamName`: 1–128 characters of `a-z A-Z 0-9 _ . -`.
    #[serde(rename = "StreamName")]
    Name(String),
    /// `StreamARN`: `arn:{partition}:kinesis:{region}:{account}:stream/{name}`.
    /// Reaches the account-scoped endpoint.
    #[serde(rename = "StreamARN")]
    Arn(String),
}

impl StreamRef {
    /// The stream named `name`.
    pub fn name(name: impl Into<String>) -> Self {
        StreamRef::Name(name.into())
    }

    /// The stream whose ARN is `arn`.
    pub fn arn(arn: impl Into<String>) -> Self {
        StreamRef::Arn(arn.into())
    }

    /// The name, when the stream is named by name.
    pub fn as_name(&self) -> Option<&str> {
        match self {
            StreamRef::Name(name) => Some(name),
            StreamRef::Arn(_) => None,
        }
    }

    /// The ARN, when the stream is named by ARN.
    pub fn as_arn(&self) -> Option<&str> {
        match self {
            StreamRef::Name(_) => None,
            StreamRef::Arn(arn) => Some(arn),
        }
    }

    /// The text of the name or ARN.
    pub fn as_str(&self) -> &str {
        match self {
            StreamRef::Name(text) | StreamRef::Arn(text) => text,
        }
    }

    /// Checks the name (`StreamName`) or the ARN (`StreamARN`).
    pub(crate) fn validate(&self) -> Result<(), UsageError> {
        match self {
            StreamRef::Name(name) => validate::stream_name("StreamName", name),
            StreamRef::Arn(arn) => validate::stream_arn("StreamARN", arn),
        }
    }
}

impl From<&str> for StreamRef {
    /// A stream name.
    fn from(name: &str) -> Self {
        StreamRef::Name(name.to_owned())
    }
}

impl From<String> for StreamRef {
    /// A stream name.
    fn from(name: String) -> Self {
        StreamRef::Name(name)
    }
}

impl From<&String> for StreamRef {
    /// A stream name.
    fn from(name: &String) -> Self {
        StreamRef::Name(name.clone())
    }
}

/// A registered consumer, by its ARN or by its stream's ARN and its name:
/// the `ConsumerARN` / `StreamARN` + `ConsumerName` members of
/// DescribeStreamConsumer and DeregisterStreamConsumer.
///
/// ```
/// use kinesis_proto::ops::{ConsumerRef, DescribeStreamConsumer};
/// let op = DescribeStreamConsumer::new(ConsumerRef::by_name(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
///     "billing",
/// ));
/// assert_eq!(
///     serde_json::to_string(&op).unwrap(),
///     r#"{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/orders","ConsumerName":"billing"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConsumerRef {
    /// `ConsumerARN`: `arn:{partition}:kinesis:{region}:{account}:stream/{stream}/consumer/{name}`,
    /// usually with a `:{creation-epoch}` suffix.
    Arn(String),
    /// `StreamARN` and `ConsumerName`.
    Name {
        /// The ARN of the stream the consumer is registered with.
        stream_arn: String,
        /// The consumer's name.
        consumer_name: String,
    },
}

impl ConsumerRef {
    /// The consumer whose ARN is `consumer_arn`.
    pub fn arn(consumer_arn: impl Into<String>) -> Self {
        ConsumerRef::Arn(consumer_arn.into())
    }

    /// The consumer named `consumer_name` on the stream `stream_arn`.
    pub fn by_name(stream_arn: impl Into<String>, consumer_name: impl Into<String>) -> Self {
        ConsumerRef::Name {
            stream_arn: stream_arn.into(),
            consumer_name: consumer_name.into(),
        }
    }

    /// The ARN that picks the endpoint: the consumer's, else its stream's.
    pub fn resource_arn(&self) -> &str {
        match self {
            ConsumerRef::Arn(arn) => arn,
            ConsumerRef::Name { stream_arn, .. } => stream_arn,
        }
    }

    /// Checks the ARN(s) and the name.
    pub(crate) fn validate(&self) -> Result<(), UsageError> {
        match self {
            ConsumerRef::Arn(arn) => validate::consumer_arn("ConsumerARN", arn),
            ConsumerRef::Name {
                stream_arn,
                consumer_name,
            } => {
                validate::stream_arn("StreamARN", stream_arn)?;
                validate::consumer_name("ConsumerName", consumer_name)
            }
        }
    }
}

impl From<&str> for ConsumerRef {
    /// A consumer ARN.
    fn from(consumer_arn: &str) -> Self {
        ConsumerRef::Arn(consumer_arn.to_owned())
    }
}

impl From<String> for ConsumerRef {
    /// A consumer ARN.
    fn from(consumer_arn: String) -> Self {
        ConsumerRef::Arn(consumer_arn)
    }
}

impl Serialize for ConsumerRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ConsumerRef::Arn(arn) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("ConsumerARN", arn)?;
                map.end()
            }
            ConsumerRef::Name {
                stream_arn,
                consumer_name,
            } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("StreamARN", stream_arn)?;
                map.serialize_entry("ConsumerName", consumer_name)?;
                map.end()
            }
        }
    }
}

/// Which page of a list to return: the `NextToken` and `MaxResults`
/// members of the lists that page by token (ListShards,
/// ListStreamConsumers, ListQueues, ListChannels…).
///
/// [`Paginated::next_page`](crate::Paginated::next_page) fills in the token;
/// set `max_results` with the input's `with_max_results`.
///
/// ```
/// use kinesis_proto::ops::Page;
/// let page = Page::new().with_max_results(50).with_next_token("AAA");
/// assert_eq!(
///     serde_json::to_string(&page).unwrap(),
///     r#"{"NextToken":"AAA","MaxResults":50}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Page {
    /// The token of the previous answer; `None` for the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// The most entries to return in one answer (the service's default when
    /// `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
}

impl Page {
    /// The first page, of the service's default size.
    pub fn new() -> Self {
        Page::default()
    }

    /// Asks for at most `max_results` entries.
    pub fn with_max_results(mut self, max_results: u32) -> Self {
        self.max_results = Some(max_results);
        self
    }

    /// Continues after the answer that returned `next_token`.
    pub fn with_next_token(mut self, next_token: impl Into<String>) -> Self {
        self.next_token = Some(next_token.into());
        self
    }

    /// The same page size after `token`, or `None` when the answer had no
    /// (or an empty) token.
    pub(crate) fn after(&self, token: Option<&str>) -> Option<Page> {
        let token = token.filter(|t| !t.is_empty())?;
        Some(Page {
            next_token: Some(token.to_owned()),
            max_results: self.max_results,
        })
    }

    /// `NextToken` is 1–1048576 characters, `MaxResults` within
    /// `1..=max_results`.
    pub(crate) fn validate(&self, max_results: u32) -> Result<(), UsageError> {
        if let Some(token) = &self.next_token {
            validate::char_length("NextToken", token, 1, crate::limits::MAX_NEXT_TOKEN_CHARS)?;
        }
        if let Some(n) = self.max_results {
            validate::range("MaxResults", n, 1, max_results)?;
        }
        Ok(())
    }
}

/// Tags to put on a resource: keys to values, in key order (the `Tags`
/// map of AddTagsToStream, TagResource, CreateStream,
/// RegisterStreamConsumer, CreateQueue, CreateChannel).
///
/// ```
/// use kinesis_proto::ops::TagSet;
/// let tags: TagSet = [("team", "data"), ("env", "prod")].into_iter().collect();
/// assert_eq!(tags.get("env"), Some("prod"));
/// assert_eq!(serde_json::to_string(&tags).unwrap(), r#"{"env":"prod","team":"data"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TagSet(BTreeMap<String, String>);

impl TagSet {
    /// No tags.
    pub fn new() -> Self {
        TagSet::default()
    }

    /// Sets the tag `key` to `value` (replacing an earlier value).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    /// Sets the tag `key` to `value`, by value.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// How many tags.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tags in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The tags as a map.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// At most 50 tags, keys 1–128 characters, values at most 256;
    /// `required` also refuses an empty set.
    pub(crate) fn validate(&self, field: &'static str, required: bool) -> Result<(), UsageError> {
        if required && self.is_empty() {
            return Err(UsageError::new(field, "must hold at least one tag"));
        }
        validate::tags_to_add(field, self.iter())
    }
}

impl From<BTreeMap<String, String>> for TagSet {
    fn from(map: BTreeMap<String, String>) -> Self {
        TagSet(map)
    }
}

impl From<TagSet> for BTreeMap<String, String> {
    fn from(tags: TagSet) -> Self {
        tags.0
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for TagSet {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        TagSet(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for TagSet {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        self.0
            .extend(iter.into_iter().map(|(k, v)| (k.into(), v.into())));
    }
}

impl std::ops::Index<&str> for TagSet {
    type Output = String;
    /// The value of `key`; panics when the set has no such key, as a map does.
    fn index(&self, key: &str) -> &String {
        &self.0[key]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Input {
        #[serde(flatten)]
        stream: StreamRef,
        shard_id: &'static str,
        #[serde(flatten)]
        page: Page,
    }

    #[test]
    fn stream_refs_flatten_into_one_member() {
        let by_name = Input {
            stream: "s".into(),
            shard_id: "x",
            page: Page::new(),
        };
        assert_eq!(
            serde_json::to_string(&by_name).unwrap(),
            r#"{"StreamName":"s","ShardId":"x"}"#
        );
        let by_arn = Input {
            stream: StreamRef::arn("arn:aws:kinesis:us-east-1:123456789012:stream/s"),
            shard_id: "x",
            page: Page::new().with_max_results(5),
        };
        assert_eq!(
            serde_json::to_string(&by_arn).unwrap(),
            r#"{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","ShardId":"x","MaxResults":5}"#
        );
    }

    #[test]
    fn stream_refs_validate_the_member_they_are() {
        assert!(StreamRef::name("my-stream_1.0").validate().is_ok());
        assert_eq!(
            StreamRef::name("a b").validate().unwrap_err().field,
            "StreamName"
        );
        assert_eq!(
            StreamRef::arn("s").validate().unwrap_err().field,
            "StreamARN"
        );
        assert!(
            StreamRef::arn("arn:aws:kinesis:us-east-1:123456789012:stream/s")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn pages_follow_tokens_and_check_bounds() {
        let page = Page::new().with_max_results(10);
        assert_eq!(page.after(None), None);
        assert_eq!(page.after(Some("")), None);
        assert_eq!(
            page.after(Some("t")),
            Some(Page::new().with_max_results(10).with_next_token("t"))
        );
        assert!(page.validate(10).is_ok());
        assert_eq!(page.validate(9).unwrap_err().field, "MaxResults");
        assert_eq!(
            Page::new()
                .with_max_results(0)
                .validate(10)
                .unwrap_err()
                .field,
            "MaxResults"
        );
        assert_eq!(
            Page::new()
                .with_next_token("")
                .validate(10)
                .unwrap_err()
                .field,
            "NextToken"
        );
    }

    #[test]
    fn tag_sets_check_count_and_lengths() {
        assert!(TagSet::new().validate("Tags", false).is_ok());
        assert_eq!(
            TagSet::new().validate("Tags", true).unwrap_err().field,
            "Tags"
        );
        let long = TagSet::new().with("team", "x".repeat(257));
        assert!(long
            .validate("Tags", false)
            .unwrap_err()
            .field
            .starts_with("Tags["));
        let many: TagSet = (0..51).map(|i| (format!("k{i}"), "")).collect();
        assert_eq!(many.validate("Tags", false).unwrap_err().field, "Tags");
    }
}
