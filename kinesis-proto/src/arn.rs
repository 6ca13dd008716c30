//! Amazon Resource Names: `arn:partition:service:region:account-id:resource`.
//!
//! The parser follows the AWS endpoint rules' `aws.parseArn`: six
//! `:`-separated components, the first `arn`, partition, service and
//! resource not empty, region and account id possibly empty. The resource
//! keeps any further `:` (a consumer ARN ends in `:1525898737`).

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
