//! Stage two: the string to sign — algorithm, time, credential scope and
//! the hash of the canonical request.

use std::fmt;
use std::ops::Range;

use hmac::Mac;

use super::canonical::CanonicalRequest;
use super::date::AmzDate;
use super::encode::Hex64;
use super::key::{Signature, SigningKey};
use super::scope::ALGORITHM;
use super::settings::SigningParams;

/// What the signing key signs:
/// `AWS4-HMAC-SHA256\n<time>\n<date>/<region>/<service>/aws4_request\n<hex sha256 of the canonical request>`.
///
/// The time is the canonical request's; region and service come from the
/// parameters.
///
/// ```
/// use kinesis_proto::sigv4::{CanonicalRequest, SignatureLocation, SigningParams, StringToSign};
/// use kinesis_proto::Credentials;
/// let request = http::Request::get("https://example.amazonaws.com/").body(Vec::new()).unwrap();
/// let creds = Credentials::new("AKIDEXAMPLE", "SECRET", None);
/// let time = time::OffsetDateTime::from_unix_timestamp(1_440_938_160).unwrap();
/// let params = SigningParams::new(&creds, "us-east-1", "service", time);
/// let creq = CanonicalRequest::new(&request, &params, SignatureLocation::Headers).unwrap();
/// let sts = StringToSign::new(&params, &creq);
/// assert_eq!(sts.scope(), "20150830/us-east-1/service/aws4_request");
/// assert_eq!(sts.as_str(), "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
///     bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StringToSign {
    text: String,
    scope: Range<usize>,
}

impl StringToSign {
    /// The string to sign for `canonical_request` in the scope of `params`.
    pub fn new(params: &SigningParams<'_>, canonical_request: &CanonicalRequest) -> Self {
        let hash = Hex64::sha256(canonical_request.as_str().as_bytes());
        let mut text = String::with_capacity(
            ALGORITHM.len() + 2 * 17 + params.region.len() + params.service.len() + 16 + 64,
        );
        feed(params, &canonical_request.date, &hash, |piece| {
            text.push_str(piece)
        });
        // Between the time line and the hash line.
        let scope = ALGORITHM.len() + 1 + 16 + 1..text.len() - 1 - 64;
        StringToSign { text, scope }
    }

    /// The whole text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The credential scope: `<date>/<region>/<service>/aws4_request`.
    pub fn scope(&self) -> &str {
        &self.text[self.scope.clone()]
    }
}

/// Hands the string to sign out piece by piece, so that signing can feed
/// the HMAC without building the text (`hash`: of the canonical request).
pub(crate) fn feed(
    params: &SigningParams<'_>,
    date: &AmzDate,
    hash: &Hex64,
    mut push: impl FnMut(&str),
) {
    for piece in [
        ALGORITHM,
        "\n",
        date.date_time(),
        "\n",
        date.date(),
        "/",
        params.region,
        "/",
        params.service,
        "/aws4_request\n",
        hash.as_str(),
    ] {
        push(piece);
    }
}

/// Signs `canonical_request`: one HMAC of the string to sign, which is fed
/// to it piece by piece rather than built.
pub(crate) fn signature(
    params: &SigningParams<'_>,
    canonical_request: &CanonicalRequest,
) -> Signature {
    let hash = Hex64::sha256(canonical_request.as_str().as_bytes());
    let mut mac = params.keyed_mac(canonical_request.date.date());
    feed(params, &canonical_request.date, &hash, |piece| {
        mac.update(piece.as_bytes())
    });
    Signature::from_mac(mac)
}

impl SigningKey {
    /// The signature of `string_to_sign`: its HMAC-SHA256 under this key.
    pub fn sign(&self, string_to_sign: &StringToSign) -> Signature {
        let mut mac = self.keyed_mac();
        mac.update(string_to_sign.as_str().as_bytes());
        Signature::from_mac(mac)
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StringToSign").field(&self.text).finish()
    }
}
