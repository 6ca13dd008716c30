//! A resolved credentials source: where the first credentials come from
//! and the roles assumed after it. Plain data, made by
//! [`chain::resolve`](super::chain::resolve) or by hand; a
//! [`Fetch`](super::Fetch) carries it out.

use std::path::PathBuf;

use super::container::Container;
use super::imds::Imds;
use super::sso::Sso;
use super::sts;
use super::Credentials;

/// Where the first credentials of a [`Provider`] come from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Fixed keys (environment, profile).
    Static(Credentials),
    /// `AssumeRoleWithWebIdentity` with a token read from a file at every
    /// refresh (EKS IRSA and the like).
    WebIdentity(WebIdentity),
    /// The EC2 instance metadata service.
    Imds(Imds),
    /// The ECS / EKS Pod Identity container endpoint.
    Container(Container),
    /// `credential_process`: a command whose output is the credentials.
    Process(String),
    /// IAM Identity Center (SSO).
    Sso(Sso),
}

/// A role assumed with a web identity token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    /// The file holding the token (`AWS_WEB_IDENTITY_TOKEN_FILE`,
    /// `web_identity_token_file`).
    pub token_file: PathBuf,
    /// The role (`AWS_ROLE_ARN`, `role_arn`).
    pub role_arn: String,
    /// `AWS_ROLE_SESSION_NAME`, `role_session_name`.
    pub session_name: Option<String>,
}

/// One `AssumeRole` step of a profile chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssumeRole {
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`; made up from the time when absent.
    pub session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<u32>,
}

impl AssumeRole {
    /// A step assuming `role_arn`, everything else default.
    pub fn new(role_arn: impl Into<String>) -> AssumeRole {
        AssumeRole {
            role_arn: role_arn.into(),
            session_name: None,
            external_id: None,
            duration_seconds: None,
        }
    }
}

/// Everything a [`Fetch`](super::Fetch) needs: the source, then the roles
/// to assume in order, each signed with the credentials before it.
///
/// ```
/// use kinesis_proto::credentials::{AssumeRole, Provider, Source};
/// use kinesis_proto::Credentials;
/// let mut p = Provider::new(Source::Static(Credentials::new("AKID", "S", None)), "eu-west-1");
/// p.roles.push(AssumeRole::new("arn:aws:iam::123456789012:role/a"));
/// assert_eq!(p.sts_endpoint, "https://sts.eu-west-1.amazonaws.com/");
/// assert_eq!(p.describe(), "static keys, then role arn:aws:iam::123456789012:role/a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Provider {
    /// Where the first credentials come from.
    pub source: Source,
    /// Roles assumed after it, in order.
    pub roles: Vec<AssumeRole>,
    /// The region STS requests are signed for.
    pub sts_region: String,
    /// The STS endpoint (regional by default; `AWS_ENDPOINT_URL_STS`).
    pub sts_endpoint: String,
    /// What the default chain looked at before this source and found not
    /// configured, for messages.
    pub skipped: Vec<String>,
}

impl Provider {
    /// `source` alone, STS at the regional endpoint of `region`.
    pub fn new(source: Source, region: &str) -> Provider {
        Provider {
            source,
            roles: Vec::new(),
            sts_region: region.to_owned(),
            sts_endpoint: sts::regional_endpoint(region),
            skipped: Vec::new(),
        }
    }

    /// A `credential_process` provider (STS in `us-east-1`, unused).
    pub fn process(command: impl Into<String>) -> Provider {
        Provider::new(Source::Process(command.into()), "us-east-1")
    }

    /// The source and roles in words, no secrets.
    pub fn describe(&self) -> String {
        let mut s = match &self.source {
            Source::Static(_) => "static keys".to_owned(),
            Source::WebIdentity(w) => format!(
                "web identity token {} for role {}",
                w.token_file.display(),
                w.role_arn
            ),
            Source::Imds(i) => format!("instance metadata at {}", i.endpoint),
            Source::Container(c) => format!("container endpoint {}", c.uri),
            Source::Process(_) => "credential_process".to_owned(),
            Source::Sso(s) => format!("SSO role {} in account {}", s.role_name, s.account_id),
        };
        for role in &self.roles {
            s.push_str(", then role ");
            s.push_str(&role.role_arn);
        }
        s
    }
}
