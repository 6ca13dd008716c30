//! AWS credentials as a value, pure parsers for where AWS tools keep them
//! (an environment map, the shared `credentials` and `config` files), and
//! the [`CredentialsSource`] a [`crate::call::Call`] asks at each signing.

use std::fmt;
use std::sync::Arc;

use crate::environment::{lookup, Environment};
use crate::error::UsageError;
use crate::profile::Profile;

mod source;

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
#[derive(PartialEq, Eq)]
struct Parts {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
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
            }),
        }
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
