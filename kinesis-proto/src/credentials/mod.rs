//! AWS credentials as a value, every source the AWS SDKs read them from,
//! and the [`CredentialsSource`] a [`crate::call::Call`] asks at each
//! signing.
//!
//! No I/O happens here. A source that needs an HTTP answer, a file or a
//! process's output (STS, IMDS, a container endpoint, `credential_process`,
//! the SSO cache and portal) is a [`Fetch`] state machine that says what it
//! [`Need`]s and parses the [`Answer`] its driver brings back; the
//! [`Cache`] decides when to refresh (ahead of expiry, one refresh at a
//! time, backing off after failures). [`chain::resolve`] picks the source
//! the way the AWS SDKs' default chain does:
//!
//! 1. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`;
//! 2. the profile (`AWS_PROFILE`, else `default`) of the shared files:
//!    static keys, `role_arn` with `source_profile` or `credential_source`,
//!    `web_identity_token_file`, `sso_session` or the legacy `sso_*` keys,
//!    `credential_process`;
//! 3. web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`;
//! 4. the container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
//!    `AWS_CONTAINER_CREDENTIALS_FULL_URI`;
//! 5. the EC2 instance metadata service, unless `AWS_EC2_METADATA_DISABLED`.
//!
//! A driver's whole loop, here with answers made up on the spot:
//! ```
//! use kinesis_proto::credentials::{Answer, Fetch, Need, Provider, Step};
//! use kinesis_proto::credentials::process::ProcessOutput;
//! let provider = Provider::process("my-credential-helper --json");
//! let wall = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
//! let mut fetch = Fetch::new(&provider);
//! let credentials = loop {
//!     match fetch.poll(wall) {
//!         Step::Need(Need::Process { command, .. }) => {
//!             assert_eq!(command, "my-credential-helper --json");
//!             let stdout = br#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "S"}"#;
//!             fetch.handle(Answer::Process(Ok(ProcessOutput::success(stdout.to_vec()))), wall);
//!         }
//!         Step::Need(other) => panic!("not asked here: {other:?}"),
//!         Step::Done(result) => break result.unwrap(),
//!     }
//! };
//! assert_eq!(credentials.access_key_id(), "AKID");
//! ```

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::environment::{lookup, Environment};
use crate::error::UsageError;
use crate::profile::Profile;

mod cache;
pub mod chain;
pub mod container;
mod fetch;
pub mod imds;
mod need;
pub mod process;
mod provider;
mod shared;
mod source;
pub mod sso;
pub mod sts;
mod text;

pub use cache::{Cache, CacheSettings, Lookup, Ticket};
pub use fetch::{Fetch, Step};
pub use need::{Answer, FileError, Need};
pub use provider::{AssumeRole, Provider, Source};
pub use shared::SharedCache;
pub use source::CredentialsSource;

/// An access key pair, with a session token for temporary credentials.
///
/// Cloning is cheap (the parts are shared, not copied), so a source can
/// hand out a clone for every request it signs.
///
/// `Debug` never shows the secret or the token:
/// ```
/// use kinesis_proto::Credentials;
/// let c = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
/// assert!(!format!("{c:?}").contains("wJalr"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    parts: Arc<Parts>,
}

/// What [`Credentials`] share between their clones.
#[derive(Clone, PartialEq, Eq)]
struct Parts {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<OffsetDateTime>,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            parts: Arc::new(Parts {
                access_key_id: access_key_id.into(),
                secret_access_key: secret_access_key.into(),
                session_token,
                expiry: None,
            }),
        }
    }

    /// The same credentials, valid until `expiry` (temporary credentials
    /// from STS, IMDS…); a [`Cache`] refreshes them ahead of it.
    ///
    /// ```
    /// use kinesis_proto::Credentials;
    /// let at = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    /// let c = Credentials::new("ASIA", "S", Some("T".into())).with_expiry(Some(at));
    /// assert_eq!(c.expiry(), Some(at));
    /// assert_eq!(Credentials::new("AKID", "S", None).expiry(), None);
    /// ```
    #[must_use]
    pub fn with_expiry(self, expiry: Option<OffsetDateTime>) -> Self {
        let parts = Arc::unwrap_or_clone(self.parts);
        Credentials {
            parts: Arc::new(Parts { expiry, ..parts }),
        }
    }
    /// When these credentials expire; `None` for long-term keys.
    pub fn expiry(&self) -> Option<OffsetDateTime> {
        self.parts.expiry
    }
    /// The access key id (`AKIA…`/`ASIA…`).
    pub fn access_key_id(&self) -> &str {
        &self.parts.access_key_id
    }
    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.parts.secret_access_key
    }
    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.parts.session_token.as_deref()
    }

    /// Credentials from the environment: `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`, with `AWS_SESSION_TOKEN` when set. Empty
    /// variables count as unset; `None` when neither key is set, an error
    /// when only one is.
    ///
    /// ```
    /// use kinesis_proto::Credentials;
    /// let env = [
    ///     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ///     ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    /// ];
    /// let c = Credentials::from_env(&env).unwrap().unwrap();
    /// assert_eq!(c.access_key_id(), "AKIDEXAMPLE");
    /// assert_eq!(c.session_token(), None);
    /// assert_eq!(Credentials::from_env(&[("HOME", "/root")]).unwrap(), None);
    /// let half = Credentials::from_env(&[("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")]).unwrap_err();
    /// assert_eq!(half.field, "AWS_SECRET_ACCESS_KEY");
    /// ```
    pub fn from_env<E: Environment + ?Sized>(env: &E) -> Result<Option<Credentials>, UsageError> {
        const ID: &str = "AWS_ACCESS_KEY_ID";
        const SECRET: &str = "AWS_SECRET_ACCESS_KEY";
        match (lookup(env, ID), lookup(env, SECRET)) {
            (Some(id), Some(secret)) => Ok(Some(Credentials::new(
                id,
                secret,
                lookup(env, "AWS_SESSION_TOKEN"),
            ))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(UsageError::new(SECRET, format!("is not set, but {ID} is"))),
            (None, Some(_)) => Err(UsageError::new(ID, format!("is not set, but {SECRET} is"))),
        }
    }

    /// Static credentials from a profile of the shared files:
    /// `aws_access_key_id` and `aws_secret_access_key`, with
    /// `aws_session_token` (or the older `aws_security_token`) when set.
    /// `None` when the profile has neither key, an error when it has one.
    ///
    /// ```
    /// use kinesis_proto::{profile::ProfileSet, Credentials};
    /// let text = "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRET\naws_session_token = TOKEN\n";
    /// let set = ProfileSet::parse(None, Some(text)).unwrap();
    /// let c = Credentials::from_profile(set.profile("default").unwrap()).unwrap().unwrap();
    /// assert_eq!(c.session_token(), Some("TOKEN"));
    /// ```
    pub fn from_profile(profile: &Profile) -> Result<Option<Credentials>, UsageError> {
        const ID: &str = "aws_access_key_id";
        const SECRET: &str = "aws_secret_access_key";
        let name = profile.name();
        match (profile.get_nonempty(ID), profile.get_nonempty(SECRET)) {
            (Some(id), Some(secret)) => Ok(Some(Credentials::new(
                id,
                secret,
                profile
                    .get_nonempty("aws_session_token")
                    .or_else(|| profile.get_nonempty("aws_security_token"))
                    .map(str::to_owned),
            ))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(UsageError::new(
                SECRET,
                format!("profile {name:?} sets {ID} but not {SECRET}"),
            )),
            (None, Some(_)) => Err(UsageError::new(
                ID,
                format!("profile {name:?} sets {SECRET} but not {ID}"),
            )),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id())
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token().map(|_| "** redacted **"),
            )
            .field("expiry", &self.expiry())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileSet;

    #[test]
    fn from_env_cases() {
        type Want =
            Result<Option<(&'static str, &'static str, Option<&'static str>)>, &'static str>;
        let cases: [(&[(&str, &str)], Want); 7] = [
            (&[], Ok(None)),
            (
                &[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")],
                Ok(Some(("A", "S", None))),
            ),
            (
                &[
                    ("AWS_ACCESS_KEY_ID", " A\n"),
                    ("AWS_SECRET_ACCESS_KEY", "S"),
                    ("AWS_SESSION_TOKEN", "T"),
                ],
                Ok(Some(("A", "S", Some("T")))),
            ),
            (
                &[
                    ("AWS_ACCESS_KEY_ID", "A"),
                    ("AWS_SECRET_ACCESS_KEY", "S"),
                    ("AWS_SESSION_TOKEN", ""),
                ],
                Ok(Some(("A", "S", None))),
            ),
            (&[("AWS_SESSION_TOKEN", "T")], Ok(None)),
            (
                &[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "  ")],
                Err("AWS_SECRET_ACCESS_KEY"),
            ),
            (&[("AWS_SECRET_ACCESS_KEY", "S")], Err("AWS_ACCESS_KEY_ID")),
        ];
        for (env, want) in cases {
            let got = Credentials::from_env(env);
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(
                    got,
                    want.map(|(a, s, t)| Credentials::new(a, s, t.map(str::to_owned))),
                    "{env:?}"
                ),
                (Err(e), Err(field)) => assert_eq!(e.field, field, "{env:?}"),
                (got, want) => panic!("{env:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn from_profile_cases() {
        let credentials = "\
[full]
aws_access_key_id = A
aws_secret_access_key = S
aws_session_token = T
[legacy_token]
aws_access_key_id = A
aws_secret_access_key = S
aws_security_token = L
[keys]
AWS_ACCESS_KEY_ID = A
Aws_Secret_Access_Key = S
[none]
region = us-east-1
[half]
aws_access_key_id = A
[empty_secret]
aws_access_key_id = A
aws_secret_access_key =
[other_half]
aws_secret_access_key = S
";
        let set = ProfileSet::parse(None, Some(credentials)).expect("parses");
        type Want =
            Result<Option<(&'static str, &'static str, Option<&'static str>)>, &'static str>;
        let cases: [(&str, Want); 7] = [
            ("full", Ok(Some(("A", "S", Some("T"))))),
            ("legacy_token", Ok(Some(("A", "S", Some("L"))))),
            ("keys", Ok(Some(("A", "S", None)))),
            ("none", Ok(None)),
            ("half", Err("aws_secret_access_key")),
            ("empty_secret", Err("aws_secret_access_key")),
            ("other_half", Err("aws_access_key_id")),
        ];
        for (name, want) in cases {
            let profile = set.profile(name).expect(name);
            match (Credentials::from_profile(profile), want) {
                (Ok(got), Ok(want)) => assert_eq!(
                    got,
                    want.map(|(a, s, t)| Credentials::new(a, s, t.map(str::to_owned))),
                    "{name}"
                ),
                (Err(e), Err(field)) => {
                    assert_eq!(e.field, field, "{name}");
                    assert!(e.problem.contains(name), "{e}");
                }
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn debug_redacts_secret_and_token() {
        let c = Credentials::new("AKID", "very-secret", Some("session-token".into()));
        let shown = format!("{c:?}");
        assert!(shown.contains("AKID"));
        assert!(
            !shown.contains("very-secret") && !shown.contains("session-token"),
            "{shown}"
        );
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod machine_tests;
