//! What a signature is made with: the credentials, scope and time
//! ([`SigningParams`]) and the choices that vary between services
//! ([`SigningSettings`]).

use time::OffsetDateTime;

use super::key::{HmacSha256, SigningKey, SigningKeyCache};
use crate::credentials::Credentials;

/// Where the signature travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureLocation {
    /// In the `Authorization` header, with `x-amz-date` (and
    /// `x-amz-security-token`) headers.
    Headers,
    /// In the query string (`X-Amz-Signature` and friends): a presigned
    /// URL that anyone holding it may use until it expires.
    Query,
}

/// How the path is written in the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriEncoding {
    /// The path as it is sent (already percent-encoded) is URI-encoded once
    /// more, so `%3D` becomes `%253D`. What every AWS service but S3
    /// expects.
    #[default]
    Double,
    /// The path is encoded once: escapes it already holds are decoded and
    /// every byte is encoded by SigV4's rule, so `%20` stays `%20`
    /// (an escaped `/` stays escaped). What S3 expects.
    Single,
}

/// What the canonical request's last line (the payload hash) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadHash {
    /// The hex SHA-256 of the body.
    #[default]
    Sha256,
    /// The literal `UNSIGNED-PAYLOAD`: the body is not covered by the
    /// signature (S3 presigned URLs, streaming uploads).
    Unsigned,
}

/// Whether the session token of temporary credentials is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionTokenMode {
    /// The token header (or query parameter) is part of the signature.
    #[default]
    Signed,
    /// The token is added to the request after signing, outside the
    /// signature, as a few services (IoT) require.
    Unsigned,
}

/// The choices that vary between services. The defaults are right for
/// Kinesis and most JSON services.
///
/// ```
/// use kinesis_proto::sigv4::{PayloadHash, SigningSettings, UriEncoding};
/// let mut s3 = SigningSettings::default();
/// s3.normalize_path = false;
/// s3.uri_encoding = UriEncoding::Single;
/// s3.payload = PayloadHash::Unsigned;
/// s3.content_sha256_header = true;
/// # let _ = s3;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningSettings {
    /// Remove `.` and `..` segments and empty segments (`//`) from the path
    /// before it is encoded (default `true`; S3 wants `false`).
    pub normalize_path: bool,
    /// How the path is encoded (default [`UriEncoding::Double`]).
    pub uri_encoding: UriEncoding,
    /// What stands for the body (default [`PayloadHash::Sha256`]).
    pub payload: PayloadHash,
    /// In header form, also send (and sign) the payload hash as an
    /// `x-amz-content-sha256` header (default `false`; S3 requires it).
    /// Query form never adds it.
    pub content_sha256_header: bool,
    /// Whether a session token is signed (default
    /// [`SessionTokenMode::Signed`]).
    pub session_token: SessionTokenMode,
    /// How long a presigned request stays valid, in seconds, 1 to 604 800
    /// (seven days); used by the query form only (default 3600).
    pub expires_in: u32,
}

impl Default for SigningSettings {
    fn default() -> Self {
        SigningSettings {
            normalize_path: true,
            uri_encoding: UriEncoding::Double,
            payload: PayloadHash::Sha256,
            content_sha256_header: false,
            session_token: SessionTokenMode::Signed,
            expires_in: 3600,
        }
    }
}

/// Longest validity of a presigned request: seven days.
pub(crate) const MAX_EXPIRES_IN: u32 = 604_800;

/// Everything one signature is made with.
///
/// ```
/// use kinesis_proto::sigv4::{SigningKeyCache, SigningParams};
/// use kinesis_proto::Credentials;
/// let creds = Credentials::new("AKIDEXAMPLE", "SECRET", None);
/// let cache = SigningKeyCache::default();
/// let params = SigningParams::new(&creds, "eu-west-1", "kinesis", time::OffsetDateTime::UNIX_EPOCH)
///     .with_key_cache(&cache);
/// assert_eq!(params.region, "eu-west-1");
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SigningParams<'a> {
    /// Who signs.
    pub credentials: &'a Credentials,
    /// The region of the credential scope.
    pub region: &'a str,
    /// The service name of the credential scope (`kinesis`, `s3`…).
    pub service: &'a str,
    /// The signing time; only its UTC second counts.
    pub time: OffsetDateTime,
    /// Per-service choices.
    pub settings: SigningSettings,
    /// Where derived signing keys are kept between signatures, if anywhere.
    pub key_cache: Option<&'a SigningKeyCache>,
}

impl<'a> SigningParams<'a> {
    /// Parameters with the default settings and no key cache.
    pub fn new(
        credentials: &'a Credentials,
        region: &'a str,
        service: &'a str,
        time: OffsetDateTime,
    ) -> Self {
        SigningParams {
            credentials,
            region,
            service,
            time,
            settings: SigningSettings::default(),
            key_cache: None,
        }
    }

    /// Replaces the settings.
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Takes signing keys from `cache` (and keeps new ones there).
    pub fn with_key_cache(mut self, cache: &'a SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// The HMAC keyed with the signing key for `date` (`YYYYMMDD`), from
    /// the cache when there is one.
    pub(crate) fn keyed_mac(&self, date: &str) -> HmacSha256 {
        let secret = self.credentials.secret_access_key();
        match self.key_cache {
            Some(cache) => cache.keyed_mac(secret, date, self.region, self.service),
            None => SigningKey::derive(secret, date, self.region, self.service).keyed_mac(),
        }
    }
}
