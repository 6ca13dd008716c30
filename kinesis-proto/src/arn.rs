//! Amazon Resource Names: `arn:partition:service:region:account-id:resource`.
//!
//! The parser follows the AWS endpoint rules' `aws.parseArn`: six
//! `:`-separated components, the first `arn`, partition, service and
//! resource not empty, region and account id possibly empty. The resource
//! keeps any further `:` (a consumer ARN ends in `:1525898737`).
//!
//! [`KinesisArn::parse`] goes one step further for the ARNs Kinesis hands
//! out: it checks their structure (partition, the `kinesis` service, region,
//! account id, resource type and id) and says which kind of resource the
//! ARN names. It checks structure only, not the finer patterns of the
//! service model that no AWS SDK enforces: a consumer ARN without its
//! `:{creation-epoch}` suffix, as some Kinesis-compatible servers issue them,
//! is a consumer ARN.

use std::fmt;
use std::str::FromStr;

/// A parsed ARN.
///
/// ```
/// use kinesis_proto::arn::Arn;
/// let arn: Arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders".parse().unwrap();
/// assert_eq!(arn.partition, "aws");
/// assert_eq!(arn.account_id, "123456789012");
/// assert_eq!(arn.resource_type(), "stream");
/// assert_eq!(arn.to_string(), "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`…
    pub partition: String,
    /// `kinesis` for every Kinesis resource.
    pub service: String,
    /// The resource's region (may be empty in general ARNs).
    pub region: String,
    /// The owning account (may be empty in general ARNs).
    pub account_id: String,
    /// Everything after the fifth `:`, e.g. `stream/orders` or
    /// `stream/orders/consumer/app:1525898737`.
    pub resource: String,
}

/// Why a string is not an ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArnError {
    /// Fewer than six `:`-separated components.
    TooFewComponents,
    /// The first component is not `arn`.
    NotArn,
    /// The partition is empty.
    EmptyPartition,
    /// The service is empty.
    EmptyService,
    /// The resource is empty.
    EmptyResource,
    /// Longer than the 2048 characters the service takes.
    TooLong,
    /// Whitespace or a control character somewhere in the ARN (the region
    /// and account id become part of a host name).
    InvalidCharacter,
    /// The partition is not a lowercase name such as `aws` or `aws-cn`.
    BadPartition,
    /// The service is not `kinesis`.
    NotKinesis,
    /// The region is empty or not a lowercase name such as `us-east-1`.
    BadRegion,
    /// The account id is not 12 digits.
    BadAccountId,
    /// The resource type is not `stream`, `queue` or `channel`, or a
    /// stream's sub-resource is not `consumer`.
    UnknownResourceType,
    /// The resource type has no id after it (`stream/`, `queue/`,
    /// `stream/s/consumer/`).
    EmptyResourceId,
}

impl fmt::Display for ArnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArnError::TooFewComponents => {
                "an ARN has six components: arn:partition:service:region:account-id:resource"
            }
            ArnError::NotArn => "an ARN starts with `arn:`",
            ArnError::EmptyPartition => "the ARN's partition is empty",
            ArnError::EmptyService => "the ARN's service is empty",
            ArnError::EmptyResource => "the ARN's resource is empty",
            ArnError::TooLong => "an ARN is at most 2048 characters",
            ArnError::InvalidCharacter => "an ARN holds no whitespace or control characters",
            ArnError::BadPartition => "the ARN's partition is not a partition name (aws, aws-cn…)",
            ArnError::NotKinesis => "the ARN's service is not kinesis",
            ArnError::BadRegion => "the ARN's region is not a region name (us-east-1…)",
            ArnError::BadAccountId => "the ARN's account id is not 12 digits",
            ArnError::UnknownResourceType => {
                "the ARN names no Kinesis resource type (stream/…, stream/…/consumer/…, queue/…, channel/…)"
            }
            ArnError::EmptyResourceId => "the ARN's resource type has no id after it",
        })
    }
}

impl std::error::Error for ArnError {}

/// The components of an ARN, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArnRef<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account_id: &'a str,
    pub(crate) resource: &'a str,
}

impl<'a> ArnRef<'a> {
    /// Splits `text` into its components without copying.
    pub(crate) fn parse(text: &'a str) -> Result<Self, ArnError> {
        let mut parts = text.splitn(6, ':');
        let mut next = || parts.next().ok_or(ArnError::TooFewComponents);
        let (prefix, partition, service, region, account_id, resource) =
            (next()?, next()?, next()?, next()?, next()?, next()?);
        if prefix != "arn" {
            return Err(ArnError::NotArn);
        }
        if partition.is_empty() {
            return Err(ArnError::EmptyPartition);
        }
        if service.is_empty() {
            return Err(ArnError::EmptyService);
        }
        if resource.is_empty() {
            return Err(ArnError::EmptyResource);
        }
        Ok(ArnRef {
            partition,
            service,
            region,
            account_id,
            resource,
        })
    }

    /// The resource split on `/` and `:`.
    pub(crate) fn resource_parts(&self) -> impl Iterator<Item = &'a str> {
        self.resource.split(['/', ':'])
    }
}

impl Arn {
    /// Parses `text`; the same as `text.parse::<Arn>()`.
    ///
    /// ```
    /// use kinesis_proto::arn::{Arn, ArnError};
    /// assert_eq!(Arn::parse("arn::kinesis:us-east-1:1:stream/s"), Err(ArnError::EmptyPartition));
    /// ```
    pub fn parse(text: &str) -> Result<Arn, ArnError> {
        let r = ArnRef::parse(text)?;
        Ok(Arn {
            partition: r.partition.to_owned(),
            service: r.service.to_owned(),
            region: r.region.to_owned(),
            account_id: r.account_id.to_owned(),
            resource: r.resource.to_owned(),
        })
    }

    /// The resource split on `/` and `:`:
    /// `stream/s/consumer/c:1` gives `stream`, `s`, `consumer`, `c`, `1`.
    pub fn resource_parts(&self) -> impl Iterator<Item = &str> {
        self.resource.split(['/', ':'])
    }

    /// The first resource part (`stream`, `channel`…).
    pub fn resource_type(&self) -> &str {
        self.resource_parts().next().unwrap_or_default()
    }
}

/// What a Kinesis ARN names, borrowed from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KinesisResource<'a> {
    /// `stream/{name}`.
    Stream {
        /// The stream's name.
        name: &'a str,
    },
    /// `stream/{stream}/consumer/{name}`, usually followed by
    /// `:{creation-epoch}`.
    Consumer {
        /// The name of the consumer's stream.
        stream: &'a str,
        /// The consumer's name.
        name: &'a str,
        /// What follows the name after a `:` (the registration time in
        /// epoch seconds), when present.
        creation: Option<&'a str>,
    },
    /// `queue/{id}`.
    Queue {
        /// The queue's id (a host label of its endpoint).
        id: &'a str,
    },
    /// `channel/{id}`.
    Channel {
        /// The channel's id.
        id: &'a str,
    },
}

impl KinesisResource<'_> {
    /// The resource type as the ARN spells it, with `consumer` for a
    /// stream's consumer.
    pub fn kind(&self) -> &'static str {
        match self {
            KinesisResource::Stream { .. } => "stream",
            KinesisResource::Consumer { .. } => "consumer",
            KinesisResource::Queue { .. } => "queue",
            KinesisResource::Channel { .. } => "channel",
        }
    }
}

/// A Kinesis ARN checked for structure, borrowed from its text: the one
/// parser every ARN member of the Kinesis inputs goes through.
///
/// ```
/// use kinesis_proto::arn::{ArnError, KinesisArn, KinesisResource};
/// let queue = KinesisArn::parse("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c").unwrap();
/// assert_eq!(queue.resource, KinesisResource::Queue { id: "q-1a2b3c" });
/// // A consumer ARN without its creation time is still a consumer ARN:
/// let consumer = KinesisArn::parse("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c").unwrap();
/// assert_eq!(consumer.resource.kind(), "consumer");
/// assert_eq!(
///     KinesisArn::parse("arn:aws:sqs:us-east-1:123456789012:queue/q"),
///     Err(ArnError::NotKinesis)
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KinesisArn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`…
    pub partition: &'a str,
    /// The resource's region.
    pub region: &'a str,
    /// The owning account: 12 digits.
    pub account_id: &'a str,
    /// What the ARN names.
    pub resource: KinesisResource<'a>,
}

/// Longest ARN the service takes, in characters (bytes bound it from above).
const MAX_ARN_CHARS: usize = crate::limits::MAX_ARN_CHARS;

/// A lowercase name of letters, digits and `-`, neither starting nor ending
/// with `-`: what partitions and regions are, and what a host label takes.
fn is_lower_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl<'a> KinesisArn<'a> {
    /// Parses `text` as the ARN of a Kinesis stream, consumer, queue or
    /// channel.
    pub fn parse(text: &'a str) -> Result<Self, ArnError> {
        if text.len() > MAX_ARN_CHARS && text.chars().count() > MAX_ARN_CHARS {
            return Err(ArnError::TooLong);
        }
        let arn = ArnRef::parse(text)?;
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ArnError::InvalidCharacter);
        }
        if !is_lower_label(arn.partition) {
            return Err(ArnError::BadPartition);
        }
        if arn.service != "kinesis" {
            return Err(ArnError::NotKinesis);
        }
        if !is_lower_label(arn.region) {
            return Err(ArnError::BadRegion);
        }
        if arn.account_id.len() != 12 || !arn.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ArnError::BadAccountId);
        }
        Ok(KinesisArn {
            partition: arn.partition,
            region: arn.region,
            account_id: arn.account_id,
            resource: Self::resource(arn.resource)?,
        })
    }

    /// Splits the resource part: `{type}/{id}` or
    /// `stream/{stream}/consumer/{name}[:{creation}]`.
    fn resource(resource: &'a str) -> Result<KinesisResource<'a>, ArnError> {
        let (kind, rest) = resource
            .split_once('/')
            .ok_or(ArnError::UnknownResourceType)?;
        let id = |text: &'a str| {
            if text.is_empty() {
                Err(ArnError::EmptyResourceId)
            } else {
                Ok(text)
            }
        };
        match kind {
            "stream" => match rest.split_once('/') {
                None => Ok(KinesisResource::Stream { name: id(rest)? }),
                Some((stream, sub)) => {
                    let (sub_kind, consumer) =
                        sub.split_once('/').ok_or(ArnError::UnknownResourceType)?;
                    if sub_kind != "consumer" {
                        return Err(ArnError::UnknownResourceType);
                    }
                    let (name, creation) = match consumer.split_once(':') {
                        Some((name, creation)) => (name, Some(id(creation)?)),
                        None => (consumer, None),
                    };
                    if name.contains('/') {
                        return Err(ArnError::UnknownResourceType);
                    }
                    Ok(KinesisResource::Consumer {
                        stream: id(stream)?,
                        name: id(name)?,
                        creation,
                    })
                }
            },
            "queue" => Ok(KinesisResource::Queue { id: id(rest)? }),
            "channel" => Ok(KinesisResource::Channel { id: id(rest)? }),
            _ => Err(ArnError::UnknownResourceType),
        }
    }
}

impl FromStr for Arn {
    type Err = ArnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Arn::parse(s)
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account_id, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stream_and_consumer_arns() {
        let a = Arn::parse("arn:aws:kinesis:us-east-1:123456789012:stream/s").expect("valid");
        assert_eq!(
            a,
            Arn {
                partition: "aws".into(),
                service: "kinesis".into(),
                region: "us-east-1".into(),
                account_id: "123456789012".into(),
                resource: "stream/s".into(),
            }
        );
        let c = Arn::parse("arn:aws-cn:kinesis:cn-north-1:1:stream/s/consumer/app:1525898737")
            .expect("valid");
        assert_eq!(c.partition, "aws-cn");
        assert_eq!(c.resource, "stream/s/consumer/app:1525898737");
        assert_eq!(
            c.resource_parts().collect::<Vec<_>>(),
            ["stream", "s", "consumer", "app", "1525898737"]
        );
        assert_eq!(c.resource_type(), "stream");
    }

    #[test]
    fn region_and_account_may_be_empty() {
        let a = Arn::parse("arn:aws:iam:::role/x").expect("valid");
        assert_eq!(a.region, "");
        assert_eq!(a.account_id, "");
        assert_eq!(a.to_string(), "arn:aws:iam:::role/x");
    }

    #[test]
    fn one_error_per_variant() {
        let cases = [
            ("arn", ArnError::TooFewComponents),
            ("", ArnError::TooFewComponents),
            ("arn:aws:kinesis:us-east-1:1", ArnError::TooFewComponents),
            ("urn:aws:kinesis:us-east-1:1:stream/s", ArnError::NotArn),
            ("ARN:aws:kinesis:us-east-1:1:stream/s", ArnError::NotArn),
            (
                "arn::kinesis:us-west-2:1:stream/s",
                ArnError::EmptyPartition,
            ),
            ("arn:aws::us-west-2:1:stream/s", ArnError::EmptyService),
            ("arn:aws:kinesis:us-west-2:1:", ArnError::EmptyResource),
        ];
        for (text, want) in cases {
            assert_eq!(Arn::parse(text), Err(want), "{text:?}");
            assert_eq!(text.parse::<Arn>(), Err(want), "{text:?}");
        }
    }

    #[test]
    fn kinesis_arns_by_kind() {
        let parse = |text| KinesisArn::parse(text).map(|a| a.resource);
        assert_eq!(
            parse("arn:aws:kinesis:us-east-1:123456789012:stream/s"),
            Ok(KinesisResource::Stream { name: "s" })
        );
        assert_eq!(
            parse("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s/consumer/c:1525898737"),
            Ok(KinesisResource::Consumer {
                stream: "s",
                name: "c",
                creation: Some("1525898737")
            })
        );
        assert_eq!(
            parse("arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c"),
            Ok(KinesisResource::Queue { id: "q-1a2b3c" })
        );
        assert_eq!(
            parse("arn:aws:kinesis:us-east-1:298091445058:channel/apu0zt8ge6utbndxe"),
            Ok(KinesisResource::Channel {
                id: "apu0zt8ge6utbndxe"
            })
        );
        let full = KinesisArn::parse("arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/s")
            .expect("valid");
        assert_eq!(
            (full.partition, full.region, full.account_id),
            ("aws-us-gov", "us-gov-west-1", "123456789012")
        );
    }

    /// Some servers hand out consumer ARNs without the `:{creation-epoch}`
    /// suffix; the structure is a consumer's all the same.
    #[test]
    fn consumer_arns_without_creation_time() {
        assert_eq!(
            KinesisArn::parse("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c")
                .map(|a| a.resource),
            Ok(KinesisResource::Consumer {
                stream: "s",
                name: "c",
                creation: None
            })
        );
    }

    #[test]
    fn one_kinesis_error_per_variant() {
        let long = format!(
            "arn:aws:kinesis:us-east-1:123456789012:stream/{}",
            "s".repeat(2048)
        );
        let cases = [
            (long.as_str(), ArnError::TooLong),
            (
                "arn:aws:kinesis:us-east-1:123456789012",
                ArnError::TooFewComponents,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/a b",
                ArnError::InvalidCharacter,
            ),
            (
                "arn:aws:kinesis:us-east-1\r\n:123456789012:stream/s",
                ArnError::InvalidCharacter,
            ),
            (
                "arn:AWS:kinesis:us-east-1:123456789012:stream/s",
                ArnError::BadPartition,
            ),
            (
                "arn:aws:sqs:us-east-1:123456789012:queue/q",
                ArnError::NotKinesis,
            ),
            (
                "arn:aws:kinesis::123456789012:stream/s",
                ArnError::BadRegion,
            ),
            (
                "arn:aws:kinesis:us.east:123456789012:stream/s",
                ArnError::BadRegion,
            ),
            (
                "arn:aws:kinesis:us-east-1:12345:stream/s",
                ArnError::BadAccountId,
            ),
            (
                "arn:aws:kinesis:us-east-1:12345678901x:stream/s",
                ArnError::BadAccountId,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:table/t",
                ArnError::UnknownResourceType,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream",
                ArnError::UnknownResourceType,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/s/shard/x",
                ArnError::UnknownResourceType,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer",
                ArnError::UnknownResourceType,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/",
                ArnError::EmptyResourceId,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:queue/",
                ArnError::EmptyResourceId,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/",
                ArnError::EmptyResourceId,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream//consumer/c",
                ArnError::EmptyResourceId,
            ),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:",
                ArnError::EmptyResourceId,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(KinesisArn::parse(text), Err(want), "{text:?}");
            assert!(!want.to_string().is_empty());
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "arn:aws:kinesis:us-east-1:123:stream/a",
            "arn:aws-us-gov:kinesis:us-gov-west-1:1:stream/a/consumer/b:2",
            "arn:aws:kinesis:us-east-1:298091445058:channel/apu0zt8ge6utbndxe",
        ] {
            assert_eq!(Arn::parse(text).expect("valid").to_string(), text);
        }
    }
}
