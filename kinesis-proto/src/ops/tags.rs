//! Tags on streams (AddTagsToStream, RemoveTagsFromStream, ListTagsForStream)
//! and on any Kinesis resource by ARN (TagResource, UntagResource,
//! ListTagsForResource).

use serde::{Deserialize, Serialize};

use super::shapes::{StreamRef, TagSet};
use super::support::{operation, with_stream_arn};
use crate::limits::{MAX_LIST_TAGS_LIMIT, MAX_TAG_KEY_CHARS};
use crate::operation::{Empty, Paginated};
use crate::validate;

/// One tag: a key and an optional value.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Tag {
    /// The key (1–128 characters).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub key: String,
    /// The value (up to 256 characters), absent when the tag has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Tag {
    /// A tag `key` = `value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: Some(value.into()),
        }
    }
}

/// Adds tags to a stream, or overwrites the values of keys it already has.
///
/// ```
/// use kinesis_proto::ops::AddTagsToStream;
/// let op = AddTagsToStream::new("orders").with_tag("team", "payments").with_tag("env", "prod");
/// assert_eq!(op.tags.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AddTagsToStream {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The tags to set (1–50).
    pub tags: TagSet,
}

impl AddTagsToStream {
    /// Tags the stream `stream` (a name, or a [`StreamRef::arn`]); add tags with [`Self::with_tag`].
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        AddTagsToStream {
            stream: stream.into(),
            tags: TagSet::new(),
        }
    }

    /// Sets the tag `key` to `value`.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key, value);
        self
    }
}

with_stream_arn!(AddTagsToStream);

operation! {
    AddTagsToStream: Control -> Empty,
    validate(op) {
        op.stream.validate()?;
        op.tags.validate("Tags", true)
    },
    resource_arn(op) { op.stream.as_arn() },
}

/// Removes tags from a stream by key.
///
/// ```
/// use kinesis_proto::ops::RemoveTagsFromStream;
/// let op = RemoveTagsFromStream::new("orders", ["team", "env"]);
/// assert_eq!(op.tag_keys, ["team", "env"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RemoveTagsFromStream {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// The keys to remove (1–50).
    pub tag_keys: Vec<String>,
}

impl RemoveTagsFromStream {
    /// Removes `tag_keys` from the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new<K: Into<String>>(
        stream: impl Into<StreamRef>,
        tag_keys: impl IntoIterator<Item = K>,
    ) -> Self {
        RemoveTagsFromStream {
            stream: stream.into(),
            tag_keys: tag_keys.into_iter().map(Into::into).collect(),
        }
    }
}

with_stream_arn!(RemoveTagsFromStream);

operation! {
    RemoveTagsFromStream: Control -> Empty,
    validate(op) {
        op.stream.validate()?;
        validate::tag_keys_to_remove("TagKeys", op.tag_keys.iter().map(String::as_str))
    },
    resource_arn(op) { op.stream.as_arn() },
}

/// Lists a stream's tags, a page at a time (see [`Paginated`]: the next page
/// starts after the last key of this one while `HasMoreTags` is true).
///
/// ```
/// use kinesis_proto::ops::{ListTagsForStream, ListTagsForStreamOutput};
/// use kinesis_proto::Paginated;
/// let first = ListTagsForStream::new("orders").with_limit(2);
/// let page: ListTagsForStreamOutput = serde_json::from_str(
///     r#"{"Tags":[{"Key":"a","Value":"1"},{"Key":"b"}],"HasMoreTags":true}"#,
/// ).unwrap();
/// assert_eq!(first.next_page(&page).unwrap().exclusive_start_tag_key.as_deref(), Some("b"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListTagsForStream {
    /// The stream, by name or ARN.
    #[serde(flatten)]
    pub stream: StreamRef,
    /// List the tags whose keys come after this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_start_tag_key: Option<String>,
    /// Most tags per page (1–50, default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl ListTagsForStream {
    /// Lists the tags of the stream `stream` (a name, or a [`StreamRef::arn`]).
    pub fn new(stream: impl Into<StreamRef>) -> Self {
        ListTagsForStream {
            stream: stream.into(),
            exclusive_start_tag_key: None,
            limit: None,
        }
    }

    /// Returns at most `limit` tags per page.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after the tag key `key`.
    pub fn with_exclusive_start_tag_key(mut self, key: impl Into<String>) -> Self {
        self.exclusive_start_tag_key = Some(key.into());
        self
    }
}

/// The answer to [`ListTagsForStream`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListTagsForStreamOutput {
    /// The tags on this page.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub tags: Vec<Tag>,
    /// Whether more tags follow.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub has_more_tags: bool,
}

with_stream_arn!(ListTagsForStream);

operation! {
    ListTagsForStream: Control -> ListTagsForStreamOutput,
    validate(op) {
        op.stream.validate()?;
        if let Some(key) = &op.exclusive_start_tag_key {
            validate::char_length("ExclusiveStartTagKey", key, 1, MAX_TAG_KEY_CHARS)?;
        }
        if let Some(limit) = op.limit {
            validate::range("Limit", limit, 1, MAX_LIST_TAGS_LIMIT)?;
        }
        Ok(())
    },
    resource_arn(op) { op.stream.as_arn() },
}

impl Paginated for ListTagsForStream {
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        if !output.has_more_tags {
            return None;
        }
        // A page that says "more" but carries no key cannot be continued
        // without looping on the same page.
        let last = output.tags.last()?;
        Some(ListTagsForStream {
            exclusive_start_tag_key: Some(last.key.clone()),
            ..self.clone()
        })
    }
}

/// Adds tags to any Kinesis resource (stream, consumer…) by ARN.
///
/// ```
/// use kinesis_proto::ops::TagResource;
/// let op = TagResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders").with_tag("team", "payments");
/// assert_eq!(op.tags["team"], "payments");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TagResource {
    /// The resource to tag.
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    /// The tags to set (1–50).
    pub tags: TagSet,
}

impl TagResource {
    /// Tags the resource `resource_arn`; add tags with [`Self::with_tag`].
    pub fn new(resource_arn: impl Into<String>) -> Self {
        TagResource {
            resource_arn: resource_arn.into(),
            tags: TagSet::new(),
        }
    }

    /// Sets the tag `key` to `value`.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key, value);
        self
    }
}

operation! {
    TagResource: Control -> Empty,
    validate(op) {
        validate::resource_arn("ResourceARN", &op.resource_arn)?;
        op.tags.validate("Tags", true)
    },
    resource_arn(op) { Some(&op.resource_arn) },
}

/// Removes tags from any Kinesis resource by ARN.
///
/// ```
/// use kinesis_proto::ops::UntagResource;
/// let op = UntagResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders", ["team"]);
/// assert_eq!(op.tag_keys, ["team"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UntagResource {
    /// The resource to untag.
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    /// The keys to remove (1–50).
    pub tag_keys: Vec<String>,
}

impl UntagResource {
    /// Removes `tag_keys` from `resource_arn`.
    pub fn new<K: Into<String>>(
        resource_arn: impl Into<String>,
        tag_keys: impl IntoIterator<Item = K>,
    ) -> Self {
        UntagResource {
            resource_arn: resource_arn.into(),
            tag_keys: tag_keys.into_iter().map(Into::into).collect(),
        }
    }
}

operation! {
    UntagResource: Control -> Empty,
    validate(op) {
        validate::resource_arn("ResourceARN", &op.resource_arn)?;
        validate::tag_keys_to_remove("TagKeys", op.tag_keys.iter().map(String::as_str))
    },
    resource_arn(op) { Some(&op.resource_arn) },
}

/// Lists every tag of any Kinesis resource by ARN (one answer, not paginated).
///
/// ```
/// let op = kinesis_proto::ops::ListTagsForResource::new("arn:aws:kinesis:us-east-1:123456789012:stream/orders");
/// assert!(op.resource_arn.ends_with("/orders"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListTagsForResource {
    /// The resource whose tags to list.
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
}

impl ListTagsForResource {
    /// Lists the tags of `resource_arn`.
    pub fn new(resource_arn: impl Into<String>) -> Self {
        ListTagsForResource {
            resource_arn: resource_arn.into(),
        }
    }
}

/// The answer to [`ListTagsForResource`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListTagsForResourceOutput {
    /// The resource's tags.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub tags: Vec<Tag>,
}

operation! {
    ListTagsForResource: Control -> ListTagsForResourceOutput,
    validate(op) { validate::resource_arn("ResourceARN", &op.resource_arn) },
    resource_arn(op) { Some(&op.resource_arn) },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::Operation;
    use crate::ops::test_support::{field_of, json_body as body, STREAM};
    use serde_json::json;

    #[test]
    fn add_and_remove_serialize_by_name_or_arn() {
        let add = AddTagsToStream::new("orders")
            .with_tag("env", "prod")
            .with_tag("team", "pay");
        assert_eq!(
            body(&add),
            json!({"StreamName": "orders", "Tags": {"env": "prod", "team": "pay"}})
        );
        assert_eq!(add.resource_arn(), None);
        let add = AddTagsToStream::new("orders")
            .with_stream_arn(STREAM)
            .with_tag("env", "prod");
        assert_eq!(
            body(&add),
            json!({"StreamARN": STREAM, "Tags": {"env": "prod"}})
        );
        assert_eq!(add.resource_arn(), Some(STREAM));
        assert_eq!(
            body(&RemoveTagsFromStream::new("orders", ["env"]).with_stream_arn(STREAM)),
            json!({"StreamARN": STREAM, "TagKeys": ["env"]})
        );
    }

    #[test]
    fn tag_validation() {
        assert_eq!(field_of(&AddTagsToStream::new("orders")), "Tags");
        let not_a_stream = AddTagsToStream::new(StreamRef::arn(
            "arn:aws:kinesis:us-east-1:123456789012:queue/q",
        ))
        .with_tag("a", "b");
        assert_eq!(field_of(&not_a_stream), "StreamARN");
        let mut many = AddTagsToStream::new("orders");
        for i in 0..51 {
            many = many.with_tag(format!("k{i}"), "v");
        }
        assert_eq!(field_of(&many), "Tags");
        assert!(field_of(&AddTagsToStream::new("orders").with_tag("", "v")).starts_with("Tags["));
        assert_eq!(
            field_of(&RemoveTagsFromStream::new("orders", Vec::<String>::new())),
            "TagKeys"
        );
        assert_eq!(field_of(&UntagResource::new(STREAM, [""])), "TagKeys[0]");
        assert_eq!(
            field_of(&TagResource::new("orders").with_tag("a", "b")),
            "ResourceARN"
        );
        assert_eq!(field_of(&TagResource::new(STREAM)), "Tags");
        assert_eq!(
            field_of(&ListTagsForStream::new("orders").with_limit(51)),
            "Limit"
        );
        assert_eq!(
            field_of(&ListTagsForStream::new("orders").with_limit(0)),
            "Limit"
        );
        assert!(ListTagsForStream::new("orders")
            .with_limit(50)
            .validate(&Limits::default())
            .is_ok());
        assert_eq!(
            field_of(&ListTagsForResource::new("arn:aws:s3:::bucket")),
            "ResourceARN"
        );
    }

    #[test]
    fn list_tags_for_stream_pages_by_last_key() {
        let first = ListTagsForStream::new("orders")
            .with_stream_arn(STREAM)
            .with_limit(2);
        assert_eq!(body(&first), json!({"StreamARN": STREAM, "Limit": 2}));
        let page: ListTagsForStreamOutput = serde_json::from_str(
            r#"{"Tags":[{"Key":"env","Value":"prod"},{"Key":"owner"}],"HasMoreTags":true}"#,
        )
        .unwrap();
        assert_eq!(
            page.tags[1],
            Tag {
                key: "owner".into(),
                value: None
            }
        );
        let second = first.next_page(&page).unwrap();
        assert_eq!(
            body(&second),
            json!({"StreamARN": STREAM, "Limit": 2, "ExclusiveStartTagKey": "owner"})
        );
        let done: ListTagsForStreamOutput =
            serde_json::from_str(r#"{"Tags":[{"Key":"z","Value":"1"}],"HasMoreTags":false}"#)
                .unwrap();
        assert!(second.next_page(&done).is_none());
        let stuck: ListTagsForStreamOutput =
            serde_json::from_str(r#"{"Tags":[],"HasMoreTags":true}"#).unwrap();
        assert!(second.next_page(&stuck).is_none());
    }

    /// Queues and channels are tagged by ARN like streams and consumers.
    #[test]
    fn every_kinesis_resource_takes_tags() {
        let limits = Limits::default();
        for arn in [
            STREAM,
            crate::ops::test_support::CONSUMER,
            "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c",
            "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c",
            "arn:aws:kinesis:us-east-1:123456789012:channel/c-1",
        ] {
            assert!(
                TagResource::new(arn)
                    .with_tag("a", "b")
                    .validate(&limits)
                    .is_ok(),
                "{arn}"
            );
            assert!(
                UntagResource::new(arn, ["a"]).validate(&limits).is_ok(),
                "{arn}"
            );
            assert!(
                ListTagsForResource::new(arn).validate(&limits).is_ok(),
                "{arn}"
            );
        }
    }

    #[test]
    fn resource_tags_round_trip() {
        let op = TagResource::new(STREAM).with_tag("team", "pay");
        assert_eq!(
            body(&op),
            json!({"ResourceARN": STREAM, "Tags": {"team": "pay"}})
        );
        assert_eq!(op.resource_arn(), Some(STREAM));
        assert_eq!(
            body(&UntagResource::new(STREAM, ["team", "env"])),
            json!({"ResourceARN": STREAM, "TagKeys": ["team", "env"]})
        );
        assert_eq!(
            body(&ListTagsForResource::new(STREAM)),
            json!({"ResourceARN": STREAM})
        );
        let out: ListTagsForResourceOutput =
            serde_json::from_str(r#"{"Tags":[{"Key":"team","Value":"pay"}]}"#).unwrap();
        assert_eq!(out.tags, vec![Tag::new("team", "pay")]);
        let none: ListTagsForResourceOutput = serde_json::from_str("{}").unwrap();
        assert!(none.tags.is_empty());
    }
}
