//! One fetch of credentials from a [`Provider`]: a state machine that asks
//! for I/O ([`Need`]) and reads the answers ([`Answer`]).
//!
//! ```text
//!  poll ──► Need ──► (driver does it) ──► handle ──► poll ──► … ──► Done
//! ```
//! Sources, and what each asks for in order:
//! - static keys: nothing;
//! - web identity: the token file, then STS `AssumeRoleWithWebIdentity`;
//! - IMDS: `PUT` token (IMDSv1 without it where allowed), role name,
//!   credentials; transport failures and 5xx tried [`imds::ATTEMPTS`] times;
//! - container: the token file if configured, then the endpoint;
//! - `credential_process`: the process;
//! - SSO: the cache file, an OIDC `CreateToken` refresh of an
//!   `sso_session` token near expiry (written back to the cache), then the
//!   portal;
//!
//! then one STS `AssumeRole` per role of the chain.

use std::time::Duration;

use time::OffsetDateTime;

use super::container::{self, Container};
use super::imds::{self, Imds, TokenAnswer};
use super::need::{Answer, FileError, Need};
use super::process;
use super::provider::{Provider, Source, WebIdentity};
use super::sso::{self, Sso};
use super::sts;
use super::text::{transport, usage, Secret};
use super::Credentials;
use crate::error::Error;

/// What [`Fetch::poll`] says to do next.
#[derive(Debug)]
#[must_use]
pub enum Step {
    /// Do this I/O and hand its result to [`Fetch::handle`].
    Need(Need),
    /// The fetch is over.
    Done(Result<Credentials, Error>),
}

/// Where a fetch is.
#[derive(Debug)]
enum Stage {
    Start,
    WebIdentityToken,
    WebIdentitySts,
    ImdsToken {
        attempt: u8,
    },
    ImdsRole {
        token: Option<Secret>,
        attempt: u8,
    },
    ImdsCredentials {
        token: Option<Secret>,
        role: String,
        attempt: u8,
    },
    ContainerToken,
    Container {
        token: Option<Secret>,
        attempt: u8,
    },
    Process,
    SsoCache,
    SsoRefresh {
        cached: sso::Cached,
    },
    SsoWrite {
        token: Secret,
    },
    SsoPortal,
    Role {
        index: usize,
    },
    Finished,
}

/// What comes out next.
#[derive(Debug)]
enum Next {
    Start,
    Need(Need),
    Waiting,
    Done(Result<Credentials, Error>),
    Over,
}

/// Fetches credentials once from a [`Provider`]. Poll it, do what each
/// [`Step::Need`] says, hand the result to [`Fetch::handle`], until
/// [`Step::Done`]. See the [module docs](super) for a whole loop.
#[derive(Debug)]
pub struct Fetch {
    provider: Provider,
    stage: Stage,
    next: Next,
}

fn session_name(given: Option<&str>, wall: OffsetDateTime) -> String {
    given.map_or_else(
        || format!("kinesis-rs-{}", wall.unix_timestamp_nanos() / 1_000_000),
        str::to_owned,
    )
}

impl Fetch {
    /// A fetch from `provider` (cloned: the fetch owns what it needs).
    pub fn new(provider: &Provider) -> Fetch {
        Fetch {
            provider: provider.clone(),
            stage: Stage::Start,
            next: Next::Start,
        }
    }

    /// What to do next, with the wall clock now (for signing STS requests
    /// and judging token expiry).
    pub fn poll(&mut self, wall: OffsetDateTime) -> Step {
        loop {
            match std::mem::replace(&mut self.next, Next::Waiting) {
                Next::Start => self.next = self.start(wall),
                Next::Need(need) => return Step::Need(need),
                Next::Waiting => {
                    self.next = Next::Waiting;
                    return Step::Done(Err(usage(
                        "a credentials fetch was polled before its last need was answered",
                    )));
                }
                Next::Done(result) => {
                    self.stage = Stage::Finished;
                    self.next = Next::Over;
                    return Step::Done(result.map_err(|e| self.with_context(e)));
                }
                Next::Over => {
                    self.next = Next::Over;
                    return Step::Done(Err(usage("this credentials fetch is over")));
                }
            }
        }
    }

    /// IMDS is the chain's last resort: when it fails (off EC2, mostly),
    /// say what else was looked at.
    fn with_context(&self, e: Error) -> Error {
        if !matches!(self.provider.source, Source::Imds(_)) || self.provider.skipped.is_empty() {
            return e;
        }
        let note = format!(
            "; no other credentials source is configured: looked in {}",
            self.provider.skipped.join(", ")
        );
        match e {
            Error::Transport(mut t) => {
                t.message.push_str(&note);
                Error::Transport(t)
            }
            Error::Service(mut s) => {
                let mut m = s.message.take().unwrap_or_default();
                m.push_str(&note);
                s.message = Some(m);
                Error::Service(s)
            }
            Error::Usage(mut u) => {
                u.problem.push_str(&note);
                Error::Usage(u)
            }
            Error::Response(mut r) => {
                r.reason.push_str(&note);
                Error::Response(r)
            }
        }
    }

    fn http(request: Result<http::Request<Vec<u8>>, Error>, timeout: Duration) -> Next {
        match request {
            Ok(request) => Next::Need(Need::Http { request, timeout }),
            Err(e) => Next::Done(Err(e)),
        }
    }

    fn start(&mut self, wall: OffsetDateTime) -> Next {
        match &self.provider.source {
            Source::Static(c) => self.after_source(c.clone(), wall),
            Source::WebIdentity(w) => {
                self.stage = Stage::WebIdentityToken;
                Next::Need(Need::File {
                    path: w.token_file.clone(),
                })
            }
            Source::Imds(i) => {
                self.stage = Stage::ImdsToken { attempt: 1 };
                Fetch::http(imds::token_request(&i.endpoint), imds::TIMEOUT)
            }
            Source::Container(c) => match &c.token_file {
                Some(path) => {
                    self.stage = Stage::ContainerToken;
                    Next::Need(Need::File { path: path.clone() })
                }
                None => {
                    let token = c.token.clone();
                    self.container_request(token, 1)
                }
            },
            Source::Process(command) => {
                self.stage = Stage::Process;
                Next::Need(Need::Process {
                    command: command.clone(),
                    timeout: process::TIMEOUT,
                })
            }
            Source::Sso(s) => {
                self.stage = Stage::SsoCache;
                Next::Need(Need::File {
                    path: s.cache_file(),
                })
            }
        }
    }

    fn container(&self) -> Option<&Container> {
        match &self.provider.source {
            Source::Container(c) => Some(c),
            _ => None,
        }
    }

    fn container_request(&mut self, token: Option<Secret>, attempt: u8) -> Next {
        let Some(c) = self.container() else {
            return Next::Done(Err(usage("internal: not a container source")));
        };
        let request = container::request(&c.uri, token.as_ref().map(|t| t.0.as_str()));
        self.stage = Stage::Container { token, attempt };
        Fetch::http(request, container::TIMEOUT)
    }

    fn imds(&self) -> Option<&Imds> {
        match &self.provider.source {
            Source::Imds(i) => Some(i),
            _ => None,
        }
    }

    fn imds_role(&mut self, token: Option<Secret>, attempt: u8) -> Next {
        let Some(i) = self.imds() else {
            return Next::Done(Err(usage("internal: not an IMDS source")));
        };
        let request = imds::role_request(&i.endpoint, token.as_ref().map(|t| t.0.as_str()));
        self.stage = Stage::ImdsRole { token, attempt };
        Fetch::http(request, imds::TIMEOUT)
    }

    fn imds_credentials(&mut self, token: Option<Secret>, role: String, attempt: u8) -> Next {
        let Some(i) = self.imds() else {
            return Next::Done(Err(usage("internal: not an IMDS source")));
        };
        let request =
            imds::credentials_request(&i.endpoint, &role, token.as_ref().map(|t| t.0.as_str()));
        self.stage = Stage::ImdsCredentials {
            token,
            role,
            attempt,
        };
        Fetch::http(request, imds::TIMEOUT)
    }

    /// The source gave `credentials`: assume the chain's first role, or end.
    fn after_source(&mut self, credentials: Credentials, wall: OffsetDateTime) -> Next {
        self.assume(0, credentials, wall)
    }

    fn assume(&mut self, index: usize, credentials: Credentials, wall: OffsetDateTime) -> Next {
        let Some(role) = self.provider.roles.get(index) else {
            self.stage = Stage::Finished;
            return Next::Done(Ok(credentials));
        };
        let name = session_name(role.session_name.as_deref(), wall);
        let request = sts::assume_role_request(
            &self.provider.sts_endpoint,
            &self.provider.sts_region,
            role,
            &name,
            &credentials,
            wall,
        );
        self.stage = Stage::Role { index };
        Fetch::http(request, sts::TIMEOUT)
    }

    /// Hands in the result of the last [`Step::Need`], with the wall clock
    /// now.
    pub fn handle(&mut self, answer: Answer, wall: OffsetDateTime) {
        let stage = std::mem::replace(&mut self.stage, Stage::Finished);
        self.next = match (stage, answer) {
            (Stage::WebIdentityToken, Answer::File(file)) => self.web_identity_token(file, wall),
            (Stage::WebIdentitySts, Answer::Http(r)) => match r {
                Ok(r) => match sts::parse_response(&r) {
                    Ok(c) => self.after_source(c, wall),
                    Err(e) => Next::Done(Err(e)),
                },
                Err(e) => Next::Done(Err(transport("STS", e))),
            },
            (Stage::ImdsToken { attempt }, Answer::Http(r)) => self.imds_token(r, attempt),
            (Stage::ImdsRole { token, attempt }, Answer::Http(r)) => match r {
                Err(e) if attempt < imds::ATTEMPTS => {
                    log::debug!("IMDS role request failed, trying again: {e}");
                    self.imds_role(token, attempt + 1)
                }
                Err(e) => Next::Done(Err(transport("IMDS", e))),
                Ok(r) if r.status().is_server_error() && attempt < imds::ATTEMPTS => {
                    self.imds_role(token, attempt + 1)
                }
                Ok(r) => match imds::parse_role(&r) {
                    Ok(role) => self.imds_credentials(token, role, 1),
                    Err(e) => Next::Done(Err(e)),
                },
            },
            (
                Stage::ImdsCredentials {
                    token,
                    role,
                    attempt,
                },
                Answer::Http(r),
            ) => match r {
                Err(e) if attempt < imds::ATTEMPTS => {
                    log::debug!("IMDS credentials request failed, trying again: {e}");
                    self.imds_credentials(token, role, attempt + 1)
                }
                Err(e) => Next::Done(Err(transport("IMDS", e))),
                Ok(r) if r.status().is_server_error() && attempt < imds::ATTEMPTS => {
                    self.imds_credentials(token, role, attempt + 1)
                }
                Ok(r) => match imds::parse_credentials(&r) {
                    Ok(c) => self.after_source(c, wall),
                    Err(e) => Next::Done(Err(e)),
                },
            },
            (Stage::ContainerToken, Answer::File(file)) => match file {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => self.container_request(Some(Secret(t.trim().to_owned())), 1),
                    Err(_) => Next::Done(Err(usage(
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE does not hold text",
                    ))),
                },
                Err(e) => Next::Done(Err(usage(format!(
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE cannot be read: {e}"
                )))),
            },
            (Stage::Container { token, attempt }, Answer::Http(r)) => match r {
                Err(e) if attempt < container::ATTEMPTS => {
                    log::debug!("container credentials request failed, trying again: {e}");
                    self.container_request(token, attempt + 1)
                }
                Err(e) => Next::Done(Err(transport("container credentials endpoint", e))),
                Ok(r) if r.status().is_server_error() && attempt < container::ATTEMPTS => {
                    self.container_request(token, attempt + 1)
                }
                Ok(r) => match container::parse_response(&r) {
                    Ok(c) => self.after_source(c, wall),
                    Err(e) => Next::Done(Err(e)),
                },
            },
            (Stage::Process, Answer::Process(out)) => match out {
                Ok(out) => match process::parse_output(&out) {
                    Ok(c) => self.after_source(c, wall),
                    Err(e) => Next::Done(Err(e)),
                },
                Err(e) => Next::Done(Err(usage(format!("credential_process could not run: {e}")))),
            },
            (Stage::SsoCache, Answer::File(file)) => self.sso_token(file, wall),
            (Stage::SsoRefresh { cached }, Answer::Http(r)) => self.sso_refreshed(cached, r, wall),
            (Stage::SsoWrite { token }, Answer::Written(result)) => {
                if let Err(e) = result {
                    log::warn!("cannot write the refreshed SSO token back to its cache: {e}");
                }
                self.sso_portal(token)
            }
            (Stage::SsoPortal, Answer::Http(r)) => match r {
                Ok(r) => match sso::parse_role_credentials(&r) {
                    Ok(c) => self.after_source(c, wall),
                    Err(e) => Next::Done(Err(e)),
                },
                Err(e) => Next::Done(Err(transport("SSO portal", e))),
            },
            (Stage::Role { index }, Answer::Http(r)) => match r {
                Ok(r) => match sts::parse_response(&r) {
                    Ok(c) => self.assume(index + 1, c, wall),
                    Err(e) => Next::Done(Err(e)),
                },
                Err(e) => Next::Done(Err(transport("STS", e))),
            },
            (stage, answer) => {
                log::warn!("credentials fetch at {stage:?} was handed {answer:?}");
                Next::Done(Err(usage(
                    "a credentials fetch was handed an answer it did not ask for",
                )))
            }
        };
    }

    fn web_identity(&self) -> Option<&WebIdentity> {
        match &self.provider.source {
            Source::WebIdentity(w) => Some(w),
            _ => None,
        }
    }

    fn web_identity_token(
        &mut self,
        file: Result<Vec<u8>, FileError>,
        wall: OffsetDateTime,
    ) -> Next {
        let Some(w) = self.web_identity() else {
            return Next::Done(Err(usage("internal: not a web identity source")));
        };
        let token = match file {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) if !t.trim().is_empty() => Secret(t.trim().to_owned()),
                _ => {
                    return Next::Done(Err(usage(format!(
                        "the web identity token file {} is empty or not text",
                        w.token_file.display()
                    ))))
                }
            },
            Err(e) => {
                return Next::Done(Err(usage(format!(
                    "the web identity token file {} cannot be read: {e}",
                    w.token_file.display()
                ))))
            }
        };
        let name = session_name(w.session_name.as_deref(), wall);
        let request = sts::assume_role_with_web_identity_request(
            &self.provider.sts_endpoint,
            &w.role_arn,
            &name,
            &token.0,
            None,
        );
        self.stage = Stage::WebIdentitySts;
        Fetch::http(request, sts::TIMEOUT)
    }

    fn imds_token(
        &mut self,
        answer: Result<http::Response<Vec<u8>>, crate::error::TransportError>,
        attempt: u8,
    ) -> Next {
        let Some(i) = self.imds() else {
            return Next::Done(Err(usage("internal: not an IMDS source")));
        };
        let v1_disabled = i.v1_disabled;
        let endpoint = i.endpoint.clone();
        let fallback = |this: &mut Fetch, why: String| {
            if v1_disabled {
                Next::Done(Err(usage(format!(
                    "IMDSv2 is not available at {endpoint} ({why}) and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)"
                ))))
            } else {
                log::debug!("IMDSv2 not available ({why}); trying IMDSv1");
                this.imds_role(None, 1)
            }
        };
        match answer {
            Err(e) if attempt < imds::ATTEMPTS => {
                log::debug!("IMDS token request failed, trying again: {e}");
                self.stage = Stage::ImdsToken {
                    attempt: attempt + 1,
                };
                Fetch::http(imds::token_request(&endpoint), imds::TIMEOUT)
            }
            Err(e) => Next::Done(Err(transport(&format!("IMDS at {endpoint}"), e))),
            Ok(r) if r.status().is_server_error() && attempt < imds::ATTEMPTS => {
                self.stage = Stage::ImdsToken {
                    attempt: attempt + 1,
                };
                Fetch::http(imds::token_request(&endpoint), imds::TIMEOUT)
            }
            Ok(r) => match imds::parse_token(&r) {
                TokenAnswer::Token(t) => self.imds_role(Some(Secret(t)), 1),
                TokenAnswer::Unsupported => fallback(
                    self,
                    format!("the token request answered HTTP {}", r.status().as_u16()),
                ),
                TokenAnswer::Failed(e) => Next::Done(Err(e)),
            },
        }
    }

    fn sso(&self) -> Option<&Sso> {
        match &self.provider.source {
            Source::Sso(s) => Some(s),
            _ => None,
        }
    }

    fn sso_token(&mut self, file: Result<Vec<u8>, FileError>, wall: OffsetDateTime) -> Next {
        let Some(s) = self.sso() else {
            return Next::Done(Err(usage("internal: not an SSO source")));
        };
        let cached = match file {
            Ok(bytes) => match sso::parse_cache(s, &bytes) {
                Ok(c) => c,
                Err(e) => return Next::Done(Err(e)),
            },
            Err(FileError::NotFound) => return Next::Done(Err(sso::missing_cache(s))),
            Err(e) => {
                return Next::Done(Err(usage(format!(
                    "the SSO token cache {} cannot be read: {e}",
                    s.cache_file().display()
                ))))
            }
        };
        // An sso_session token near its expiry is refreshed (the legacy
        // keys cannot be); an expired one that cannot be is an error.
        let due = cached.expires - sso::REFRESH_AHEAD <= wall;
        if due && s.session_name.is_some() && cached.can_refresh(wall) {
            let request = cached.refresh_request(s);
            self.stage = Stage::SsoRefresh { cached };
            return Fetch::http(request, sso::TIMEOUT);
        }
        if cached.expires <= wall {
            return Next::Done(Err(sso::expired(s)));
        }
        self.sso_portal(cached.token)
    }

    fn sso_portal(&mut self, token: Secret) -> Next {
        let Some(s) = self.sso() else {
            return Next::Done(Err(usage("internal: not an SSO source")));
        };
        let request = sso::role_credentials_request(s, &token.0);
        self.stage = Stage::SsoPortal;
        Fetch::http(request, sso::TIMEOUT)
    }

    fn sso_refreshed(
        &mut self,
        cached: sso::Cached,
        answer: Result<http::Response<Vec<u8>>, crate::error::TransportError>,
        wall: OffsetDateTime,
    ) -> Next {
        let Some(s) = self.sso() else {
            return Next::Done(Err(usage("internal: not an SSO source")));
        };
        let (old_token, old_expires) = (cached.token.clone(), cached.expires);
        let refreshed = match answer {
            Ok(r) => cached.refreshed(&r, wall),
            Err(e) => Err(transport("SSO OIDC", e)),
        };
        match refreshed {
            Ok((new, contents)) => {
                let path = s.cache_file();
                self.stage = Stage::SsoWrite { token: new.token };
                Next::Need(Need::WriteFile { path, contents })
            }
            Err(e) if old_expires > wall => {
                log::warn!(
                    "SSO token refresh failed, using the cached token until it expires: {e}"
                );
                self.sso_portal(old_token)
            }
            Err(e) => {
                log::warn!("SSO token refresh failed: {e}");
                Next::Done(Err(sso::expired(s)))
            }
        }
    }
}
