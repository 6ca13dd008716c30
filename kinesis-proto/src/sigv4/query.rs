//! The canonical query string: every parameter decoded, encoded again by
//! SigV4's rule, sorted by name then value, joined with `&`.

use super::encode::{reencode_into, uri_encode_into};

/// Appends the canonical form of `query` (as sent, without `?`) merged with
/// `extra` parameters (raw names and values, such as `X-Amz-Date`).
pub(crate) fn write_canonical_query(out: &mut String, query: Option<&str>, extra: &[(&str, &str)]) {
    let query = query.unwrap_or("");
    if query.is_empty() && extra.is_empty() {
        return;
    }
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(extra.len() + 4);
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        let mut n = String::with_capacity(name.len());
        reencode_into(&mut n, name.as_bytes(), false);
        let mut v = String::with_capacity(value.len());
        reencode_into(&mut v, value.as_bytes(), false);
        pairs.push((n, v));
    }
    for (name, value) in extra {
        let mut n = String::with_capacity(name.len());
        uri_encode_into(&mut n, name.as_bytes(), false);
        let mut v = String::with_capacity(value.len() + 8);
        uri_encode_into(&mut v, value.as_bytes(), false);
        pairs.push((n, v));
    }
    pairs.sort_unstable();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(query: Option<&str>, extra: &[(&str, &str)]) -> String {
        let mut out = String::new();
        write_canonical_query(&mut out, query, extra);
        out
    }

    #[test]
    fn sorts_and_encodes() {
        assert_eq!(canonical(None, &[]), "");
        assert_eq!(canonical(Some(""), &[]), "");
        assert_eq!(
            canonical(Some("Param2=value2&Param1=value1"), &[]),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            canonical(Some("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"), &[]),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(canonical(Some("ሴ=bar"), &[]), "%E1%88%B4=bar");
        assert_eq!(canonical(Some("c+d"), &[]), "c%2Bd=");
        assert_eq!(canonical(Some("a=2&a=1&&b"), &[]), "a=1&a=2&b=");
        assert_eq!(canonical(Some("k=%7e%2f"), &[]), "k=~%2F");
    }

    #[test]
    fn merges_extra_parameters() {
        assert_eq!(
            canonical(
                Some("Z=1"),
                &[("X-Amz-Credential", "AKID/20150830/r/s/aws4_request")]
            ),
            "X-Amz-Credential=AKID%2F20150830%2Fr%2Fs%2Faws4_request&Z=1"
        );
    }
}
