//! Endpoint resolution: region, partition, FIPS, dual-stack, account- and
//! resource-scoped hosts from ARNs, queue hosts, and custom endpoints.
//!
//! This follows the Kinesis endpoint rule set of the AWS SDKs (botocore
//! 1.44.5's `endpoint-rule-set-1.json`), with the partitions of that
//! version's `partitions.json`, checked in beside this module:
//!
//! | input | host |
//! |---|---|
//! | region `r` | `kinesis.r.amazonaws.com` (`.amazonaws.com.cn` in China, …) |
//! | FIPS | `kinesis-fips.r.amazonaws.com` (GovCloud: `kinesis.r.amazonaws.com`, FIPS already) |
//! | dual-stack | `kinesis.r.api.aws` (China: `api.amazonwebservices.com.cn`, aws-iso: `api.aws.ic.gov`, …) |
//! | FIPS + dual-stack | `kinesis-fips.r.api.aws` |
//! | a stream or consumer ARN of account `a` | `a.data-kinesis.r…` (data plane), `a.control-kinesis.r…` (others) |
//! | a channel ARN `…:channel/c` | `c.control-kinesis.r…` (control plane only) |
//! | a queue operation without an ARN (CreateQueue, ListQueues) | `kinesis-queues.r…` (`kinesis-queues-fips.r…`) |
//! | a queue ARN `…:queue/q` (queue operations, tag operations) | `q.data-kinesis-queues.r…` (data plane), `q.control-kinesis-queues.r…` (others) |
//! | a custom endpoint | exactly that, whatever else is set |
//!
//! Which operations are queue operations ([`Family::Queues`]) and which
//! are data-plane ([`Plane::Data`]) each operation says
//! ([`Operation::FAMILY`](crate::Operation::FAMILY),
//! [`Operation::PLANE`](crate::Operation::PLANE)), as the service model's
//! `ResourceType` and `OperationType` do.
//!
//! The host always uses the client's region; an ARN's own region is only
//! checked to be well formed (as the SDKs do), and its partition must be the
//! client region's partition. The isolated partitions `aws-iso` and
//! `aws-iso-b` have no resource-scoped hosts: ARNs there resolve to the
//! regional host (`kinesis…`, or `kinesis-queues…` for a queue ARN).
//! Requests are always signed for the client's region.
//!
//! ```
//! use kinesis_proto::{endpoint, Config, Plane};
//! let config = Config::new("eu-west-1");
//! let arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders";
//! let e = endpoint::resolve(&config, Plane::Data, Some(arn)).unwrap();
//! assert_eq!(e.uri, "https://123456789012.data-kinesis.eu-west-1.amazonaws.com/");
//! assert_eq!(e.signing_region, "eu-west-1");
//! let e = endpoint::resolve(&config.with_fips(true), Plane::Control, None).unwrap();
//! assert_eq!(e.uri, "https://kinesis-fips.eu-west-1.amazonaws.com/");
//! ```

use http::header::HeaderValue;

mod partition;

use self::partition::Partition;
use crate::arn::ArnRef;
use crate::config::Config;
use crate::error::UsageError;
use crate::operation::{Family, Plane};

/// Where one request goes and which region it is signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The request URI (path `/`, or a custom endpoint's own path).
    pub uri: http::Uri,
    /// The region of the signing scope.
    pub signing_region: String,
}

impl Endpoint {
    /// The `Host` header for this endpoint: the host, with the port when
    /// it is not the scheme's default.
    ///
    /// ```
    /// use kinesis_proto::endpoint::Endpoint;
    /// let e = Endpoint { uri: "http://127.0.0.1:4567/".parse().unwrap(), signing_region: "us-east-1".into() };
    /// assert_eq!(e.host_header().unwrap(), "127.0.0.1:4567");
    /// let e = Endpoint { uri: "https://example.com:443/".parse().unwrap(), signing_region: "us-east-1".into() };
    /// assert_eq!(e.host_header().unwrap(), "example.com");
    /// ```
    pub fn host_header(&self) -> Result<HeaderValue, UsageError> {
        let authority = self
            .uri
            .authority()
            .ok_or_else(|| UsageError::new("endpoint", "has no host"))?;
        let default_port = match self.uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        };
        let text = match authority.port_u16() {
            Some(port) if Some(port) == default_port => authority.host(),
            _ => authority.as_str(),
        };
        HeaderValue::from_str(text)
            .map_err(|_| UsageError::new("endpoint", "host is not a header value"))
    }
}

/// Whether `label` is one DNS label: 1–63 ASCII letters, digits or `-`,
/// starting with a letter or digit.
fn is_host_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label.as_bytes()[0].is_ascii_alphanumeric()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Checks that `region` can name a region: one lower-case host label.
///
/// ```
/// use kinesis_proto::endpoint::validate_region;
/// assert!(validate_region("eu-central-1").is_ok());
/// assert_eq!(validate_region("").unwrap_err().field, "region");
/// assert!(validate_region("us-east-1.evil.com").is_err());
/// ```
pub fn validate_region(region: &str) -> Result<(), UsageError> {
    if region.is_empty() {
        return Err(UsageError::new(
            "region",
            "is empty; set one such as us-east-1 (AWS_REGION, a profile's `region`, or Config::new)",
        ));
    }
    if !is_host_label(region) {
        return Err(UsageError::new(
            "region",
            format!(
                "{region:?} is not a region name: 1-63 letters, digits and '-', starting with a letter or digit"
            ),
        ));
    }
    if region.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(UsageError::new(
            "region",
            format!(
                "{region:?} has upper-case letters; region names are lower case ({:?})",
                region.to_ascii_lowercase()
            ),
        ));
    }
    Ok(())
}

/// The input field an ARN most likely came from, for error messages.
fn arn_field(arn: &str, family: Family) -> &'static str {
    if family == Family::Queues {
        "QueueARN"
    } else if arn.contains(":stream/") && arn.contains("/consumer/") {
        "ConsumerARN"
    } else if arn.contains(":stream/") {
        "StreamARN"
    } else if arn.contains(":channel") {
        "ChannelARN"
    } else {
        "ResourceARN"
    }
}

/// The resource-scoped host an ARN selects: its first label (the account
/// for stream and consumer ARNs, the channel or queue id otherwise) and
/// the service part of the host (`kinesis` or `kinesis-queues`).
struct ResourceHost<'a> {
    label: &'a str,
    service: &'static str,
}

/// Checks `arn_text` as the rule set does and says which host it selects.
fn resource_host<'a>(
    arn_text: &'a str,
    plane: Plane,
    family: Family,
    partition: &Partition,
) -> Result<ResourceHost<'a>, UsageError> {
    let field = arn_field(arn_text, family);
    let bad = |problem: String| UsageError::new(field, problem);
    let arn =
        ArnRef::parse(arn_text).map_err(|e| bad(format!("{arn_text:?} is not an ARN: {e}")))?;
    if !is_host_label(arn.account_id) {
        return Err(bad(format!(
            "{arn_text:?} has an invalid account id {:?}",
            arn.account_id
        )));
    }
    if !is_host_label(arn.region) {
        return Err(bad(format!(
            "{arn_text:?} has an invalid region {:?}",
            arn.region
        )));
    }
    if arn.service != "kinesis" {
        return Err(bad(format!(
            "{arn_text:?} is not a Kinesis ARN (service {:?})",
            arn.service
        )));
    }
    let mut parts = arn.resource_parts();
    let kind = parts.next().unwrap_or_default();
    // The id a channel or queue ARN puts first in the host.
    let mut id = |what: &str| {
        let id = parts.next().unwrap_or_default();
        if id.is_empty() {
            return Err(bad(format!("{arn_text:?} has no {what} id")));
        }
        if !is_host_label(id) {
            return Err(bad(format!(
                "{arn_text:?} has {what} id {id:?}, which is not one DNS label"
            )));
        }
        Ok(id)
    };
    let host = match kind {
        "" => return Err(bad(format!("{arn_text:?} names no resource type"))),
        "queue" => ResourceHost {
            label: id("queue")?,
            service: "kinesis-queues",
        },
        other if family == Family::Queues => {
            return Err(bad(format!(
                "{arn_text:?} has resource type {other:?}; queue operations take a queue ARN"
            )))
        }
        "stream" => ResourceHost {
            label: arn.account_id,
            service: "kinesis",
        },
        "channel" => {
            let label = id("channel")?;
            if plane == Plane::Data {
                return Err(bad(format!(
                    "{arn_text:?} is a channel ARN, which data-plane operations do not take"
                )));
            }
            ResourceHost {
                label,
                service: "kinesis",
            }
        }
        other => {
            return Err(bad(format!(
                "{arn_text:?} has resource type {other:?}; Kinesis ARNs name a stream, consumer, channel or queue"
            )))
        }
    };
    if arn.partition != partition.name {
        return Err(bad(format!(
            "{arn_text:?} is in partition {:?} but the client's region is in {:?}",
            arn.partition, partition.name
        )));
    }
    Ok(host)
}

/// Whether an ARN the rule set does not check in `aws-iso` and `aws-iso-b`
/// (where stream, consumer and channel ARNs select the regional host) is
/// one it does: a queue ARN, or any ARN a queue operation names.
fn checked_without_resource_hosts(arn: &str, family: Family) -> bool {
    family == Family::Queues
        || ArnRef::parse(arn).is_ok_and(|a| a.resource_parts().next() == Some("queue"))
}

/// The host of a request to `region` in `partition`: `service` (`kinesis`
/// or `kinesis-queues`), regional or resource-scoped.
fn host(
    region: &str,
    partition: &Partition,
    service: &str,
    resource: Option<(&str, Plane)>,
    fips: bool,
    dual_stack: bool,
) -> Result<String, UsageError> {
    let unsupported = |what: &str| {
        UsageError::new(
            "endpoint",
            format!(
                "{what} is on, but partition {} (region {region}) has no {what} endpoints",
                partition.name
            ),
        )
    };
    if fips && !partition.supports_fips {
        return Err(unsupported("FIPS"));
    }
    if dual_stack && !partition.supports_dual_stack {
        return Err(unsupported("dual-stack"));
    }
    let suffix = if dual_stack {
        partition.dual_stack_dns_suffix.as_str()
    } else {
        partition.dns_suffix.as_str()
    };
    let fips_tag = if fips { "-fips" } else { "" };
    Ok(match resource {
        Some((label, plane)) => {
            let plane = match plane {
                Plane::Data => "data",
                Plane::Control => "control",
            };
            format!("{label}.{plane}-{service}{fips_tag}.{region}.{suffix}")
        }
        // GovCloud's regular Kinesis endpoints are FIPS endpoints already
        // (the rule set has no such case for queues).
        None if fips && !dual_stack && service == "kinesis" && partition.name == "aws-us-gov" => {
            format!("kinesis.{region}.amazonaws.com")
        }
        None => format!("{service}{fips_tag}.{region}.{suffix}"),
    })
}

/// Resolves the endpoint of one request of a [`Family::Kinesis`]
/// operation: [`resolve_family`] with that family.
///
/// ```
/// use kinesis_proto::{endpoint::resolve, Config, Plane};
/// let cn = Config::new("cn-north-1").with_dual_stack(true);
/// assert_eq!(
///     resolve(&cn, Plane::Control, None).unwrap().uri,
///     "https://kinesis.cn-north-1.api.amazonwebservices.com.cn/"
/// );
/// let local = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567").unwrap();
/// let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
/// assert_eq!(resolve(&local, Plane::Data, Some(arn)).unwrap().uri, "http://127.0.0.1:4567/");
/// let wrong = resolve(&Config::new("us-gov-west-1"), Plane::Data, Some(arn)).unwrap_err();
/// assert_eq!(wrong.field, "StreamARN");
/// ```
pub fn resolve(config: &Config, plane: Plane, arn: Option<&str>) -> Result<Endpoint, UsageError> {
    resolve_family(config, Family::Kinesis, plane, arn)
}

/// Resolves the endpoint of one request: a custom endpoint if the config
/// has one, else the AWS host for the region, the operation's family and
/// plane, the FIPS and dual-stack settings and the ARN the request
/// addresses (see the module docs).
///
/// ```
/// use kinesis_proto::{endpoint::resolve_family, Config, Family, Plane};
/// let config = Config::new("us-east-1");
/// let e = resolve_family(&config, Family::Queues, Plane::Control, None).unwrap();
/// assert_eq!(e.uri, "https://kinesis-queues.us-east-1.amazonaws.com/");
/// let queue = "arn:aws:kinesis:us-east-1:123456789012:queue/q-1a2b3c";
/// let e = resolve_family(&config, Family::Queues, Plane::Data, Some(queue)).unwrap();
/// assert_eq!(e.uri, "https://q-1a2b3c.data-kinesis-queues.us-east-1.amazonaws.com/");
/// ```
pub fn resolve_family(
    config: &Config,
    family: Family,
    plane: Plane,
    arn: Option<&str>,
) -> Result<Endpoint, UsageError> {
    let region = config.region.as_str();
    validate_region(region)?;
    let endpoint = &config.endpoint;
    if let Some(custom) = &endpoint.custom {
        return Ok(Endpoint {
            uri: custom.clone(),
            signing_region: region.to_owned(),
        });
    }
    let partition = Partition::of(region).map_err(|e| UsageError::new("endpoint", e))?;
    let mut service = match family {
        Family::Kinesis => "kinesis",
        Family::Queues => "kinesis-queues",
    };
    let mut resource = None;
    if let Some(arn) = arn {
        if partition.has_resource_hosts() || checked_without_resource_hosts(arn, family) {
            let found = resource_host(arn, plane, family, partition)?;
            service = found.service;
            if partition.has_resource_hosts() {
                resource = Some((found.label, plane));
            }
        }
    }
    let host = host(
        region,
        partition,
        service,
        resource,
        endpoint.use_fips,
        endpoint.use_dual_stack,
    )?;
    let uri = format!("https://{host}/")
        .parse()
        .map_err(|_| UsageError::new("endpoint", format!("{host:?} is not a host name")))?;
    Ok(Endpoint {
        uri,
        signing_region: region.to_owned(),
    })
}

#[cfg(test)]
mod tests;
