//! Everything a transport needs to make a client, in one value, built from
//! explicit values or from the environment and the AWS profile files —
//! handed in as values: this crate reads neither.
//!
//! A transport does only this much I/O and leaves every decision here:
//!
//! ```no_run
//! use kinesis_proto::{profile, Settings};
//! let env = |name: &str| std::env::var(name).ok();
//! let (config_path, credentials_path) = profile::profile_file_paths(&env, profile::home_dir(&env).as_deref());
//! let read = |path: Option<std::path::PathBuf>| path.and_then(|p| std::fs::read_to_string(p).ok());
//! let (config, credentials) = (read(config_path), read(credentials_path));
//! let settings = Settings::from_sources(&env, config.as_deref(), credentials.as_deref())?;
//! # Ok::<(), kinesis_proto::UsageError>(())
//! ```

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use crate::config::Config;
use crate::credentials::Credentials;
use crate::endpoint::validate_region;
use crate::environment::lookup;
pub use crate::environment::Environment;
use crate::error::UsageError;
use crate::profile::{self, FileKind, Profile, ProfileSet};
use crate::retry::{RetryConfig, RetryMode};

/// How a client's transport keeps connections; both clients take this
/// one type (`Client::with_transport_options`), plain values with no I/O.
///
/// A blocking client shared by N threads needs `max_idle_per_host` ≥ N to
/// stop opening a new connection every few calls (each calling thread
/// holds at most one connection, so threads bound the connections open at
/// once). The async client opens at most `max_connections_per_host`
/// HTTP/1.1 connections to a host; HTTP/2 multiplexes every request over
/// one.
///
/// ```
/// use std::time::Duration;
/// let mut options = kinesis_proto::TransportOptions::default();
/// options.max_idle_per_host = 64; // 64 threads share one blocking client
/// assert_eq!(options.idle_timeout, Duration::from_secs(30));
/// assert_eq!(options.max_response_bytes, 32 << 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportOptions {
    /// HTTP/1.1 connections open to one host at once (async client), default
    /// 16; further requests wait for one to come free. The blocking client
    /// is bounded by its calling threads instead.
    pub max_connections_per_host: usize,
    /// Idle connections kept per host, default 16.
    pub max_idle_per_host: usize,
    /// How long an idle connection is kept, default 30 s.
    pub idle_timeout: Duration,
    /// The largest response body read, default 32 MiB (a 10 MiB GetRecords
    /// page grows by base64 and JSON framing).
    pub max_response_bytes: usize,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            max_connections_per_host: 16,
            max_idle_per_host: 16,
            idle_timeout: Duration::from_secs(30),
            max_response_bytes: 32 << 20,
        }
    }
}

/// Connect, per-attempt and whole-call time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Limit on opening a connection (TCP and TLS), default 3.1 s.
    pub connect: Option<Duration>,
    /// Limit on one attempt, sending included, default 10 s.
    pub attempt: Option<Duration>,
    /// Limit on a whole call, retries and sleeps included, default none.
    pub call: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Some(Duration::from_millis(3100)),
            attempt: Some(Duration::from_secs(10)),
            call: None,
        }
    }
}

impl Timeouts {
    /// No time limits at all.
    pub const NONE: Timeouts = Timeouts {
        connect: None,
        attempt: None,
        call: None,
    };

    /// Sets the connect limit (`None`: wait as long as the OS does).
    ///
    /// ```
    /// use std::time::Duration;
    /// use kinesis_proto::Timeouts;
    /// let t = Timeouts::default()
    ///     .with_connect(Some(Duration::from_secs(1)))
    ///     .with_call(Some(Duration::from_secs(60)));
    /// assert_eq!(t.attempt, Some(Duration::from_secs(10)));
    /// assert_eq!(t.call, Some(Duration::from_secs(60)));
    /// ```
    pub fn with_connect(mut self, limit: Option<Duration>) -> Self {
        self.connect = limit;
        self
    }
    /// Sets the per-attempt limit.
    pub fn with_attempt(mut self, limit: Option<Duration>) -> Self {
        self.attempt = limit;
        self
    }
    /// Sets the whole-call limit (retries and backoff included).
    pub fn with_call(mut self, limit: Option<Duration>) -> Self {
        self.call = limit;
        self
    }
}

/// What a transport's `Client::new` takes.
///
/// Retry settings, from strongest to weakest: set on the settings after
/// they were made ([`Settings::with_retry`], [`Settings::with_max_attempts`]
/// or the `retry` field), the retry settings of a config given to
/// [`Settings::new`] or [`Settings::with_config`] that sets them
/// ([`Config::with_retry`], even to the defaults), `AWS_RETRY_MODE` /
/// `AWS_MAX_ATTEMPTS` and the profile's `retry_mode` / `max_attempts` (read
/// by [`Settings::from_sources`]), the defaults. The environment and profile
/// only fill in what nothing explicit set; a config that sets no retry
/// settings leaves the current ones as they are.
///
/// ```
/// use kinesis_proto::retry::{RetryConfig, RetryMode};
/// use kinesis_proto::{Config, Settings};
/// let env = [("AWS_RETRY_MODE", "adaptive"), ("AWS_MAX_ATTEMPTS", "5"), ("AWS_REGION", "eu-west-1"),
///            ("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "SECRET")];
/// let from_env = Settings::from_sources(&env, None, None).unwrap();
/// assert_eq!(from_env.proto_client().config().retry().mode, RetryMode::Adaptive);
/// // A config without retry settings keeps the environment's…
/// let s = from_env.clone().with_config(Config::new("us-east-1"));
/// assert_eq!(s.proto_client().config().retry().max_attempts, 5);
/// // …one with them wins.
/// let s = from_env.with_config(Config::new("us-east-1").with_retry(RetryConfig::standard()));
/// assert_eq!(*s.proto_client().config().retry(), RetryConfig::standard());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Region, endpoint and limits.
    pub config: Config,
    /// The credentials every request is signed with, unless
    /// `credentials_provider` is set.
    pub credentials: Credentials,
    /// Where credentials are fetched (and refreshed) from when they are
    /// not fixed keys: a role, SSO, IMDS, a container endpoint… (see
    /// [`crate::credentials`]). Both clients run it behind their
    /// credentials source; `None` signs with `credentials`.
    pub credentials_provider: Option<crate::credentials::Provider>,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Retry behaviour: what [`Settings::proto_client`] (and so a
    /// transport's client) follows. See [`Settings`] for where it comes
    /// from.
    pub retry: RetryConfig,
    /// Extra root certificates to trust, PEM text (for a local server with
    /// a self-signed certificate). The platform's web roots stay trusted.
    pub extra_root_certificates_pem: Vec<Vec<u8>>,
}

impl Settings {
    /// Settings for `config` (its retry settings included) and
    /// `credentials`, everything else default.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kinesis_proto::{Config, Credentials, Settings, Timeouts};
    /// let settings = Settings::new(
    ///     Config::new("us-east-1").with_endpoint_url("https://127.0.0.1:4567").unwrap(),
    ///     Credentials::new("AKIDEXAMPLE", "SECRET", None),
    /// )
    /// .with_timeouts(Timeouts::default().with_attempt(Some(Duration::from_secs(5))))
    /// .with_max_attempts(5)
    /// .with_extra_root_certificate_pem(b"-----BEGIN CERTIFICATE-----...".to_vec());
    /// assert_eq!(settings.retry.max_attempts, 5);
    /// assert_eq!(settings.extra_root_certificates_pem.len(), 1);
    /// ```
    pub fn new(config: Config, credentials: Credentials) -> Self {
        Settings {
            // The config's retry settings (the defaults if it sets none).
            retry: config.retry,
            config,
            credentials,
            credentials_provider: None,
            timeouts: Timeouts::default(),
            extra_root_certificates_pem: Vec::new(),
        }
    }

    /// The kinesis-proto [`Client`](crate::Client) these settings describe
    /// (`config` with the retry behaviour of `retry` and the call and
    /// attempt time limits of `timeouts`): what a transport drives.
    ///
    /// ```
    /// use kinesis_proto::{Config, Credentials, Settings};
    /// let settings = Settings::new(Config::new("us-east-1"), Credentials::new("AKID", "SECRET", None))
    ///     .with_max_attempts(7);
    /// assert_eq!(settings.proto_client().config().retry().max_attempts, 7);
    /// ```
    pub fn proto_client(&self) -> crate::client::Client {
        crate::client::Client::new(
            self.config
                .clone()
                .with_retry(self.retry)
                .with_call_timeout(self.timeouts.call)
                .with_attempt_timeout(self.timeouts.attempt),
        )
    }

    /// Settings the way the AWS SDKs find them, from the environment and
    /// the texts of the shared `config` and `credentials` files (pass
    /// `None` for a file that does not exist). Environment variables win
    /// over the profile, and in the profile the credentials file wins over
    /// the config file:
    ///
    /// | setting | environment | profile key |
    /// |---|---|---|
    /// | profile | `AWS_PROFILE` (default `default`) | |
    /// | region | `AWS_REGION`, then `AWS_DEFAULT_REGION` | `region` |
    /// | credentials | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token` |
    /// | endpoint | `AWS_ENDPOINT_URL_KINESIS`, then `AWS_ENDPOINT_URL` | `kinesis.endpoint_url` of its `[services …]` section, then `endpoint_url` |
    /// | skip configured endpoints | `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` | `ignore_configured_endpoint_urls` |
    /// | FIPS | `AWS_USE_FIPS_ENDPOINT` | `use_fips_endpoint` |
    /// | dual-stack | `AWS_USE_DUALSTACK_ENDPOINT` | `use_dualstack_endpoint` |
    /// | attempts | `AWS_MAX_ATTEMPTS` | `max_attempts` |
    /// | retry mode | `AWS_RETRY_MODE` (`standard`, `adaptive`; `legacy` means standard) | `retry_mode` |
    ///
    /// Timeouts and certificates stay default; set them with the `with_*`
    /// methods. Credentials follow the AWS SDKs' default chain
    /// ([`crate::credentials::chain`]): fixed keys land in `credentials`;
    /// a role, web identity, SSO, `credential_process`, container or IMDS
    /// source lands in `credentials_provider`, for the client to fetch.
    ///
    /// # Errors
    /// A [`UsageError`] when the region or the credentials are missing
    /// (naming every place looked in), when a value is malformed (naming
    /// the variable or profile key), or when a file does not parse (naming
    /// the file and line).
    ///
    /// ```
    /// use kinesis_proto::Settings;
    /// let env = [("AWS_PROFILE", "dev"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:4567")];
    /// let config = "[profile dev]\nregion = eu-west-1\nmax_attempts = 5\n";
    /// let credentials = "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRET\n";
    /// let settings = Settings::from_sources(&env, Some(config), Some(credentials)).unwrap();
    /// assert_eq!(settings.config.region(), "eu-west-1");
    /// assert_eq!(settings.config.endpoint_url().unwrap(), "http://127.0.0.1:4567/");
    /// assert_eq!(settings.credentials.access_key_id(), "AKIDEXAMPLE");
    /// assert_eq!(settings.retry.max_attempts, 5);
    ///
    /// let missing = Settings::from_sources(&env, None, Some(credentials)).unwrap_err();
    /// assert_eq!(missing.field, "region");
    /// assert!(missing.problem.contains("AWS_REGION"));
    /// ```
    pub fn from_sources<E: Environment + ?Sized>(
        env: &E,
        config_file: Option<&str>,
        credentials_file: Option<&str>,
    ) -> Result<Settings, UsageError> {
        Sources::new(env, config_file, credentials_file)?.settings()
    }

    /// Settings from the environment and the two profile files it points
    /// to (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else under the
    /// home directory), read through the caller's `read_file`: this crate
    /// reads nothing itself. A missing file counts as absent; one that
    /// cannot be read is logged and counts as absent, as the AWS tools do.
    /// This is all a transport's `from_env` does.
    ///
    /// ```
    /// use std::{io, path::Path};
    /// use kinesis_proto::Settings;
    /// let env = |name: &str| match name {
    ///     "HOME" => Some("/home/me".to_owned()),
    ///     "AWS_PROFILE" => Some("dev".to_owned()),
    ///     _ => None,
    /// };
    /// let files = |path: &Path| match path.to_str() {
    ///     Some("/home/me/.aws/config") => Ok("[profile dev]\nregion = eu-west-1\n".to_owned()),
    ///     Some("/home/me/.aws/credentials") => {
    ///         Ok("[dev]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n".to_owned())
    ///     }
    ///     _ => Err(io::Error::from(io::ErrorKind::NotFound)),
    /// };
    /// let settings = Settings::from_env_with(env, files).unwrap();
    /// assert_eq!(settings.config.region(), "eu-west-1");
    /// assert_eq!(settings.credentials.access_key_id(), "AKID");
    /// ```
    pub fn from_env_with<V, R>(var: V, read_file: R) -> Result<Settings, UsageError>
    where
        V: Fn(&str) -> Option<String>,
        R: Fn(&Path) -> std::io::Result<String>,
    {
        let env = &var;
        let (config, credentials) =
            profile::profile_file_paths(env, profile::home_dir(env).as_deref());
        let read = |path: Option<std::path::PathBuf>| -> Option<String> {
            let path = path?;
            match read_file(&path) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    log::warn!("ignoring AWS profile file {}: {e}", path.display());
                    None
                }
            }
        };
        Settings::from_sources(env, read(config).as_deref(), read(credentials).as_deref())
    }

    /// Replaces the region, endpoint and limits, and the retry settings
    /// if `config` sets them ([`Config::with_retry`]); otherwise the
    /// current retry settings (from the environment, say) stay.
    pub fn with_config(mut self, config: Config) -> Self {
        if config.retry_set {
            self.retry = config.retry;
        }
        self.config = config;
        self
    }
    /// Replaces the region, keeping the endpoint settings and limits.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.config.region = region.into();
        self
    }
    /// Sends every request to `url` (see [`Config::with_endpoint_url`]).
    pub fn with_endpoint_url(mut self, url: &str) -> Result<Self, UsageError> {
        self.config = self.config.with_endpoint_url(url)?;
        Ok(self)
    }
    /// Replaces the credentials (and drops any provider).
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self.credentials_provider = None;
        self
    }
    /// Fetches credentials from `provider` instead of fixed keys.
    ///
    /// ```
    /// use kinesis_proto::credentials::Provider;
    /// use kinesis_proto::{Config, Credentials, Settings};
    /// let s = Settings::new(Config::new("us-east-1"), Credentials::new("", "", None))
    ///     .with_credentials_provider(Provider::process("my-helper"));
    /// assert!(s.credentials_provider.is_some());
    /// ```
    pub fn with_credentials_provider(mut self, provider: crate::credentials::Provider) -> Self {
        self.credentials_provider = Some(provider);
        self
    }
    /// Replaces all three time limits.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }
    /// Sets the connect time limit.
    pub fn with_connect_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts.connect = limit;
        self
    }
    /// Sets the per-attempt time limit.
    pub fn with_attempt_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts.attempt = limit;
        self
    }
    /// Sets the whole-call time limit.
    pub fn with_call_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts.call = limit;
        self
    }
    /// Replaces the retry settings.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }
    /// Sets the number of attempts, the first included (1 turns retries
    /// off; 0 counts as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.retry.max_attempts = attempts.max(1);
        self
    }
    /// Trusts one more root certificate (PEM text), besides the platform's.
    pub fn with_extra_root_certificate_pem(mut self, pem: Vec<u8>) -> Self {
        self.extra_root_certificates_pem.push(pem);
        self
    }
}

/// The service id in `AWS_ENDPOINT_URL_<ID>` and `[services]` sections.
const SERVICE_ID: &str = "kinesis";

/// Where one value came from, for messages and error fields.
#[derive(Debug, Clone)]
enum Origin {
    Env(&'static str),
    Profile(&'static str),
}

/// The environment and the parsed profile files, with what messages need
/// to say where things were looked for.
struct Sources<'e, E: ?Sized> {
    env: &'e E,
    profiles: ProfileSet,
    profile_name: String,
    config_path: String,
    credentials_path: String,
    config_present: bool,
    credentials_present: bool,
}

impl<'e, E: Environment + ?Sized> Sources<'e, E> {
    fn new(
        env: &'e E,
        config_file: Option<&str>,
        credentials_file: Option<&str>,
    ) -> Result<Self, UsageError> {
        let home = profile::home_dir(env);
        let (config_path, credentials_path) = profile::profile_file_paths(env, home.as_deref());
        let describe = |path: Option<&Path>, default: &str| {
            path.map_or_else(|| default.to_owned(), |p| p.display().to_string())
        };
        let config_path = describe(config_path.as_deref(), "~/.aws/config");
        let credentials_path = describe(credentials_path.as_deref(), "~/.aws/credentials");
        let profiles = ProfileSet::parse(config_file, credentials_file).map_err(|e| {
            let path = match e.file {
                FileKind::Config => &config_path,
                FileKind::Credentials => &credentials_path,
            };
            UsageError::new(path.clone(), format!("line {}: {}", e.line, e.problem))
        })?;
        Ok(Sources {
            env,
            profiles,
            profile_name: lookup(env, "AWS_PROFILE").unwrap_or_else(|| "default".to_owned()),
            config_path,
            credentials_path,
            config_present: config_file.is_some(),
            credentials_present: credentials_file.is_some(),
        })
    }

    fn profile(&self) -> Option<&Profile> {
        self.profiles.profile(&self.profile_name)
    }

    /// The error field naming an origin.
    fn field(&self, origin: &Origin) -> Cow<'static, str> {
        match origin {
            Origin::Env(var) => Cow::Borrowed(var),
            Origin::Profile(key) => Cow::Owned(format!("{key} (profile {:?})", self.profile_name)),
        }
    }

    /// A sentence on the selected profile: where it is, or that it is not.
    fn profile_whereabouts(&self, file: FileKind) -> String {
        let name = &self.profile_name;
        let (path, present) = match file {
            FileKind::Config => (&self.config_path, self.config_present),
            FileKind::Credentials => (&self.credentials_path, self.credentials_present),
        };
        if !present {
            return format!("{path} (no such file)");
        }
        let here = match file {
            FileKind::Config => self.profiles.in_config_file(name),
            FileKind::Credentials => self.profile().is_some(),
        };
        if here {
            format!("profile {name:?} in {path}")
        } else {
            format!("{path} (no profile {name:?})")
        }
    }

    /// The first of the `vars` that is set, else the profile's `key`.
    fn setting(&self, vars: &[&'static str], key: &'static str) -> Option<(String, Origin)> {
        vars.iter()
            .find_map(|var| lookup(self.env, var).map(|v| (v, Origin::Env(var))))
            .or_else(|| {
                self.profile()?
                    .get_nonempty(key)
                    .map(|v| (v.trim().to_owned(), Origin::Profile(key)))
            })
    }

    fn flag(&self, var: &'static str, key: &'static str) -> Result<bool, UsageError> {
        let Some((value, origin)) = self.setting(&[var], key) else {
            return Ok(false);
        };
        if value.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if value.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(UsageError::new(
                self.field(&origin),
                format!("{value:?} is neither true nor false"),
            ))
        }
    }

    fn region(&self) -> Result<String, UsageError> {
        let Some((region, origin)) = self.setting(&["AWS_REGION", "AWS_DEFAULT_REGION"], "region")
        else {
            return Err(UsageError::new(
                "region",
                format!(
                    "is not set: looked in AWS_REGION, AWS_DEFAULT_REGION and {}",
                    self.profile_whereabouts(FileKind::Config)
                ),
            ));
        };
        validate_region(&region).map_err(|e| {
            UsageError::new(
                e.field,
                format!("{} (from {})", e.problem, self.field(&origin)),
            )
        })?;
        Ok(region)
    }

    fn credentials(
        &self,
        region: &str,
    ) -> Result<(Credentials, Option<crate::credentials::Provider>, String), UsageError> {
        use crate::credentials::chain::{resolve, Resolved};
        let with_profile = |e: UsageError| {
            if e.field == "credentials"
                || e.field.contains("(profile")
                || e.field.starts_with("AWS_")
            {
                e
            } else {
                UsageError::new(
                    format!("{} (profile {:?})", e.field, self.profile_name),
                    e.problem,
                )
            }
        };
        match resolve(self.env, &self.profiles, region).map_err(with_profile) {
            Ok(Resolved::Static {
                credentials,
                origin,
            }) => Ok((credentials, None, origin)),
            Ok(Resolved::Provider(p)) => {
                let origin = p.describe();
                Ok((Credentials::new("", "", None), Some(*p), origin))
            }
            Err(e) if e.field == "credentials" && e.problem.starts_with("not found") => {
                Err(UsageError::new(
                    "credentials",
                    format!(
                        "{}; the shared files: {} and {}",
                        e.problem,
                        self.profile_whereabouts(FileKind::Credentials),
                        self.profile_whereabouts(FileKind::Config)
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn endpoint_url(&self) -> Result<Option<(String, Cow<'static, str>)>, UsageError> {
        if self.flag(
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
        )? {
            return Ok(None);
        }
        for var in ["AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL"] {
            if let Some(url) = lookup(self.env, var) {
                return Ok(Some((url, Cow::Borrowed(var))));
            }
        }
        Ok(self
            .profiles
            .endpoint_url(&self.profile_name, SERVICE_ID)
            .map(|url| {
                let field = format!("endpoint_url (profile {:?})", self.profile_name);
                (url.trim().to_owned(), Cow::Owned(field))
            }))
    }

    fn retry(&self) -> Result<RetryConfig, UsageError> {
        let mut retry = RetryConfig::default();
        if let Some((value, origin)) = self.setting(&["AWS_MAX_ATTEMPTS"], "max_attempts") {
            retry.max_attempts = match value.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(UsageError::new(
                        self.field(&origin),
                        format!("{value:?} is not a whole number of attempts, 1 or more"),
                    ))
                }
            };
        }
        if let Some((value, origin)) = self.setting(&["AWS_RETRY_MODE"], "retry_mode") {
            retry.mode = match value.to_ascii_lowercase().as_str() {
                "standard" | "legacy" => RetryMode::Standard,
                "adaptive" => RetryMode::Adaptive,
                _ => {
                    return Err(UsageError::new(
                        self.field(&origin),
                        format!("{value:?} is not a retry mode: standard, adaptive or legacy"),
                    ))
                }
            };
        }
        Ok(retry)
    }

    fn settings(&self) -> Result<Settings, UsageError> {
        let region = self.region()?;
        let (credentials, provider, credentials_origin) = self.credentials(&region)?;
        let mut config = Config::new(region)
            .with_fips(self.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?)
            .with_dual_stack(self.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?);
        if let Some((url, field)) = self.endpoint_url()? {
            config = config
                .with_endpoint_url(&url)
                .map_err(|e| UsageError::new(field, e.problem))?;
        }
        let retry = self.retry()?;
        log::debug!(
            "settings: profile {:?}, region {}, credentials from {credentials_origin}, endpoint {}, {} attempts",
            self.profile_name,
            config.region(),
            config.endpoint_url().map_or_else(|| "by region".to_owned(), ToString::to_string),
            retry.max_attempts,
        );
        let mut settings = Settings::new(config, credentials).with_retry(retry);
        settings.credentials_provider = provider;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests;
