//! Host names to addresses for ureq: IP addresses without a lookup, host
//! names looked up once every few seconds rather than at every call.
//!
//! ureq asks its resolver at every request, before it looks for an idle
//! connection, and its default resolver starts a thread for every lookup
//! made under a time limit (this client always sets one). Starting and
//! ending a thread maps and unmaps its stacks, and each unmapping
//! interrupts every core running the process to flush its TLB: with 16
//! threads calling, that costs more CPU than the call itself. This
//! resolver keeps ureq's rules otherwise: a lookup that has to happen runs
//! on a thread of its own within the time limit, and fails as
//! `HostNotFound` when it finds nothing.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{mpsc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use kinesis_proto::http::Uri;
use ureq::config::Config;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are used before they are looked up
/// again. Only new connections use them, so this bounds how late a client
/// that keeps opening connections sees a DNS change.
const KEEP: Duration = Duration::from_secs(5);

/// Looks up a host name; the system's resolver, or a test's.
type Lookup = fn(&str, u16) -> io::Result<Vec<SocketAddr>>;

/// A resolver that answers IP addresses at once and keeps host names'
/// answers for [`KEEP`].
pub(crate) struct CachingResolver {
    lookup: Lookup,
    /// Host, port, when looked up, what was found. A client talks to a
    /// handful of hosts, so a list does.
    cache: Mutex<Vec<(String, u16, Instant, ResolvedSocketAddrs)>>,
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingResolver").finish_non_exhaustive()
    }
}

impl CachingResolver {
    /// A resolver using the system's lookup (`getaddrinfo`).
    pub(crate) fn new() -> Self {
        CachingResolver::with_lookup(|host, port| {
            (host, port).to_socket_addrs().map(Vec::from_iter)
        })
    }

    fn with_lookup(lookup: Lookup) -> Self {
        CachingResolver {
            lookup,
            cache: Mutex::new(Vec::new()),
        }
    }

    fn cached(&self, host: &str, port: u16, now: Instant) -> Option<ResolvedSocketAddrs> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .iter()
            .find(|(h, p, at, _)| {
                h == host && *p == port && now.saturating_duration_since(*at) < KEEP
            })
            .map(|(_, _, _, addrs)| addrs.clone())
    }

    fn remember(&self, host: &str, port: u16, now: Instant, addrs: &ResolvedSocketAddrs) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.retain(|(h, p, at, _)| {
            !(h == host && *p == port) && now.saturating_duration_since(*at) < KEEP
        });
        cache.push((host.to_owned(), port, now, addrs.clone()));
    }

    /// Looks `host` up within `timeout`: on this thread when there is no
    /// limit, else on a thread of its own that is given up on at the limit.
    fn look_up(
        &self,
        host: &str,
        port: u16,
        timeout: NextTimeout,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        if timeout.after.is_not_happening() {
            return (self.lookup)(host, port).map_err(ureq::Error::Io);
        }
        let (tx, rx) = mpsc::sync_channel(1);
        let (lookup, owned) = (self.lookup, host.to_owned());
        thread::spawn(move || {
            let _ = tx.send(lookup(&owned, port));
        });
        match rx.recv_timeout(*timeout.after) {
            Ok(found) => found.map_err(ureq::Error::Io),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ureq::Error::Timeout(timeout.reason)),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(ureq::Error::HostNotFound),
        }
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri
            .host()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .filter(|h| !h.is_empty())
            .ok_or_else(|| ureq::Error::BadUri(format!("{uri} names no host")))?;
        let port = match (uri.port_u16(), uri.scheme_str()) {
            (Some(port), _) => port,
            (None, Some("https")) => 443,
            (None, Some("http")) => 80,
            (None, _) => return Err(ureq::Error::BadUri(format!("{uri} names no port"))),
        };
        let mut addrs = self.empty();
        if let Ok(ip) = host.parse::<IpAddr>() {
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let now = Instant::now();
        if let Some(addrs) = self.cached(host, port, now) {
            return Ok(addrs);
        }
        let found = self.look_up(host, port, timeout)?;
        // As many as ureq takes.
        for addr in found.into_iter().take(16) {
            addrs.push(addr);
        }
        if addrs.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        self.remember(host, port, now, &addrs);
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ureq::unversioned::transport::time;

    use super::*;

    fn no_limit() -> NextTimeout {
        NextTimeout {
            after: time::Duration::NotHappening,
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        }
    }

    fn limit(d: Duration) -> NextTimeout {
        NextTimeout {
            after: time::Duration::Exact(d),
            ..no_limit()
        }
    }

    fn resolve(
        r: &CachingResolver,
        uri: &str,
        timeout: NextTimeout,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = uri.parse().expect("a test URI");
        r.resolve(&uri, &Config::default(), timeout)
            .map(|a| a.iter().copied().collect())
    }

    static LOOKUPS: AtomicUsize = AtomicUsize::new(0);

    fn counting(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        LOOKUPS.fetch_add(1, Ordering::SeqCst);
        match host {
            "kinesis.test" => Ok(vec![SocketAddr::from(([192, 0, 2, 1], port))]),
            "slow.test" => {
                thread::sleep(Duration::from_millis(500));
                Ok(vec![])
            }
            _ => Ok(vec![]),
        }
    }

    #[test]
    fn ip_addresses_need_no_lookup_and_host_names_are_looked_up_once() {
        let r = CachingResolver::with_lookup(counting);
        let before = LOOKUPS.load(Ordering::SeqCst);
        for _ in 0..3 {
            let v4 = resolve(&r, "http://127.0.0.1:4568/", limit(Duration::from_secs(1)));
            assert_eq!(
                v4.expect("an IP"),
                vec![SocketAddr::from(([127, 0, 0, 1], 4568))]
            );
            let v6 = resolve(&r, "https://[::1]/", limit(Duration::from_secs(1)));
            assert_eq!(v6.expect("an IP").len(), 1);
        }
        assert_eq!(
            LOOKUPS.load(Ordering::SeqCst),
            before,
            "IP addresses were looked up"
        );
        for _ in 0..3 {
            let found = resolve(&r, "https://kinesis.test/", limit(Duration::from_secs(1)));
            assert_eq!(
                found.expect("found"),
                vec![SocketAddr::from(([192, 0, 2, 1], 443))]
            );
        }
        let found = resolve(&r, "https://kinesis.test:8443/", no_limit());
        assert_eq!(
            found.expect("found"),
            vec![SocketAddr::from(([192, 0, 2, 1], 8443))]
        );
        assert_eq!(
            LOOKUPS.load(Ordering::SeqCst),
            before + 2,
            "one lookup per host and port"
        );
    }

    #[test]
    fn nothing_found_is_host_not_found_and_is_not_kept() {
        let r = CachingResolver::with_lookup(counting);
        for _ in 0..2 {
            let e = resolve(&r, "https://nowhere.test/", no_limit()).expect_err("nothing");
            assert!(matches!(e, ureq::Error::HostNotFound), "{e:?}");
        }
        assert!(r.cache.lock().expect("unpoisoned").is_empty());
    }

    #[test]
    fn a_slow_lookup_ends_at_the_time_limit() {
        let r = CachingResolver::with_lookup(counting);
        let started = Instant::now();
        let e =
            resolve(&r, "https://slow.test/", limit(Duration::from_millis(50))).expect_err("slow");
        assert!(
            matches!(e, ureq::Error::Timeout(ureq::Timeout::Global)),
            "{e:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(400),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_system_lookup_finds_localhost() {
        let found = resolve(
            &CachingResolver::new(),
            "http://localhost:4568/",
            limit(Duration::from_secs(5)),
        );
        let found = found.expect("localhost resolves");
        assert!(
            found
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 4568),
            "{found:?}"
        );
    }
}
