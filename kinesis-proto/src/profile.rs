//! The AWS shared `config` and `credentials` files, parsed from their text.
//!
//! The rules are the AWS SDKs' (the format the AWS CLI writes):
//! - `[name]` opens a profile in the credentials file; `[profile name]` (or
//!   `[default]`) in the config file, where `[services name]` sections hold
//!   per-service settings. `[profile default]` beats `[default]`.
//! - `key = value` lines; keys are case-insensitive, whitespace around keys
//!   and values is trimmed.
//! - Lines starting with `#` or `;` are comments; in a value, `#` or `;`
//!   starts a comment only after whitespace (`secret#1` stays whole); in a
//!   section header it always does.
//! - An indented line continues the property above it. After a property with
//!   an empty value (`s3 =`) indented lines are `key = value` sub-properties.
//! - Sections and keys whose names are not identifiers
//!   (`[A-Za-z0-9_-/.%@:+]`) are skipped with a warning, as are profile
//!   sections in the wrong file.
//! - Both files may define the same profile; the credentials file wins for
//!   the keys both set.
//!
//! One deliberate leniency over the SDKs: an indented line whose text starts
//! with `#` or `;` is a comment (as in the AWS CLI), not a continuation.
//!
//! This module reads no file: hand it the texts. [`profile_file_paths`]
//! says where the files are.
//!
//! ```
//! use kinesis_proto::profile::ProfileSet;
//! let config = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-east-1 ; the test region\n";
//! let credentials = "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalr#XUtn\n";
//! let profiles = ProfileSet::parse(Some(config), Some(credentials)).unwrap();
//! let dev = profiles.profile("dev").unwrap();
//! assert_eq!(dev.get("region"), Some("us-east-1"));
//! assert_eq!(dev.get("AWS_Secret_Access_Key"), Some("wJalr#XUtn"));
//! assert_eq!(profiles.profile("default").unwrap().get("region"), Some("eu-west-1"));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::environment::{lookup, Environment};

/// Which of the two shared files a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `~/.aws/config` (or `AWS_CONFIG_FILE`).
    Config,
    /// `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`).
    Credentials,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Config => "AWS config file",
            FileKind::Credentials => "AWS credentials file",
        })
    }
}

/// A line of a profile file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file the line is in.
    pub file: FileKind,
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}: {}", self.file, self.line, self.problem)
    }
}

impl std::error::Error for ParseError {}

/// One profile: its properties, keys in lower case.
///
/// `Debug` shows every key but never the value of a secret one
/// (`aws_secret_access_key`, `aws_session_token`, `aws_security_token`), as
/// [`Credentials`](crate::Credentials) does:
/// ```
/// use kinesis_proto::profile::ProfileSet;
/// let text = "[default]\naws_access_key_id = AKID\naws_secret_access_key = wJalr\n";
/// let set = ProfileSet::parse(None, Some(text)).unwrap();
/// let shown = format!("{set:?}");
/// assert!(shown.contains("AKID") && !shown.contains("wJalr"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: BTreeMap<String, String>,
}

/// Keys whose values `Debug` never shows (keys are stored in lower case).
const SECRET_KEYS: [&str; 3] = [
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
];

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Properties<'a>(&'a BTreeMap<String, String>);
        impl fmt::Debug for Properties<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (key, value) in self.0 {
                    let shown: &str = if SECRET_KEYS.contains(&key.as_str()) {
                        "** redacted **"
                    } else {
                        value
                    };
                    map.entry(key, &shown);
                }
                map.finish()
            }
        }
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("properties", &Properties(&self.properties))
            .finish()
    }
}

impl Profile {
    /// The profile's name (`default`, `dev`…).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The value of `key` (any case), if set. A property with
    /// sub-properties holds them as its text, one per line.
    pub fn get(&self, key: &str) -> Option<&str> {
        let found = match self.properties.get(key) {
            Some(v) => Some(v),
            None => self.properties.get(&key.to_ascii_lowercase()),
        };
        found.map(String::as_str)
    }
    /// The value of `key` unless it is empty.
    pub(crate) fn get_nonempty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }
    /// Every key, in lower case.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }
}

/// A `[services name]` section: service id to its settings.
type Services = BTreeMap<String, BTreeMap<String, String>>;

/// Every profile of a config file and a credentials file, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    services: BTreeMap<String, Services>,
    config_profiles: Vec<String>,
    sso_sessions: BTreeMap<String, Profile>,
}

impl ProfileSet {
    /// Parses the texts of the config and credentials files (either may be
    /// absent) and merges them; the credentials file wins where both set a
    /// key. Fails on the first line that does not parse.
    pub fn parse(
        config: Option<&str>,
        credentials: Option<&str>,
    ) -> Result<ProfileSet, ParseError> {
        let mut set = ProfileSet::default();
        if let Some(text) = config {
            set.merge(FileKind::Config, parse_file(FileKind::Config, text)?);
        }
        if let Some(text) = credentials {
            set.merge(
                FileKind::Credentials,
                parse_file(FileKind::Credentials, text)?,
            );
        }
        Ok(set)
    }

    /// The profile called `name` (names are case-sensitive).
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The names of every profile.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The `[sso-session name]` section of the config file, if any.
    ///
    /// ```
    /// use kinesis_proto::profile::ProfileSet;
    /// let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    /// let set = ProfileSet::parse(Some(config), None).unwrap();
    /// assert_eq!(set.sso_session("corp").unwrap().get("sso_region"), Some("eu-west-1"));
    /// ```
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// Whether the config file (rather than only the credentials file)
    /// defines profile `name`.
    pub(crate) fn in_config_file(&self, name: &str) -> bool {
        self.config_profiles.iter().any(|p| p == name)
    }

    /// A setting `key` for `service` (lower-case service id such as
    /// `kinesis`) in the `[services section]` section.
    ///
    /// ```
    /// use kinesis_proto::profile::ProfileSet;
    /// let config = "[profile dev]\nservices = local\n[services local]\nkinesis =\n  endpoint_url = http://127.0.0.1:4567\n";
    /// let set = ProfileSet::parse(Some(config), None).unwrap();
    /// assert_eq!(set.service_setting("local", "kinesis", "endpoint_url"), Some("http://127.0.0.1:4567"));
    /// ```
    pub fn service_setting(&self, section: &str, service: &str, key: &str) -> Option<&str> {
        self.services
            .get(section)?
            .get(&service.to_ascii_lowercase())?
            .get(&key.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The endpoint URL profile `profile` sets for `service`: its services
    /// section's `service.endpoint_url`, else its own `endpoint_url`.
    pub fn endpoint_url(&self, profile: &str, service: &str) -> Option<&str> {
        let p = self.profile(profile)?;
        p.get_nonempty("services")
            .and_then(|section| self.service_setting(section, service, "endpoint_url"))
            .filter(|v| !v.is_empty())
            .or_else(|| p.get_nonempty("endpoint_url"))
    }

    fn merge(&mut self, kind: FileKind, raw: Vec<RawSection>) {
        let has_profile_default = kind == FileKind::Config
            && raw
                .iter()
                .any(|s| section_name(&s.header) == (Some("profile"), "default"));
        for section in raw {
            let (prefix, name) = section_name(&section.header);
            let profile = match (kind, prefix) {
                (FileKind::Config, None) if name == "default" => {
                    if has_profile_default {
                        log::warn!(
                            "{kind}: [default] ignored because [profile default] takes priority"
                        );
                        continue;
                    }
                    name
                }
                (FileKind::Config, None) => {
                    log::warn!("{kind}: section [{name}] ignored; config file profiles are written [profile {name}]");
                    continue;
                }
                (FileKind::Config, Some("profile")) | (FileKind::Credentials, None) => name,
                (FileKind::Config, Some("services")) => {
                    if !is_identifier(name) {
                        log::warn!("{kind}: section [services {name}] ignored; the name is not an identifier");
                        continue;
                    }
                    let services = self.services.entry(name.to_owned()).or_default();
                    for (service, text) in section.properties {
                        let settings = services.entry(service).or_default();
                        for line in text.lines() {
                            if let Some((k, v)) = line.split_once('=') {
                                let k = k.trim_matches(WHITESPACE).to_ascii_lowercase();
                                settings.insert(k, v.trim_matches(WHITESPACE).to_owned());
                            }
                        }
                    }
                    continue;
                }
                (FileKind::Config, Some("sso-session")) => {
                    let entry =
                        self.sso_sessions
                            .entry(name.to_owned())
                            .or_insert_with(|| Profile {
                                name: name.to_owned(),
                                properties: BTreeMap::new(),
                            });
                    entry.properties.extend(section.properties);
                    continue;
                }
                (FileKind::Config, Some(_)) => continue,
                (FileKind::Credentials, Some(prefix)) => {
                    log::warn!("{kind}: section [{prefix} {name}] ignored; credentials file profiles are written [{name}]");
                    continue;
                }
            };
            if !is_identifier(profile) {
                log::warn!("{kind}: profile [{profile}] ignored; the name is not an identifier");
                continue;
            }
            if kind == FileKind::Config && !self.in_config_file(profile) {
                self.config_profiles.push(profile.to_owned());
            }
            let entry = self
                .profiles
                .entry(profile.to_owned())
                .or_insert_with(|| Profile {
                    name: profile.to_owned(),
                    properties: BTreeMap::new(),
                });
            for (key, value) in section.properties {
                if is_identifier(&key) {
                    entry.properties.insert(key, value);
                } else {
                    log::warn!(
                        "{kind}: key {key:?} in profile {profile} ignored; it is not an identifier"
                    );
                }
            }
        }
    }
}

/// Whitespace as the profile format counts it.
const WHITESPACE: &[char] = &[' ', '\t'];
/// Comment starters.
const COMMENT: &[char] = &['#', ';'];

/// A section as written: its header text and its properties in order.
struct RawSection {
    header: String,
    properties: Vec<(String, String)>,
}

/// `profile name` gives (`profile`, `name`); `name` gives (None, `name`).
fn section_name(header: &str) -> (Option<&str>, &str) {
    let header = header.trim_matches(WHITESPACE);
    match header.split_once(WHITESPACE) {
        Some((prefix, name)) => (Some(prefix), name.trim_matches(WHITESPACE)),
        None => (None, header),
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// Trims `line` and cuts a trailing comment: one that follows whitespace
/// when `comment_needs_space`, else any.
fn strip_comment(line: &str, comment_needs_space: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut after_space = false;
    for (i, c) in line.char_indices() {
        if COMMENT.contains(&c) && (after_space || !comment_needs_space) {
            return line[..i].trim_matches(WHITESPACE);
        }
        after_space = WHITESPACE.contains(&c);
    }
    line
}

/// Splits `key = value` (comment already stripped); the key in lower case.
fn split_property(line: &str) -> Result<(String, &str), &'static str> {
    let (k, v) = line.split_once('=').ok_or("expected `key = value`")?;
    let k = k.trim_matches(WHITESPACE);
    if k.is_empty() {
        return Err("the property has no name before '='");
    }
    Ok((k.to_ascii_lowercase(), v.trim_matches(WHITESPACE)))
}

/// Parses one file into its sections, without judging section names.
fn parse_file(file: FileKind, text: &str) -> Result<Vec<RawSection>, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<RawSection> = Vec::new();
    // Whether the last property had an empty value (so indented lines
    // below it are sub-properties).
    let mut last_was_parent = false;
    for (i, line) in text.lines().enumerate() {
        let err = |problem: &str| ParseError {
            file,
            line: i + 1,
            problem: problem.to_owned(),
        };
        let trimmed = line.trim_matches(WHITESPACE);
        if trimmed.is_empty() || trimmed.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            let header = strip_comment(line, false);
            let inner = header
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .ok_or_else(|| err("a section header must end with ']'"))?;
            sections.push(RawSection {
                header: inner.to_owned(),
                properties: Vec::new(),
            });
            last_was_parent = false;
            continue;
        }
        let section = sections.last_mut().ok_or_else(|| {
            err("expected a section header such as [default] before any property")
        })?;
        if line.starts_with(WHITESPACE) {
            let (_, value) = section.properties.last_mut().ok_or_else(|| {
                err("an indented line continues a property, but there is none above it")
            })?;
            let content = strip_comment(line, true);
            if last_was_parent {
                split_property(content).map_err(|why| err(&format!("in a sub-property: {why}")))?;
            }
            value.push('\n');
            value.push_str(content);
            continue;
        }
        let (key, value) = split_property(strip_comment(line, true)).map_err(err)?;
        last_was_parent = value.is_empty();
        section.properties.push((key, value.to_owned()));
    }
    Ok(sections)
}

/// Where the shared files are: `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` when set, else `~/.aws/config` and
/// `~/.aws/credentials`. A leading `~` expands to `home_dir`; without a
/// home directory the default paths are unknown (`None`).
///
/// ```
/// use std::path::Path;
/// use kinesis_proto::profile::profile_file_paths;
/// let env = [("AWS_CONFIG_FILE", "~/work/aws-config")];
/// let (config, credentials) = profile_file_paths(&env, Some(Path::new("/home/ana")));
/// assert_eq!(config.unwrap(), Path::new("/home/ana/work/aws-config"));
/// assert_eq!(credentials.unwrap(), Path::new("/home/ana/.aws/credentials"));
/// ```
pub fn profile_file_paths<E: Environment + ?Sized>(
    env: &E,
    home_dir: Option<&Path>,
) -> (Option<PathBuf>, Option<PathBuf>) {
    let pick = |var: &str, default: &str| match lookup(env, var) {
        Some(path) => Some(expand_home(&path, home_dir)),
        None => home_dir.map(|home| home.join(".aws").join(default)),
    };
    (
        pick("AWS_CONFIG_FILE", "config"),
        pick("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    )
}

/// The home directory the environment names: `HOME`, else `USERPROFILE`,
/// else `HOMEDRIVE` + `HOMEPATH` (Windows).
///
/// ```
/// use kinesis_proto::profile::home_dir;
/// assert_eq!(home_dir(&[("USERPROFILE", r"C:\Users\ana")]).unwrap().to_str(), Some(r"C:\Users\ana"));
/// assert_eq!(home_dir(&[] as &[(&str, &str)]), None);
/// ```
pub fn home_dir<E: Environment + ?Sized>(env: &E) -> Option<PathBuf> {
    lookup(env, "HOME")
        .or_else(|| lookup(env, "USERPROFILE"))
        .or_else(|| {
            Some(format!(
                "{}{}",
                lookup(env, "HOMEDRIVE")?,
                lookup(env, "HOMEPATH")?
            ))
        })
        .map(PathBuf::from)
}

fn expand_home(path: &str, home_dir: Option<&Path>) -> PathBuf {
    match (home_dir, path.strip_prefix('~')) {
        (Some(home), Some("")) => home.to_path_buf(),
        (Some(home), Some(rest)) if rest.starts_with(['/', '\\']) => home.join(&rest[1..]),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests;
