//! Where a call gets the credentials it signs with.

use std::sync::Arc;

use time::OffsetDateTime;

use super::Credentials;
use crate::error::Error;

/// Where a [`Call`](crate::call::Call) gets the credentials it signs with.
///
/// The call asks at every attempt, just before signing, with the wall-clock
/// time the driver passed to that [`Call::poll`](crate::call::Call::poll).
/// A source whose credentials expire (a cache that a driver refreshes from
/// STS, IMDS…) hands out the ones valid at `now`; static [`Credentials`]
/// are a source that always answers with themselves.
///
/// An error ends the call with that error; nothing is sent.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use kinesis_proto::{Credentials, CredentialsSource, Error, UsageError};
/// use time::OffsetDateTime;
///
/// /// Credentials another task renews; refused once they have expired.
/// struct Renewed(Mutex<(Credentials, OffsetDateTime)>);
///
/// impl CredentialsSource for Renewed {
///     fn credentials(&self, now: OffsetDateTime) -> Result<Credentials, Error> {
///         let (credentials, expires) = self.0.lock().unwrap().clone();
///         if now >= expires {
///             return Err(UsageError::new("credentials", "expired, not yet renewed").into());
///         }
///         Ok(credentials)
///     }
/// }
///
/// let start = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
/// let source = Renewed(Mutex::new((
///     Credentials::new("ASIAEXAMPLE", "SECRET", Some("TOKEN".into())),
///     start + time::Duration::minutes(15),
/// )));
/// assert!(source.credentials(start).is_ok());
/// assert!(source.credentials(start + time::Duration::hours(1)).is_err());
///
/// // What a call holds: any source, shared.
/// let shared: Arc<dyn CredentialsSource> = Arc::new(source);
/// let fixed: Arc<dyn CredentialsSource> = Credentials::new("AKID", "SECRET", None).into();
/// # let _ = (shared, fixed);
/// ```
pub trait CredentialsSource: Send + Sync {
    /// The credentials to sign a request with at wall-clock time `now`.
    fn credentials(&self, now: OffsetDateTime) -> Result<Credentials, Error>;
}

/// Static credentials: the same at any time.
impl CredentialsSource for Credentials {
    fn credentials(&self, _now: OffsetDateTime) -> Result<Credentials, Error> {
        Ok(self.clone())
    }
}

impl<S: CredentialsSource + ?Sized> CredentialsSource for Arc<S> {
    fn credentials(&self, now: OffsetDateTime) -> Result<Credentials, Error> {
        (**self).credentials(now)
    }
}

impl From<Credentials> for Arc<dyn CredentialsSource> {
    fn from(credentials: Credentials) -> Self {
        Arc::new(credentials)
    }
}
