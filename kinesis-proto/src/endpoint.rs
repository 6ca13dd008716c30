//! Endpoint resolution: region, partition, FIPS, dual-stack, account-scoped
//! hosts from ARNs, and custom endpoints.
//!
//! This mirrors the Kinesis endpoint rule set of the AWS SDKs:
//!
//! | input | host |
//! |---|---|
//! | region `r` | `kinesis.r.amazonaws.com` (`.amazonaws.com.cn` in China, …) |
//! | FIPS | `kinesis-fips.r.amazonaws.com` (GovCloud: `kinesis.r.amazonaws.com`, FIPS already) |
//! | dual-stack | `kinesis.r.api.aws` (China: `api.amazonwebservices.com.cn`) |
//! | FIPS + dual-stack | `kinesis-fips.r.api.aws` |
//! | a stream or consumer ARN of account `a` | `a.data-kinesis.r…` (data plane), `a.control-kinesis.r…` (others) |
//! | a channel ARN `…:channel/c` | `c.control-kinesis.r…` (control plane only) |
//! | a custom endpoint | exactly that, whatever else is set |
//!
//! The host always uses the client's region; an ARN's own region is only
//! checked to be well formed (as the SDKs do), and its partition must be the
//! client region's partition. The isolated partitions `aws-iso` and
//! `aws-iso-b` have no account-scoped hosts: ARNs there resolve to the
//! regional host. Requests are always signed for the client's region.
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

use crate::arn::ArnRef;
use crate::error::UsageError;
use crate::operation::Plane;
use crate::Config;

/// The endpoint settings of a [`Config`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EndpointConfig {
    pub(crate) custom: Option<http::Uri>,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
}

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

/// Parses a custom endpoint URL: `http` or `https`, a host, a port of
/// 1-65535 if any, an optional base path; no user info, query or fragment.
pub(crate) fn parse_endpoint_url(url: &str) -> Result<http::Uri, UsageError> {
    let bad = |why: &str| UsageError::new("endpoint", format!("{url:?} {why}"));
    let trimmed = url.trim();
    if trimmed.contains('#') {
        return Err(bad("has a fragment; give scheme, host, port and path only"));
    }
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|e| bad(&format!("is not a URL ({e})")))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(bad(&format!(
                "has scheme {other:?}; use http:// or https://"
            )))
        }
        None => {
            return Err(bad(
                "has no scheme; write it as http://host:port or https://host",
            ))
        }
    }
    let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "has user info; credentials go in Credentials, not the URL",
        ));
    }
    if authority.host().is_empty() {
        return Err(bad("has no host"));
    }
    // `http::Uri` keeps a port it cannot read as a `u16` and then reports
    // none, so the request would go to the scheme's default port.
    let text = authority.as_str();
    let after_host = text.rfind(']').map_or(text, |end| &text[end + 1..]);
    if let Some((_, port)) = after_host.rsplit_once(':') {
        match port.parse::<u16>() {
            Ok(1..) => {}
            _ if port.is_empty() => {
                return Err(bad(
                    "has an empty port; write host:port with a port of 1-65535",
                ))
            }
            _ => return Err(bad(&format!("has port {port}, which is not 1-65535"))),
        }
    }
    if uri.query().is_some() {
        return Err(bad(
            "has a query string; give scheme, host, port and path only",
        ));
    }
    let path = uri.path().trim_end_matches('/');
    let scheme = uri.scheme_str().unwrap_or("https");
    format!("{scheme}://{}{path}/", authority.as_str())
        .parse()
        .map_err(|e| bad(&format!("is not a URL ({e})")))
}

/// One AWS partition: a group of regions sharing DNS suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Partition {
    name: &'static str,
    dns_suffix: &'static str,
    dual_stack_dns_suffix: &'static str,
    supports_fips: bool,
    supports_dual_stack: bool,
    /// Region prefixes: a region is `{prefix}-{word}-{digits}`.
    prefixes: &'static [&'static str],
    /// Named regions outside the pattern.
    extra_regions: &'static [&'static str],
}

/// The partitions the AWS SDKs ship, in lookup order; the first is the
/// default for a region that matches none.
const PARTITIONS: &[Partition] = &[
    Partition {
        name: "aws",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
        prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        extra_regions: &["aws-global"],
    },
    Partition {
        name: "aws-cn",
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        supports_fips: true,
        supports_dual_stack: true,
        prefixes: &["cn"],
        extra_regions: &["aws-cn-global"],
    },
    Partition {
        name: "aws-us-gov",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
        prefixes: &["us-gov"],
        extra_regions: &["aws-us-gov-global"],
    },
    Partition {
        name: "aws-iso",
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "c2s.ic.gov",
        supports_fips: true,
        supports_dual_stack: false,
        prefixes: &["us-iso"],
        extra_regions: &["aws-iso-global"],
    },
    Partition {
        name: "aws-iso-b",
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "sc2s.sgov.gov",
        supports_fips: true,
        supports_dual_stack: false,
        prefixes: &["us-isob"],
        extra_regions: &["aws-iso-b-global"],
    },
    Partition {
        name: "aws-iso-e",
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "cloud.adc-e.uk",
        supports_fips: true,
        supports_dual_stack: false,
        prefixes: &["eu-isoe"],
        extra_regions: &["aws-iso-e-global"],
    },
    Partition {
        name: "aws-iso-f",
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "csp.hci.ic.gov",
        supports_fips: true,
        supports_dual_stack: false,
        prefixes: &["us-isof"],
        extra_regions: &["aws-iso-f-global"],
    },
    Partition {
        name: "aws-eusc",
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "amazonaws.eu",
        supports_fips: true,
        supports_dual_stack: false,
        prefixes: &["eusc-de"],
        extra_regions: &[],
    },
];

impl Partition {
    /// The partition of `region`: a named region, else the first whose
    /// pattern matches, else `aws`.
    fn of(region: &str) -> &'static Partition {
        PARTITIONS
            .iter()
            .find(|p| p.extra_regions.contains(&region))
            .or_else(|| PARTITIONS.iter().find(|p| p.matches(region)))
            .unwrap_or(&PARTITIONS[0])
    }

    /// Whether `region` is `{prefix}-{word}-{digits}` for one of the
    /// partition's prefixes (`\w+` for the word, no `-` in it).
    fn matches(&self, region: &str) -> bool {
        self.prefixes.iter().any(|prefix| {
            let Some(rest) = region
                .strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('-'))
            else {
                return false;
            };
            let Some((word, digits)) = rest.rsplit_once('-') else {
                return false;
            };
            !word.is_empty()
                && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
        })
    }

    /// Whether ARNs select account-scoped hosts here.
    fn has_resource_hosts(&self) -> bool {
        !matches!(self.name, "aws-iso" | "aws-iso-b")
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
fn arn_field(arn: &str) -> &'static str {
    if arn.contains(":stream/") && arn.contains("/consumer/") {
        "ConsumerARN"
    } else if arn.contains(":stream/") {
        "StreamARN"
    } else if arn.contains(":channel") {
        "ChannelARN"
    } else {
        "ResourceARN"
    }
}

/// The first label of the account-scoped host an ARN selects: the account
/// for stream and consumer ARNs, the channel id for channel ARNs.
fn resource_label<'a>(
    arn_text: &'a str,
    plane: Plane,
    partition: &Partition,
) -> Result<&'a str, UsageError> {
    let field = arn_field(arn_text);
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
    let label = match parts.next().unwrap_or_default() {
        "" => return Err(bad(format!("{arn_text:?} names no resource type"))),
        "stream" => arn.account_id,
        "channel" => {
            let id = parts.next().unwrap_or_default();
            if id.is_empty() {
                return Err(bad(format!("{arn_text:?} has no channel id")));
            }
            if !is_host_label(id) {
                return Err(bad(format!(
                    "{arn_text:?} has channel id {id:?}, which is not one DNS label"
                )));
            }
            if plane == Plane::Data {
                return Err(bad(format!(
                    "{arn_text:?} is a channel ARN, which data-plane operations do not take"
                )));
            }
            id
        }
        other => {
            return Err(bad(format!(
                "{arn_text:?} has resource type {other:?}; Kinesis ARNs name a stream, consumer or channel"
            )))
        }
    };
    if arn.partition != partition.name {
        return Err(bad(format!(
            "{arn_text:?} is in partition {:?} but the client's region is in {:?}",
            arn.partition, partition.name
        )));
    }
    Ok(label)
}

/// The host of a request to `region` in `partition`.
fn host(
    region: &str,
    partition: &Partition,
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
        partition.dual_stack_dns_suffix
    } else {
        partition.dns_suffix
    };
    let fips_tag = if fips { "-fips" } else { "" };
    Ok(match resource {
        Some((label, plane)) => {
            let plane = match plane {
                Plane::Data => "data",
                Plane::Control => "control",
            };
            format!("{label}.{plane}-kinesis{fips_tag}.{region}.{suffix}")
        }
        // GovCloud's regular endpoints are FIPS endpoints already.
        None if fips && !dual_stack && partition.name == "aws-us-gov" => {
            format!("kinesis.{region}.amazonaws.com")
        }
        None => format!("kinesis{fips_tag}.{region}.{suffix}"),
    })
}

/// Resolves the endpoint of one request: a custom endpoint if the config
/// has one, else the AWS host for the region, plane, FIPS and dual-stack
/// settings and the ARN the request addresses (see the module docs).
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
    let region = config.region.as_str();
    validate_region(region)?;
    let endpoint = &config.endpoint;
    if let Some(custom) = &endpoint.custom {
        return Ok(Endpoint {
            uri: custom.clone(),
            signing_region: region.to_owned(),
        });
    }
    let partition = Partition::of(region);
    let resource = match arn {
        Some(arn) if partition.has_resource_hosts() => {
            Some((resource_label(arn, plane, partition)?, plane))
        }
        _ => None,
    };
    let host = host(
        region,
        partition,
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
