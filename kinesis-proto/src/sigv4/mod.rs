//! AWS Signature Version 4.

use time::OffsetDateTime;

use crate::error::UsageError;
use crate::Credentials;

/// Caches the derived signing key per day, region and service.
#[derive(Debug, Default)]
pub struct SigningKeyCache {}

/// Signs `request` in place with the `Authorization` header.
pub(crate) fn sign_request(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: OffsetDateTime,
    cache: &SigningKeyCache,
) -> Result<(), UsageError> {
    let _ = (request, credentials, region, service, time, cache);
    todo!("sigv4")
}
