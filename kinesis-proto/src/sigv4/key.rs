//! The signing key (derived from the secret for one day, region and
//! service), the signature it makes, and a cache of keys.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::encode::Hex64;

pub(crate) type HmacSha256 = Hmac<Sha256>;

fn keyed(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The key a day's signatures for one region and service are made with:
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request")`.
///
/// It holds the HMAC state already keyed, so signing with it costs one
/// HMAC of the string to sign. `Debug` never shows it.
///
/// ```
/// use kinesis_proto::sigv4::SigningKey;
/// // The example of the AWS General Reference.
/// let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
/// assert_eq!(key.as_bytes()[..4], [0xf4, 0x78, 0x0e, 0x2d]);
/// ```
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    mac: HmacSha256,
}

impl SigningKey {
    /// Derives the key for `date` (`YYYYMMDD`), `region` and `service`.
    pub fn derive(secret_access_key: &str, date: &str, region: &str, service: &str) -> SigningKey {
        let mut secret = Vec::with_capacity(4 + secret_access_key.len());
        secret.extend_from_slice(b"AWS4");
        secret.extend_from_slice(secret_access_key.as_bytes());
        let k_date = hmac(&secret, date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        let bytes = hmac(&k_service, b"aws4_request");
        SigningKey {
            bytes,
            mac: keyed(&bytes),
        }
    }

    /// The key itself.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The HMAC state keyed with this key, ready for a string to sign.
    pub(crate) fn keyed_mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// A signature: 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(Hex64);

impl Signature {
    /// The hex digits.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Signature {
    /// The signature an HMAC fed with a string to sign makes.
    pub(crate) fn from_mac(mac: HmacSha256) -> Self {
        Signature(Hex64::new(&mac.finalize().into_bytes().into()))
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.as_str())
    }
}

/// How many keys a cache holds: enough for a day change, a second region
/// and a credential rotation at once.
const CACHE_CAPACITY: usize = 4;

struct CacheEntry {
    date: [u8; 8],
    region: String,
    service: String,
    secret: String,
    key: SigningKey,
}

impl CacheEntry {
    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && self.secret == secret
    }
}

/// Caches derived signing keys per (date, region, service, secret), so that
/// signing costs one HMAC instead of five. Holds a few keys, replacing the
/// oldest; reads no clock. Share one per client (`Send + Sync`).
///
/// `Debug` shows only how many keys it holds.
///
/// ```
/// use kinesis_proto::sigv4::SigningKeyCache;
/// let cache = SigningKeyCache::default();
/// let a = cache.get_or_derive("SECRET", "20150830", "us-east-1", "kinesis");
/// let b = cache.get_or_derive("SECRET", "20150830", "us-east-1", "kinesis");
/// assert_eq!(a.as_bytes(), b.as_bytes());
/// assert_eq!(format!("{cache:?}"), "SigningKeyCache { keys: 1 }");
/// ```
#[derive(Default)]
pub struct SigningKeyCache {
    entries: Mutex<Vec<CacheEntry>>,
}

impl SigningKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        SigningKeyCache::default()
    }

    /// The key for `date` (`YYYYMMDD`), `region` and `service` under
    /// `secret_access_key`, derived only if the cache does not hold it.
    pub fn get_or_derive(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        self.with_key(secret_access_key, date, region, service, SigningKey::clone)
    }

    /// The keyed HMAC of that key (what signing needs, cheaper to copy out
    /// than the whole key).
    pub(crate) fn keyed_mac(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> HmacSha256 {
        self.with_key(
            secret_access_key,
            date,
            region,
            service,
            SigningKey::keyed_mac,
        )
    }

    fn with_key<T>(
        &self,
        secret_access_key: &str,
        date: &str,
        region: &str,
        service: &str,
        f: impl Fn(&SigningKey) -> T,
    ) -> T {
        {
            let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(hit) = entries
                .iter()
                .find(|e| e.matches(secret_access_key, date, region, service))
            {
                return f(&hit.key);
            }
        }
        let key = SigningKey::derive(secret_access_key, date, region, service);
        let out = f(&key);
        // Dates that are not eight bytes are signed but not cached.
        if let Ok(date_bytes) = <[u8; 8]>::try_from(date.as_bytes()) {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if !entries
                .iter()
                .any(|e| e.matches(secret_access_key, date, region, service))
            {
                if entries.len() >= CACHE_CAPACITY {
                    entries.remove(0);
                }
                entries.push(CacheEntry {
                    date: date_bytes,
                    region: region.to_owned(),
                    service: service.to_owned(),
                    secret: secret_access_key.to_owned(),
                    key,
                });
            }
        }
        out
    }

    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("keys", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn derives_the_documented_key() {
        // AWS General Reference, "Examples of how to derive a signing key".
        let key = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(key.as_bytes()),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
        assert_eq!(format!("{key:?}"), "SigningKey(** redacted **)");
    }

    #[test]
    fn cache_hits_misses_and_evicts() {
        let cache = SigningKeyCache::new();
        let k1 = cache.get_or_derive("s", "20150830", "us-east-1", "kinesis");
        assert_eq!(cache.len(), 1);
        let k1_again = cache.get_or_derive("s", "20150830", "us-east-1", "kinesis");
        assert_eq!(k1.as_bytes(), k1_again.as_bytes());
        assert_eq!(cache.len(), 1);
        // Each part of the cache key matters.
        let variants = [
            ("t", "20150830", "us-east-1", "kinesis"),
            ("s", "20150831", "us-east-1", "kinesis"),
            ("s", "20150830", "eu-west-1", "kinesis"),
            ("s", "20150830", "us-east-1", "firehose"),
        ];
        for (secret, date, region, service) in variants {
            let k = cache.get_or_derive(secret, date, region, service);
            assert_ne!(k.as_bytes(), k1.as_bytes());
            assert_eq!(
                k.as_bytes(),
                SigningKey::derive(secret, date, region, service).as_bytes()
            );
        }
        assert_eq!(cache.len(), CACHE_CAPACITY);
        // A date that is not eight bytes is signed for but not kept.
        let _ = cache.get_or_derive("s", "2015", "us-east-1", "kinesis");
        assert_eq!(cache.len(), CACHE_CAPACITY);
        assert_eq!(format!("{cache:?}"), "SigningKeyCache { keys: 4 }");
    }

    #[test]
    fn cache_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<SigningKeyCache>();
    }
}
