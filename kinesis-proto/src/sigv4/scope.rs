//! The credential scope (`<date>/<region>/<service>/aws4_request`) and the
//! algorithm name: what the string to sign, the `Authorization` header and
//! a presigned URL's `X-Amz-Credential` all write.

use super::date::AmzDate;
use super::settings::SigningParams;

/// The algorithm name that starts every string to sign.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Appends the credential scope, `<date>/<region>/<service>/aws4_request`.
pub(crate) fn push_scope(out: &mut String, params: &SigningParams<'_>, date: &AmzDate) {
    out.push_str(date.date());
    out.push('/');
    out.push_str(params.region);
    out.push('/');
    out.push_str(params.service);
    out.push_str("/aws4_request");
}

/// The length of the credential scope.
pub(crate) fn scope_len(params: &SigningParams<'_>) -> usize {
    8 + 1 + params.region.len() + 1 + params.service.len() + 13
}
