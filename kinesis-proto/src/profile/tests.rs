use super::*;

/// Environment variables as (name, value) pairs.
type Pairs = &'static [(&'static str, &'static str)];

fn parse(config: Option<&str>, credentials: Option<&str>) -> ProfileSet {
    ProfileSet::parse(config, credentials).unwrap_or_else(|e| panic!("{e}"))
}

fn get<'a>(set: &'a ProfileSet, profile: &str, key: &str) -> Option<&'a str> {
    set.profile(profile).and_then(|p| p.get(key))
}

#[test]
fn values_comments_and_whitespace() {
    let text = "\
# a comment
; another
[default]
region = us-east-1
\tdummy_after_tab_continues = no
key_with_tabs\t=\tvalue with spaces\t
inline = value # comment
inline_semicolon = value ; comment
hash_in_value = abc#def
semicolon_in_value = abc;def
empty =
  # an indented comment
UPPER_Case = v
url = https://example.com/?a=b#frag
eq = a=b=c
";
    let set = parse(None, Some(text));
    let cases = [
        ("region", Some("us-east-1\ndummy_after_tab_continues = no")),
        ("key_with_tabs", Some("value with spaces")),
        ("inline", Some("value")),
        ("inline_semicolon", Some("value")),
        ("hash_in_value", Some("abc#def")),
        ("semicolon_in_value", Some("abc;def")),
        ("empty", Some("")),
        ("upper_case", Some("v")),
        ("UPPER_CASE", Some("v")),
        ("url", Some("https://example.com/?a=b#frag")),
        ("eq", Some("a=b=c")),
        ("missing", None),
    ];
    for (key, want) in cases {
        assert_eq!(get(&set, "default", key), want, "{key}");
    }
}

#[test]
fn section_headers() {
    let config = "\
[default]#comment
a = 1
[ profile   dev ] ; comment
a = 2
[profile\ttabbed]
a = 3
[profile default]
a = 4
[default]
b = 5
[not-prefixed]
a = 6
[sso-session corp]
a = 7
[profile bad name]
a = 8
";
    let set = parse(Some(config), None);
    // `[profile default]` replaces every `[default]` section.
    assert_eq!(get(&set, "default", "a"), Some("4"));
    assert_eq!(get(&set, "default", "b"), None);
    assert_eq!(get(&set, "dev", "a"), Some("2"));
    assert_eq!(get(&set, "tabbed", "a"), Some("3"));
    let names: Vec<&str> = set.profile_names().collect();
    assert_eq!(names, ["default", "dev", "tabbed"]);
}

#[test]
fn credentials_file_sections() {
    let credentials = "\
[default]
aws_access_key_id = A
[profile dev]
aws_access_key_id = B
[ops]
aws_access_key_id = C
[bad!name]
aws_access_key_id = D
";
    let set = parse(None, Some(credentials));
    assert_eq!(get(&set, "default", "aws_access_key_id"), Some("A"));
    assert_eq!(
        set.profile("dev"),
        None,
        "[profile x] is not a credentials-file section"
    );
    assert_eq!(get(&set, "ops", "aws_access_key_id"), Some("C"));
    assert_eq!(set.profile("bad!name"), None);
}

#[test]
fn credentials_file_wins_and_files_merge() {
    let config = "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROM_CONFIG\n[profile dev]\nregion = eu-west-2\n";
    let credentials = "[dev]\naws_access_key_id = FROM_CREDENTIALS\n";
    let set = parse(Some(config), Some(credentials));
    assert_eq!(
        get(&set, "dev", "aws_access_key_id"),
        Some("FROM_CREDENTIALS")
    );
    // Repeated sections merge; the later value wins.
    assert_eq!(get(&set, "dev", "region"), Some("eu-west-2"));
    assert!(set.in_config_file("dev"));
    let only_credentials = parse(None, Some(credentials));
    assert!(!only_credentials.in_config_file("dev"));
}

#[test]
fn sub_properties_and_services() {
    let config = "\
[profile dev]
s3 =
  max_concurrent_requests = 20 # comment
  addressing_style = path
region = us-west-2
services = local
endpoint_url = https://profile.example.com

[services local]
kinesis =
  endpoint_url = http://127.0.0.1:4567
  Other_Key = x
dynamodb =
  endpoint_url = http://127.0.0.1:8000

[profile plain]
endpoint_url = https://plain.example.com
";
    let set = parse(Some(config), None);
    assert_eq!(get(&set, "dev", "region"), Some("us-west-2"));
    assert_eq!(
        get(&set, "dev", "s3"),
        Some("\nmax_concurrent_requests = 20\naddressing_style = path")
    );
    assert_eq!(
        set.service_setting("local", "kinesis", "endpoint_url"),
        Some("http://127.0.0.1:4567")
    );
    assert_eq!(
        set.service_setting("local", "KINESIS", "other_key"),
        Some("x")
    );
    assert_eq!(set.service_setting("local", "kinesis", "missing"), None);
    assert_eq!(set.service_setting("nope", "kinesis", "endpoint_url"), None);
    assert_eq!(
        set.endpoint_url("dev", "kinesis"),
        Some("http://127.0.0.1:4567")
    );
    assert_eq!(
        set.endpoint_url("dev", "s3"),
        Some("https://profile.example.com")
    );
    assert_eq!(
        set.endpoint_url("plain", "kinesis"),
        Some("https://plain.example.com")
    );
    assert_eq!(set.endpoint_url("missing", "kinesis"), None);
}

#[test]
fn line_endings_and_bom() {
    let text = "\u{feff}[default]\r\nregion = us-east-1\r\n\r\n[dev]\r\nregion=eu-west-1";
    let set = parse(None, Some(text));
    assert_eq!(get(&set, "default", "region"), Some("us-east-1"));
    assert_eq!(get(&set, "dev", "region"), Some("eu-west-1"));
}

#[test]
fn parse_errors_name_file_and_line() {
    let cases = [
        (
            FileKind::Config,
            "region = us-east-1\n",
            1,
            "section header",
        ),
        (
            FileKind::Config,
            "# c\n\n[default\nregion = x\n",
            3,
            "must end with ']'",
        ),
        (
            FileKind::Credentials,
            "[default]\nregion us-east-1\n",
            2,
            "key = value",
        ),
        (FileKind::Credentials, "[default]\n= x\n", 2, "no name"),
        (
            FileKind::Credentials,
            "[default]\n  continued\n",
            2,
            "continues a property",
        ),
        (
            FileKind::Config,
            "[default]\ns3 =\n  nonsense\n",
            3,
            "sub-property",
        ),
        (FileKind::Config, "  x = 1\n", 1, "section header"),
    ];
    for (kind, text, line, problem) in cases {
        let (config, credentials) = match kind {
            FileKind::Config => (Some(text), None),
            FileKind::Credentials => (None, Some(text)),
        };
        let e = ProfileSet::parse(config, credentials).expect_err(text);
        assert_eq!((e.file, e.line), (kind, line), "{text:?}: {e}");
        assert!(e.problem.contains(problem), "{text:?}: {e}");
        assert!(e.to_string().contains(&format!("line {line}")), "{e}");
    }
}

#[test]
fn invalid_keys_are_skipped() {
    let set = parse(None, Some("[default]\nbad key = 1\nok.key-1/@:+% = 2\n"));
    let keys: Vec<&str> = set
        .profile("default")
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["ok.key-1/@:+%"]);
}

#[test]
fn empty_and_odd_texts() {
    for text in ["", "\n\n", "# only comments\n; here\n", "\u{feff}"] {
        let set = parse(Some(text), Some(text));
        assert_eq!(set.profile_names().count(), 0, "{text:?}");
    }
    // `[]` is a section with an empty name: kept out, not an error.
    let set = parse(None, Some("[]\na = 1\n"));
    assert_eq!(set.profile_names().count(), 0);
}

#[test]
fn file_paths() {
    let home = Path::new("/home/ana");
    // (environment, home, expected config path, expected credentials path)
    type Case<'a> = (Pairs, Option<&'a Path>, Option<&'a str>, Option<&'a str>);
    let cases: [Case<'_>; 5] = [
        (
            &[],
            Some(home),
            Some("/home/ana/.aws/config"),
            Some("/home/ana/.aws/credentials"),
        ),
        (&[], None, None, None),
        (
            &[
                ("AWS_CONFIG_FILE", "/etc/aws/config"),
                ("AWS_SHARED_CREDENTIALS_FILE", "~/creds"),
            ],
            Some(home),
            Some("/etc/aws/config"),
            Some("/home/ana/creds"),
        ),
        (
            &[("AWS_CONFIG_FILE", "~")],
            Some(home),
            Some("/home/ana"),
            Some("/home/ana/.aws/credentials"),
        ),
        (
            &[
                ("AWS_CONFIG_FILE", "~other/x"),
                ("AWS_SHARED_CREDENTIALS_FILE", "  "),
            ],
            None,
            Some("~other/x"),
            None,
        ),
    ];
    for (env, home, config, credentials) in cases {
        let (c, k) = profile_file_paths(env, home);
        assert_eq!(c.as_deref(), config.map(Path::new), "{env:?}");
        assert_eq!(k.as_deref(), credentials.map(Path::new), "{env:?}");
    }
}

#[test]
fn home_directories() {
    let cases: [(Pairs, Option<&str>); 4] = [
        (
            &[("HOME", "/home/ana"), ("USERPROFILE", "C:\\Users\\ana")],
            Some("/home/ana"),
        ),
        (&[("USERPROFILE", "C:\\Users\\ana")], Some("C:\\Users\\ana")),
        (
            &[("HOMEDRIVE", "D:"), ("HOMEPATH", "\\ana")],
            Some("D:\\ana"),
        ),
        (&[("HOMEDRIVE", "D:")], None),
    ];
    for (env, want) in cases {
        assert_eq!(home_dir(env).as_deref(), want.map(Path::new), "{env:?}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Texts made of the pieces profile files are made of, so that the
    /// generated files reach every branch of the parser.
    fn profile_text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "[",
            "]",
            "profile ",
            "services ",
            "default",
            "dev",
            "kinesis",
            "endpoint_url",
            "region",
            "=",
            " = ",
            " ",
            "\t",
            "#",
            " #",
            ";",
            " ;",
            "\n",
            "\r\n",
            "\n  ",
            "a",
            "é",
            "\u{feff}",
            "s3 =\n  x = 1",
        ]);
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn parsing_never_panics(config in profile_text(), credentials in profile_text()) {
            match ProfileSet::parse(Some(&config), Some(&credentials)) {
                Ok(set) => {
                    for name in set.profile_names() {
                        let _ = set.endpoint_url(name, "kinesis");
                    }
                }
                Err(e) => {
                    let text = match e.file { FileKind::Config => &config, FileKind::Credentials => &credentials };
                    prop_assert!(e.line >= 1 && e.line <= text.lines().count(), "{e}");
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(config in ".*", credentials in ".*") {
            let _ = ProfileSet::parse(Some(&config), Some(&credentials));
        }
    }
}

/// `Debug` of a profile (and so of a set) shows that secrets are there,
/// never what they are, whatever case the file wrote the key in.
#[test]
fn debug_redacts_secrets() {
    let credentials = "[dev]\naws_access_key_id = AKIDEXAMPLE\nAWS_Secret_Access_Key = wJalrSECRET\n\
                       aws_session_token = TOKENVALUE\naws_security_token = OLDTOKEN\nregion = eu-west-1\n";
    let set = parse(None, Some(credentials));
    let profile = set.profile("dev").expect("dev");
    for text in [
        format!("{set:?}"),
        format!("{profile:?}"),
        format!("{set:#?}"),
    ] {
        for secret in ["wJalrSECRET", "TOKENVALUE", "OLDTOKEN"] {
            assert!(!text.contains(secret), "{secret} shows in {text}");
        }
        assert!(text.contains("AKIDEXAMPLE"), "{text}");
        assert!(text.contains("eu-west-1"), "{text}");
        assert!(text.contains("aws_secret_access_key"), "{text}");
        assert!(text.contains("** redacted **"), "{text}");
    }
    // The values themselves are still there for those who ask.
    assert_eq!(profile.get("aws_session_token"), Some("TOKENVALUE"));
}
