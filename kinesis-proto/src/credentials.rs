//! AWS credentials as a value, and pure parsers for where AWS tools keep
//! them (an environment map, the shared `credentials` and `config` files).

use std::fmt;

/// An access key pair, with a session token for temporary credentials.
///
/// `Debug` never shows the secret or the token:
/// ```
/// use kinesis_proto::Credentials;
/// let c = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
/// assert!(!format!("{c:?}").contains("wJalr"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
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
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }
    /// The access key id (`AKIA…`/`ASIA…`).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }
    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}
