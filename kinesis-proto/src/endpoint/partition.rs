//! AWS partitions (groups of regions sharing DNS suffixes), read from the
//! partitions file the AWS SDKs ship.
//!
//! `partitions.json` beside this file is botocore 1.44.5's
//! `botocore/data/partitions.json` (format version 1.1), unchanged. To take
//! a newer one, replace the file: it is parsed once, the first time an
//! endpoint is resolved, and the tests below check that it still parses and
//! says what the endpoint rules rely on.

use std::sync::OnceLock;

use serde::Deserialize;

/// The partitions file, as botocore 1.44.5 ships it.
const PARTITIONS_JSON: &str = include_str!("partitions.json");

/// One AWS partition, as the endpoint rules' `aws.partition` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Partition {
    /// The partition id: `aws`, `aws-cn`, `aws-us-gov`…
    pub(crate) name: String,
    pub(crate) dns_suffix: String,
    pub(crate) dual_stack_dns_suffix: String,
    pub(crate) supports_fips: bool,
    pub(crate) supports_dual_stack: bool,
    /// The named regions (they belong here whatever the pattern says).
    regions: Vec<String>,
    /// `regionRegex`.
    pattern: Pattern,
}

/// The file's layout (only what is read).
#[derive(Deserialize)]
struct File {
    partitions: Vec<FilePartition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilePartition {
    id: String,
    region_regex: String,
    regions: serde_json::Map<String, serde_json::Value>,
    outputs: Outputs,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Outputs {
    dns_suffix: String,
    dual_stack_dns_suffix: String,
    #[serde(rename = "supportsFIPS")]
    supports_fips: bool,
    supports_dual_stack: bool,
}

/// The partitions of the file, in its order; the first is the default.
fn parse(text: &str) -> Result<Vec<Partition>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| format!("partitions file: {e}"))?;
    if file.partitions.is_empty() {
        return Err("partitions file: no partitions".to_owned());
    }
    file.partitions
        .into_iter()
        .map(|p| {
            Ok(Partition {
                pattern: Pattern::parse(&p.region_regex)
                    .map_err(|e| format!("partition {}: regionRegex: {e}", p.id))?,
                name: p.id,
                dns_suffix: p.outputs.dns_suffix,
                dual_stack_dns_suffix: p.outputs.dual_stack_dns_suffix,
                supports_fips: p.outputs.supports_fips,
                supports_dual_stack: p.outputs.supports_dual_stack,
                regions: p.regions.into_iter().map(|(name, _)| name).collect(),
            })
        })
        .collect()
}

/// The checked-in partitions, parsed on first use (the text is part of
/// the build, so it either always parses or never does; a test sees to it).
fn partitions() -> Result<&'static [Partition], &'static str> {
    static PARSED: OnceLock<Result<Vec<Partition>, String>> = OnceLock::new();
    match PARSED.get_or_init(|| parse(PARTITIONS_JSON)) {
        Ok(list) => Ok(list),
        Err(e) => Err(e),
    }
}

impl Partition {
    /// The partition of `region`, as the rules' `aws.partition` finds it:
    /// the first (in file order) that names the region or whose pattern
    /// matches it, else the first.
    pub(crate) fn of(region: &str) -> Result<&'static Partition, &'static str> {
        let all = partitions()?;
        Ok(all
            .iter()
            .find(|p| p.regions.iter().any(|r| r == region) || p.pattern.matches(region))
            .unwrap_or(&all[0]))
    }

    /// Whether ARNs select account- or resource-scoped hosts here: the
    /// rule set gives `aws-iso` and `aws-iso-b` regional hosts only.
    pub(crate) fn has_resource_hosts(&self) -> bool {
        !matches!(self.name.as_str(), "aws-iso" | "aws-iso-b")
    }
}

/// One piece of a region pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Exactly this text.
    Literal(String),
    /// One of these texts (`(us|eu)`).
    OneOf(Vec<String>),
    /// `\w+`: one or more ASCII letters, digits or `_`.
    Word,
    /// `\d+`: one or more ASCII digits.
    Digits,
}

/// The regular expressions partitions files use for regions: anchored
/// (`^…$`), made of literal text (`\-` escapes), groups of literal
/// alternatives and `\w+` / `\d+`. Anything else is refused when parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern(Vec<Piece>);

impl Pattern {
    fn parse(regex: &str) -> Result<Pattern, String> {
        let inner = regex
            .strip_prefix('^')
            .and_then(|r| r.strip_suffix('$'))
            .ok_or_else(|| format!("{regex:?} is not anchored with ^ and $"))?;
        let unsupported = |what: &str| format!("{regex:?}: {what} is not supported");
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = inner.chars().peekable();
        let flush = |literal: &mut String, pieces: &mut Vec<Piece>| {
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(literal)));
            }
        };
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(class @ ('w' | 'd')) => {
                        if chars.next() != Some('+') {
                            return Err(unsupported(&format!("\\{class} without +")));
                        }
                        flush(&mut literal, &mut pieces);
                        pieces.push(if class == 'w' {
                            Piece::Word
                        } else {
                            Piece::Digits
                        });
                    }
                    Some(escaped) if escaped.is_ascii_punctuation() => literal.push(escaped),
                    other => return Err(unsupported(&format!("the escape \\{other:?}"))),
                },
                '(' => {
                    let mut group = String::new();
                    loop {
                        match chars.next() {
                            Some(')') => break,
                            Some('\\') => match chars.next() {
                                Some(e) if e.is_ascii_punctuation() => group.push(e),
                                _ => return Err(unsupported("an escape in a group")),
                            },
                            Some(c) if c.is_ascii_alphanumeric() || c == '|' || c == '-' => {
                                group.push(c)
                            }
                            Some(c) => return Err(unsupported(&format!("{c:?} in a group"))),
                            None => return Err(format!("{regex:?}: a group is not closed")),
                        }
                    }
                    flush(&mut literal, &mut pieces);
                    pieces.push(Piece::OneOf(group.split('|').map(str::to_owned).collect()));
                }
                c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => literal.push(c),
                c => return Err(unsupported(&format!("{c:?}"))),
            }
        }
        flush(&mut literal, &mut pieces);
        Ok(Pattern(pieces))
    }

    fn matches(&self, text: &str) -> bool {
        matches_from(&self.0, text.as_bytes())
    }
}

/// Whether `pieces` match all of `text` (backtracking; texts are short).
fn matches_from(pieces: &[Piece], text: &[u8]) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return text.is_empty();
    };
    match first {
        Piece::Literal(l) => text
            .strip_prefix(l.as_bytes())
            .is_some_and(|t| matches_from(rest, t)),
        Piece::OneOf(options) => options.iter().any(|o| {
            text.strip_prefix(o.as_bytes())
                .is_some_and(|t| matches_from(rest, t))
        }),
        Piece::Word | Piece::Digits => {
            let in_class = |b: &u8| match first {
                Piece::Word => b.is_ascii_alphanumeric() || *b == b'_',
                _ => b.is_ascii_digit(),
            };
            let run = text.iter().take_while(|b| in_class(b)).count();
            (1..=run).rev().any(|n| matches_from(rest, &text[n..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_parses_with_every_partition_the_rules_name() {
        let all = partitions().expect("partitions.json parses");
        let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names[0], "aws", "the first partition is the default");
        for name in [
            "aws",
            "aws-cn",
            "aws-us-gov",
            "aws-iso",
            "aws-iso-b",
            "aws-iso-e",
            "aws-iso-f",
            "aws-eusc",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
    }

    /// What issue-level behaviour hangs on: the dual-stack hosts of the
    /// isolated and sovereign partitions, from the 1.44.5 data.
    #[test]
    fn current_dual_stack_suffixes() {
        for (region, name, suffix) in [
            ("us-east-1", "aws", "api.aws"),
            ("cn-north-1", "aws-cn", "api.amazonwebservices.com.cn"),
            ("us-iso-east-1", "aws-iso", "api.aws.ic.gov"),
            ("us-isob-east-1", "aws-iso-b", "api.aws.scloud"),
            ("eusc-de-east-1", "aws-eusc", "api.amazonwebservices.eu"),
            ("eu-isoe-west-1", "aws-iso-e", "api.cloud-aws.adc-e.uk"),
            ("us-isof-south-1", "aws-iso-f", "api.aws.hci.ic.gov"),
        ] {
            let p = Partition::of(region).expect("parses");
            assert_eq!(p.name, name, "{region}");
            assert_eq!(p.dual_stack_dns_suffix, suffix, "{region}");
            assert!(p.supports_dual_stack && p.supports_fips, "{region}");
        }
    }

    #[test]
    fn patterns() {
        let p = Pattern::parse(r"^(us|eu|ap)\-\w+\-\d+$").expect("parses");
        for yes in ["us-east-1", "eu-x_y-12", "ap-a1-0"] {
            assert!(p.matches(yes), "{yes}");
        }
        for no in [
            "us-east",
            "us-east-1x",
            "uk-east-1",
            "us--1",
            "us-gov-west-1",
            "us-east-1-",
        ] {
            assert!(!p.matches(no), "{no}");
        }
        let p = Pattern::parse(r"^eusc\-(de)\-\w+\-\d+$").expect("parses");
        assert!(p.matches("eusc-de-east-1"));
        assert!(!p.matches("eusc-fr-east-1"));
        for bad in [
            r"us\-\w+",
            r"^us.*$",
            r"^us\-\w\-1$",
            r"^(us$",
            r"^\s+$",
            "^a[b]$",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_files_are_errors() {
        for text in [
            "",
            "{}",
            r#"{"partitions": []}"#,
            r#"{"partitions": [{"id": "x", "regionRegex": "^.*$", "regions": {}, "outputs":
                {"dnsSuffix": "a", "dualStackDnsSuffix": "b", "supportsFIPS": true, "supportsDualStack": true}}]}"#,
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
