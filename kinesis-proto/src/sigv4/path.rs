//! The canonical URI: the request path, optionally normalized, encoded
//! once more (or once, for S3).

use std::borrow::Cow;

use super::encode::{reencode_into, uri_encode_into};
use super::settings::UriEncoding;

/// Appends the canonical form of `path` (the path as sent, without query).
pub(crate) fn write_canonical_path(
    out: &mut String,
    path: &str,
    normalize: bool,
    encoding: UriEncoding,
) {
    let path = if path.is_empty() { "/" } else { path };
    let path = if normalize {
        normalize_path(path)
    } else {
        Cow::Borrowed(path)
    };
    match encoding {
        UriEncoding::Double => uri_encode_into(out, path.as_bytes(), true),
        UriEncoding::Single => reencode_into(out, path.as_bytes(), true),
    }
}

/// Whether [`normalize_path`] would change `path`.
fn needs_normalizing(path: &str) -> bool {
    !path.starts_with('/') || path.contains("//") || path.split('/').any(|s| s == "." || s == "..")
}

/// Removes empty, `.` and `..` segments (RFC 3986 §5.2.4, with `//`
/// collapsed as AWS does), keeping a trailing slash.
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    if !needs_normalizing(path) {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = Vec::new();
    let mut last = "";
    for segment in path.split('/') {
        last = segment;
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing_slash = matches!(last, "" | "." | "..");
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if trailing_slash || segments.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(path: &str, normalize: bool, encoding: UriEncoding) -> String {
        let mut out = String::new();
        write_canonical_path(&mut out, path, normalize, encoding);
        out
    }

    #[test]
    fn normalizes() {
        for (input, expected) in [
            ("/", "/"),
            ("", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/../c/./d", "/a/c/d"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/../../a", "/a"),
            ("a/b", "/a/b"),
            ("/.../a", "/.../a"),
            ("/a/b", "/a/b"),
        ] {
            assert_eq!(
                canonical(input, true, UriEncoding::Double),
                expected,
                "{input}"
            );
        }
        assert!(matches!(normalize_path("/a/b/"), Cow::Borrowed(_)));
    }

    #[test]
    fn leaves_unnormalized_paths_alone() {
        assert_eq!(
            canonical("//example//", false, UriEncoding::Double),
            "//example//"
        );
        assert_eq!(
            canonical("/example/..", false, UriEncoding::Double),
            "/example/.."
        );
    }

    #[test]
    fn encodes_twice_or_once() {
        assert_eq!(
            canonical(
                "/test/@connections/JBDvjfGEIAMCERw%3D",
                true,
                UriEncoding::Double
            ),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        assert_eq!(
            canonical("/example%20space/", true, UriEncoding::Single),
            "/example%20space/"
        );
        assert_eq!(
            canonical("/a%2fb@", false, UriEncoding::Single),
            "/a%2Fb%40"
        );
        assert_eq!(canonical("/ሴ", true, UriEncoding::Double), "/%E1%88%B4");
    }
}
