//! The default chain: which source the AWS SDKs would take credentials
//! from, decided from the environment and the parsed profile files alone.
//!
//! In order (the Rust SDK's): environment keys; the profile; web identity
//! from the environment; the container endpoint; IMDS. A step that is
//! "not configured here" passes to the next; one that is configured but
//! wrong (half a key pair, a `role_arn` with no source, a cycle of
//! `source_profile`s, `mfa_serial`) is an error at once.
//!
//! ```
//! use kinesis_proto::credentials::chain::{resolve, Resolved};
//! use kinesis_proto::profile::ProfileSet;
//! let config = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n\
//!               [profile base]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n";
//! let profiles = ProfileSet::parse(Some(config), None).unwrap();
//! let Resolved::Provider(p) = resolve(&[("AWS_PROFILE", "dev")], &profiles, "eu-west-1").unwrap() else { panic!() };
//! assert_eq!(p.describe(), "static keys, then role arn:aws:iam::123456789012:role/dev");
//! ```

use std::path::PathBuf;

use super::container::{self, Container};
use super::imds::{self, Imds};
use super::provider::{AssumeRole, Provider, Source, WebIdentity};
use super::sso::{self, Sso};
use super::sts;
use super::Credentials;
use crate::environment::{lookup, Environment};
use crate::error::UsageError;
use crate::profile::{home_dir, Profile, ProfileSet};

/// What the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Keys that do not change: sign with them as they are.
    Static {
        /// The keys.
        credentials: Credentials,
        /// Where they were found (`environment`, `profile "dev"`).
        origin: String,
    },
    /// A source to fetch (and refresh) credentials from.
    Provider(Box<Provider>),
}

fn err(problem: impl Into<String>) -> UsageError {
    UsageError::new("credentials", problem)
}

fn flag<E: Environment + ?Sized>(
    env: &E,
    profile: Option<&Profile>,
    var: &'static str,
    key: &str,
) -> Result<bool, UsageError> {
    let value = lookup(env, var).map(|v| (v, var.to_owned())).or_else(|| {
        profile.and_then(|p| p.get_nonempty(key)).map(|v| {
            (
                v.trim().to_owned(),
                format!("{key} (profile {:?})", p_name(profile)),
            )
        })
    });
    match value {
        None => Ok(false),
        Some((v, _)) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some((v, _)) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some((v, field)) => Err(UsageError::new(
            field,
            format!("{v:?} is neither true nor false"),
        )),
    }
}

fn p_name(profile: Option<&Profile>) -> &str {
    profile.map_or("", Profile::name)
}

/// The IMDS settings of the environment and profile, `None` when
/// `AWS_EC2_METADATA_DISABLED` is true.
pub fn imds_settings<E: Environment + ?Sized>(
    env: &E,
    profile: Option<&Profile>,
) -> Result<Option<Imds>, UsageError> {
    if flag(env, None, "AWS_EC2_METADATA_DISABLED", "")? {
        return Ok(None);
    }
    let endpoint = match lookup(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT").or_else(|| {
        profile
            .and_then(|p| p.get_nonempty("ec2_metadata_service_endpoint"))
            .map(str::to_owned)
    }) {
        Some(e) => e,
        None => {
            let mode = lookup(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")
                .or_else(|| {
                    profile
                        .and_then(|p| p.get_nonempty("ec2_metadata_service_endpoint_mode"))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "IPv4".to_owned());
            if mode.eq_ignore_ascii_case("ipv4") {
                imds::ENDPOINT_IPV4.to_owned()
            } else if mode.eq_ignore_ascii_case("ipv6") {
                imds::ENDPOINT_IPV6.to_owned()
            } else {
                return Err(UsageError::new(
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                    format!("{mode:?} is neither IPv4 nor IPv6"),
                ));
            }
        }
    };
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(UsageError::new(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("{endpoint:?} is not an http(s) URL"),
        ));
    }
    let mut imds = Imds::new(endpoint);
    imds.v1_disabled = flag(
        env,
        profile,
        "AWS_EC2_METADATA_V1_DISABLED",
        "ec2_metadata_v1_disabled",
    )?;
    Ok(Some(imds))
}

/// The container endpoint the environment names, if any.
pub fn container_settings<E: Environment + ?Sized>(
    env: &E,
) -> Result<Option<Container>, UsageError> {
    let uri = if let Some(relative) = lookup(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        if !relative.starts_with('/') {
            return Err(UsageError::new(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "does not start with '/'",
            ));
        }
        format!("{}{relative}", container::ECS_HOST)
    } else if let Some(full) = lookup(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI") {
        container::check_full_uri(&full)?;
        full
    } else {
        return Ok(None);
    };
    let mut c = Container::new(uri);
    if let Some(file) = lookup(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        c = c.with_token_file(file);
    } else if let Some(token) = lookup(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN") {
        c = c.with_token(token);
    }
    Ok(Some(c))
}

/// Which endpoint STS requests go to.
fn sts_endpoint<E: Environment + ?Sized>(
    env: &E,
    profiles: &ProfileSet,
    profile: &str,
    region: &str,
) -> Result<String, UsageError> {
    let ignore = flag(
        env,
        profiles.profile(profile),
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
    )?;
    if !ignore {
        for var in ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"] {
            if let Some(url) = lookup(env, var) {
                return Ok(url);
            }
        }
        if let Some(url) = profiles.endpoint_url(profile, "sts") {
            return Ok(url.trim().to_owned());
        }
    }
    Ok(sts::regional_endpoint(region))
}

struct Walk<'a, E: ?Sized> {
    env: &'a E,
    profiles: &'a ProfileSet,
    home: Option<PathBuf>,
    region: &'a str,
}

impl<E: Environment + ?Sized> Walk<'_, E> {
    /// The source and roles of profile `name`, `None` when it sets nothing
    /// about credentials. `visited` holds the chain so far.
    fn profile(
        &self,
        name: &str,
        visited: &mut Vec<String>,
    ) -> Result<Option<(Source, Vec<AssumeRole>)>, UsageError> {
        let Some(p) = self.profiles.profile(name) else {
            return Err(err(format!(
                "profile {:?} (named by source_profile of {:?}) is not in the shared files",
                name,
                visited.last().map_or("", String::as_str)
            )));
        };
        let in_profile =
            |e: UsageError| UsageError::new(format!("{} (profile {name:?})", e.field), e.problem);
        if let Some(role_arn) = p.get_nonempty("role_arn") {
            if p.get_nonempty("mfa_serial").is_some() {
                return Err(err(format!(
                    "profile {name:?} sets mfa_serial: a library cannot prompt for an MFA code; \
                     get session credentials first (aws sts get-session-token) or use a role without MFA"
                )));
            }
            let session_name = p.get_nonempty("role_session_name").map(str::to_owned);
            if let Some(file) = p.get_nonempty("web_identity_token_file") {
                let source = Source::WebIdentity(WebIdentity {
                    token_file: PathBuf::from(file),
                    role_arn: role_arn.to_owned(),
                    session_name,
                });
                return Ok(Some((source, Vec::new())));
            }
            let duration_seconds = match p.get_nonempty("duration_seconds") {
                Some(d) => Some(
                    d.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|d| (900..=43_200).contains(d))
                        .ok_or_else(|| {
                            UsageError::new(
                                format!("duration_seconds (profile {name:?})"),
                                format!("{d:?} is not a whole number of seconds from 900 to 43200"),
                            )
                        })?,
                ),
                None => None,
            };
            let role = AssumeRole {
                role_arn: role_arn.to_owned(),
                session_name,
                external_id: p.get_nonempty("external_id").map(str::to_owned),
                duration_seconds,
            };
            let (source, mut roles) = match (p.get_nonempty("source_profile"), p.get_nonempty("credential_source")) {
                (Some(_), Some(_)) => {
                    return Err(err(format!("profile {name:?} sets both source_profile and credential_source; set one")))
                }
                (Some(source), None) if source == name => {
                    let keys = Credentials::from_profile(p).map_err(in_profile)?.ok_or_else(|| {
                        err(format!("profile {name:?} is its own source_profile but has no aws_access_key_id / aws_secret_access_key"))
                    })?;
                    (Source::Static(keys), Vec::new())
                }
                (Some(source), None) => {
                    if visited.iter().any(|v| v == source) {
                        let mut cycle = visited.clone();
                        cycle.push(source.to_owned());
                        return Err(err(format!("source_profile chain loops: {}", cycle.join(" -> "))));
                    }
                    visited.push(source.to_owned());
                    let found = self.profile(source, visited)?;
                    found.ok_or_else(|| {
                        err(format!("profile {source:?}, source_profile of {name:?}, has no credentials"))
                    })?
                }
                (None, Some(cs)) => (self.credential_source(name, cs, p)?, Vec::new()),
                (None, None) => {
                    return Err(err(format!(
                        "profile {name:?} sets role_arn but neither source_profile nor credential_source"
                    )))
                }
            };
            roles.push(role);
            return Ok(Some((source, roles)));
        }
        if p.get_nonempty("sso_session").is_some() || p.get_nonempty("sso_start_url").is_some() {
            return Ok(Some((Source::Sso(self.sso(name, p)?), Vec::new())));
        }
        if let Some(keys) = Credentials::from_profile(p).map_err(in_profile)? {
            return Ok(Some((Source::Static(keys), Vec::new())));
        }
        if let Some(command) = p.get_nonempty("credential_process") {
            return Ok(Some((Source::Process(command.to_owned()), Vec::new())));
        }
        if p.get_nonempty("login_session").is_some() {
            return Err(err(format!(
                "profile {name:?} uses login_session (aws login), which this client cannot use"
            )));
        }
        Ok(None)
    }

    fn credential_source(&self, name: &str, cs: &str, p: &Profile) -> Result<Source, UsageError> {
        match cs {
            "Environment" => Credentials::from_env(self.env)?
                .map(Source::Static)
                .ok_or_else(|| err(format!("profile {name:?} has credential_source = Environment, but AWS_ACCESS_KEY_ID is not set"))),
            "Ec2InstanceMetadata" => imds_settings(self.env, Some(p))?
                .map(Source::Imds)
                .ok_or_else(|| err(format!("profile {name:?} has credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is true"))),
            "EcsContainer" => container_settings(self.env)?
                .map(Source::Container)
                .ok_or_else(|| err(format!("profile {name:?} has credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set"))),
            other => Err(err(format!(
                "profile {name:?} has credential_source = {other:?}; expected Environment, Ec2InstanceMetadata or EcsContainer"
            ))),
        }
    }

    fn sso(&self, name: &str, p: &Profile) -> Result<Sso, UsageError> {
        let need = |from: &Profile, key: &str, what: &str| {
            from.get_nonempty(key)
                .map(|v| v.trim().to_owned())
                .ok_or_else(|| err(format!("{what} has no {key}")))
        };
        let what = format!("profile {name:?}");
        let (start_url, region, session_name) = match p.get_nonempty("sso_session") {
            Some(session) => {
                let section = self.profiles.sso_session(session).ok_or_else(|| {
                    err(format!("profile {name:?} names sso_session {session:?}, but the config file has no [sso-session {session}]"))
                })?;
                let swhat = format!("[sso-session {session}]");
                (
                    need(section, "sso_start_url", &swhat)?,
                    need(section, "sso_region", &swhat)?,
                    Some(session.to_owned()),
                )
            }
            None => (
                need(p, "sso_start_url", &what)?,
                need(p, "sso_region", &what)?,
                None,
            ),
        };
        let home = self
            .home
            .clone()
            .ok_or_else(|| err("SSO needs the home directory (HOME) to find ~/.aws/sso/cache"))?;
        let portal = lookup(self.env, "AWS_ENDPOINT_URL_SSO")
            .unwrap_or_else(|| sso::portal_endpoint(&region));
        let _ = self.region;
        let oidc = lookup(self.env, "AWS_ENDPOINT_URL_SSO_OIDC")
            .unwrap_or_else(|| sso::oidc_endpoint(&region));
        Ok(Sso {
            start_url,
            region,
            account_id: need(p, "sso_account_id", &what)?,
            role_name: need(p, "sso_role_name", &what)?,
            session_name,
            cache_dir: home.join(".aws").join("sso").join("cache"),
            portal: portal.trim_end_matches('/').to_owned(),
            oidc: oidc.trim_end_matches('/').to_owned(),
        })
    }
}

/// The source the default chain takes, for the environment `env`, the
/// parsed shared files and the client's `region` (STS requests are signed
/// for it).
///
/// # Errors
/// A [`UsageError`] when a step is configured wrong, or when no step is
/// configured at all (IMDS disabled), naming every place looked in.
pub fn resolve<E: Environment + ?Sized>(
    env: &E,
    profiles: &ProfileSet,
    region: &str,
) -> Result<Resolved, UsageError> {
    if let Some(credentials) = Credentials::from_env(env)? {
        return Ok(Resolved::Static {
            credentials,
            origin: "environment".to_owned(),
        });
    }
    let mut skipped = vec!["AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set)".to_owned()];
    let profile_name = lookup(env, "AWS_PROFILE").unwrap_or_else(|| "default".to_owned());
    let walk = Walk {
        env,
        profiles,
        home: home_dir(env),
        region,
    };
    let sts_endpoint = sts_endpoint(env, profiles, &profile_name, region)?;
    let provider = |source: Source, roles: Vec<AssumeRole>, skipped: Vec<String>| {
        let mut p = Provider::new(source, region);
        p.roles = roles;
        p.sts_endpoint = sts_endpoint.clone();
        p.skipped = skipped;
        Resolved::Provider(Box::new(p))
    };
    let profile = profiles.profile(&profile_name);
    if profile.is_some() {
        let mut visited = vec![profile_name.clone()];
        match walk.profile(&profile_name, &mut visited)? {
            Some((Source::Static(credentials), roles)) if roles.is_empty() => {
                return Ok(Resolved::Static {
                    credentials,
                    origin: format!("profile {profile_name:?}"),
                })
            }
            Some((source, roles)) => return Ok(provider(source, roles, skipped)),
            None => skipped.push(format!("profile {profile_name:?} (no credentials in it)")),
        }
    } else {
        skipped.push(format!(
            "profile {profile_name:?} (not in the shared files)"
        ));
    }
    match (
        lookup(env, "AWS_WEB_IDENTITY_TOKEN_FILE"),
        lookup(env, "AWS_ROLE_ARN"),
    ) {
        (Some(file), Some(role_arn)) => {
            let source = Source::WebIdentity(WebIdentity {
                token_file: PathBuf::from(file),
                role_arn,
                session_name: lookup(env, "AWS_ROLE_SESSION_NAME"),
            });
            return Ok(provider(source, Vec::new(), skipped));
        }
        (Some(_), None) => {
            return Err(UsageError::new(
                "AWS_ROLE_ARN",
                "is not set, but AWS_WEB_IDENTITY_TOKEN_FILE is",
            ))
        }
        _ => skipped.push("AWS_WEB_IDENTITY_TOKEN_FILE (not set)".to_owned()),
    }
    if let Some(c) = container_settings(env)? {
        return Ok(provider(Source::Container(c), Vec::new(), skipped));
    }
    skipped.push("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI (not set)".to_owned());
    if let Some(i) = imds_settings(env, profile)? {
        return Ok(provider(Source::Imds(i), Vec::new(), skipped));
    }
    skipped.push("the instance metadata service (AWS_EC2_METADATA_DISABLED)".to_owned());
    Err(err(format!("not found: looked in {}", skipped.join(", "))))
}
