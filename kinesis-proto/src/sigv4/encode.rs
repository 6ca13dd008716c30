//! The byte-level encodings SigV4 uses: its own URI encoding (RFC 3986
//! unreserved characters stay, every other byte becomes `%XX` with
//! upper-case hex) and lower-case hex for hashes.

use sha2::{Digest, Sha256};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// `A-Z a-z 0-9 - . _ ~`: the bytes SigV4 never encodes.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
}

/// Appends `bytes` URI-encoded; `/` stays as it is when `keep_slash`.
/// A `%` is encoded like any other byte (to `%25`).
pub(crate) fn uri_encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        push_ascii(out, &bytes[start..i]);
        push_escaped(out, b);
        start = i + 1;
    }
    push_ascii(out, &bytes[start..]);
}

/// Appends bytes already known to be unreserved ASCII (or `/`).
fn push_ascii(out: &mut String, ascii: &[u8]) {
    out.push_str(std::str::from_utf8(ascii).expect("unreserved bytes and `/` are ASCII"));
}

/// Appends `bytes` in canonical form after decoding the `%XX` escapes it
/// already holds: each decoded byte is encoded again by SigV4's rule, so
/// `%7e` becomes `~` and `%2f` becomes `%2F`. A `%` that starts no valid
/// escape is a literal `%` (`%25`). With `keep_slash`, a literal `/` stays
/// and an escaped one stays escaped (a path's separators do not move).
pub(crate) fn reencode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                let decoded = hi << 4 | lo;
                if is_unreserved(decoded) {
                    out.push(char::from(decoded));
                } else {
                    push_escaped(out, decoded);
                }
                i += 3;
                continue;
            }
        }
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            push_escaped(out, b);
        }
        i += 1;
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// 32 bytes as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hex64([u8; 64]);

impl Hex64 {
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        for (i, b) in bytes.iter().enumerate() {
            out[2 * i] = HEX_LOWER[usize::from(b >> 4)];
            out[2 * i + 1] = HEX_LOWER[usize::from(b & 0x0f)];
        }
        Hex64(out)
    }
    /// The hex of the SHA-256 of `data`.
    pub(crate) fn sha256(data: &[u8]) -> Self {
        Hex64::new(&Sha256::digest(data).into())
    }
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &[u8], keep_slash: bool) -> String {
        let mut out = String::new();
        uri_encode_into(&mut out, s, keep_slash);
        out
    }
    fn reenc(s: &[u8], keep_slash: bool) -> String {
        let mut out = String::new();
        reencode_into(&mut out, s, keep_slash);
        out
    }

    #[test]
    fn unreserved_stay() {
        let all = b"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assert_eq!(enc(all, false).as_bytes(), all);
    }

    #[test]
    fn reserved_and_utf8_are_escaped() {
        assert_eq!(enc(b"a b/c=d&e+f%", false), "a%20b%2Fc%3Dd%26e%2Bf%25");
        assert_eq!(enc(b"/a b/", true), "/a%20b/");
        assert_eq!(enc("ሴ".as_bytes(), true), "%E1%88%B4");
        assert_eq!(enc(b"\x00\xff", false), "%00%FF");
    }

    #[test]
    fn reencoding_decodes_first() {
        assert_eq!(reenc(b"%7e%7E%41", false), "~~A");
        assert_eq!(reenc(b"%e1%88%b4", false), "%E1%88%B4");
        assert_eq!(reenc(b"a+b", false), "a%2Bb");
        assert_eq!(reenc(b"100%", false), "100%25");
        assert_eq!(reenc(b"%zz%4", false), "%25zz%254");
        assert_eq!(reenc(b"/a%2fb/c d", true), "/a%2Fb/c%20d");
        assert_eq!(reenc(b"/a%2fb", false), "%2Fa%2Fb");
    }

    #[test]
    fn hex_of_sha256() {
        assert_eq!(
            Hex64::sha256(b"").as_str(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
