//! kinesis-mock (npm `kinesis-local`, pinned in `tests/kinesis-mock/`) on
//! 127.0.0.1: installed on first use, started on free ports, stopped on drop.
//!
//! kinesis-local binds `0.0.0.0` and has no setting for the host, so the
//! harness preloads `tests/kinesis-mock/preload.js`, which makes every server
//! of the node process listen on 127.0.0.1 only. The same preload stops the
//! mock when the harness's end of its stdin closes, so a mock held in a
//! `static` (never dropped) still stops when the test binary exits.
//!
//! The certificate kinesis-local ships in its `server.json` names no host
//! (no subject alternative name), so no verifying TLS client accepts it for
//! 127.0.0.1. The harness makes its own self-signed certificate for
//! `127.0.0.1` and `localhost`, writes it in the same `server.json` format
//! and hands it to the mock with `KINESIS_MOCK_CERT_PATH`.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use kinesis_proto::{Config, Credentials, Settings};

use crate::local::{accepts_tcp, answers_http, free_ports, loopback, string_error, LocalProcess};

/// The version of `kinesis-local` that `tests/kinesis-mock/package.json` pins.
pub const KINESIS_LOCAL_VERSION: &str = "0.6.2";

/// The region the mock serves by default.
pub const REGION: &str = "us-east-1";

/// How long the mock may take to answer after it was started.
const STARTUP_DEADLINE: Duration = Duration::from_secs(120);
/// How long `npm ci` (ours or a parallel test binary's) may take.
const INSTALL_DEADLINE: Duration = Duration::from_secs(300);
/// How often a start is tried again when the mock exits at once (a port
/// taken between choosing it and binding it).
const START_TRIES: usize = 3;
/// The state-change delay the mock is started with (`CREATE_STREAM_DURATION`
/// and its kin; the mock's default is 500 ms).
const STATE_CHANGE_DELAY: &str = "100ms";

string_error! {
    /// Why the mock could not be installed or started.
    MockError
}

/// A running kinesis-mock on 127.0.0.1, stopped when dropped.
///
/// ```no_run
/// let mock = kinesis_tests::KinesisMock::start()?;
/// println!("plain {} tls {}", mock.plain_url(), mock.tls_url());
/// # Ok::<(), kinesis_tests::MockError>(())
/// ```
pub struct KinesisMock {
    /// Its standard input held open for the life of the mock: the preload
    /// stops the mock when it closes.
    process: LocalProcess,
    plain_port: u16,
    tls_port: u16,
    certificate_pem: String,
    dir: PathBuf,
}

impl fmt::Debug for KinesisMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KinesisMock")
            .field("pid", &self.process.id())
            .field("plain_port", &self.plain_port)
            .field("tls_port", &self.tls_port)
            .finish()
    }
}

impl KinesisMock {
    /// Installs kinesis-local if needed (`npm ci` into
    /// `tests/kinesis-mock/node_modules`), starts it on two free ports of
    /// 127.0.0.1 and waits until it answers.
    pub fn start() -> Result<KinesisMock, MockError> {
        let package = package_dir();
        let main_js = ensure_installed(&package)?;
        let preload = package.join("preload.js");
        let mut last = None;
        for _ in 0..START_TRIES {
            match start_once(&main_js, &preload)? {
                Ok(mock) => return Ok(mock),
                Err(early_exit) => last = Some(early_exit),
            }
        }
        Err(last.unwrap_or_else(|| fail("kinesis-mock did not start")))
    }

    /// One mock shared by every test of a test binary, started on first
    /// use. Panics, with the mock's output, if it cannot be started.
    pub fn shared() -> &'static KinesisMock {
        static SHARED: OnceLock<Result<KinesisMock, MockError>> = OnceLock::new();
        match SHARED.get_or_init(KinesisMock::start) {
            Ok(mock) => mock,
            Err(e) => panic!("{e}"),
        }
    }

    /// `http://127.0.0.1:{port}` of the plain-HTTP port.
    pub fn plain_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.plain_port)
    }

    /// `https://127.0.0.1:{port}` of the TLS port.
    pub fn tls_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.tls_port)
    }

    /// The plain-HTTP port.
    pub fn plain_port(&self) -> u16 {
        self.plain_port
    }

    /// The TLS port.
    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    /// The TLS port's certificate (self-signed, for `127.0.0.1` and
    /// `localhost`), PEM text.
    pub fn certificate_pem(&self) -> &[u8] {
        self.certificate_pem.as_bytes()
    }

    /// Credentials the mock accepts (it checks that requests are signed,
    /// not with what).
    pub fn credentials(&self) -> Credentials {
        Credentials::new("AKIDKINESISMOCK", "kinesis-mock-secret", None)
    }

    /// Settings for a client of the plain-HTTP port.
    pub fn settings(&self) -> Settings {
        self.settings_for(&self.plain_url())
    }

    /// Settings for a client of the TLS port that trusts the mock's
    /// certificate.
    pub fn tls_settings(&self) -> Settings {
        let mut settings = self.settings_for(&self.tls_url());
        settings
            .extra_root_certificates_pem
            .push(self.certificate_pem().to_vec());
        settings
    }

    /// Settings for a client of `url`, signed the way the mock expects.
    pub fn settings_for(&self, url: &str) -> Settings {
        let config = Config::new(REGION)
            .with_endpoint_url(url)
            .unwrap_or_else(|e| panic!("{url} is a valid endpoint: {e}"));
        Settings::new(config, self.credentials())
    }

    /// The last lines the mock printed (stdout and stderr).
    pub fn output_tail(&self) -> String {
        self.process.output_tail()
    }
}

impl Drop for KinesisMock {
    fn drop(&mut self) {
        self.process.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `tests/kinesis-mock/` of this repository.
pub fn package_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kinesis-mock")
}

/// Starts one mock. The outer error is final; the inner one is an early
/// exit worth another try on new ports.
fn start_once(main_js: &Path, preload: &Path) -> Result<Result<KinesisMock, MockError>, MockError> {
    let [plain_port, tls_port] =
        free_ports().map_err(|e| fail(format!("cannot bind a port on 127.0.0.1: {e}")))?;
    let dir = scratch_dir()?;
    let certificate_pem = write_server_json(&dir)?;
    let mut command = Command::new("node");
    command
        .arg("--require")
        .arg(preload)
        .arg(main_js)
        .current_dir(std::env::temp_dir())
        .env("KINESIS_TESTS_EXIT_WITH_STDIN", "1")
        .env("KINESIS_MOCK_PLAIN_PORT", plain_port.to_string())
        .env("KINESIS_MOCK_TLS_PORT", tls_port.to_string())
        .env("KINESIS_MOCK_CERT_PATH", dir.join("server.json"))
        .env("AWS_REGION", REGION)
        .env("SHARD_LIMIT", "1000")
        .env("ON_DEMAND_STREAM_COUNT_LIMIT", "100")
        .env("SHOULD_PERSIST_DATA", "false")
        .env("LOAD_DATA_IF_EXISTS", "false")
        .env("LOG_LEVEL", "WARN")
        .env_remove("INITIALIZE_STREAMS")
        .env_remove("AWS_ACCOUNT_ID");
    for name in [
        "CREATE_STREAM_DURATION",
        "DELETE_STREAM_DURATION",
        "REGISTER_STREAM_CONSUMER_DURATION",
        "DEREGISTER_STREAM_CONSUMER_DURATION",
        "START_STREAM_ENCRYPTION_DURATION",
        "STOP_STREAM_ENCRYPTION_DURATION",
        "MERGE_SHARDS_DURATION",
        "SPLIT_SHARD_DURATION",
        "UPDATE_SHARD_COUNT_DURATION",
        "UPDATE_STREAM_MODE_DURATION",
    ] {
        command.env(name, STATE_CHANGE_DELAY);
    }
    let process = LocalProcess::spawn(&mut command, |_| {}).map_err(|e| {
        let _ = fs::remove_dir_all(&dir);
        fail(format!(
            "cannot run `node` ({e}); the integration tests need Node.js 18 or newer on PATH"
        ))
    })?;
    let mut mock = KinesisMock {
        process,
        plain_port,
        tls_port,
        certificate_pem,
        dir,
    };
    let deadline = Instant::now() + STARTUP_DEADLINE;
    loop {
        if let Some(status) = mock.process.exited() {
            return Ok(Err(fail(format!(
                "kinesis-mock exited at start ({status}); its output:\n{}",
                mock.output_tail()
            ))));
        }
        if answers_http(loopback(mock.plain_port)) && accepts_tcp(loopback(mock.tls_port)) {
            log::debug!("kinesis-mock up: {mock:?}");
            // The TLS port listens, so the certificate is loaded: the
            // scratch directory is not needed any more (and a mock in a
            // static is never dropped to remove it).
            let _ = fs::remove_dir_all(&mock.dir);
            return Ok(Ok(mock));
        }
        if Instant::now() > deadline {
            return Err(fail(format!(
                "kinesis-mock did not answer on 127.0.0.1:{} within {:?}; its output:\n{}",
                mock.plain_port,
                STARTUP_DEADLINE,
                mock.output_tail()
            )));
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// A fresh directory for one mock's certificate, removed once the mock
/// has read it.
fn scratch_dir() -> Result<PathBuf, MockError> {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kinesis-mock-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Makes a self-signed certificate for 127.0.0.1 and localhost, writes it
/// as `server.json` (kinesis-local's format) into `dir` and returns its PEM.
fn write_server_json(dir: &Path) -> Result<String, MockError> {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| fail(format!("cannot make a certificate: {e}")))?;
    let cert = certified.cert.pem();
    let key = certified.signing_key.serialize_pem();
    let json = serde_json::json!({ "server": { "key": key, "cert": cert } });
    let path = dir.join("server.json");
    fs::write(&path, json.to_string())
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    Ok(cert)
}

/// Installs the pinned kinesis-local with `npm ci` unless it is there, one
/// installer at a time across processes (a lock directory: creating a
/// directory is atomic). Returns the path of its `main.js`.
fn ensure_installed(package: &Path) -> Result<PathBuf, MockError> {
    let main_js = package.join("node_modules/kinesis-local/main.js");
    let manifest = package.join("node_modules/kinesis-local/package.json");
    let installed = || {
        main_js.is_file() && installed_version(&manifest).as_deref() == Some(KINESIS_LOCAL_VERSION)
    };
    let lock = package.join(".install.lock");
    // While a lock exists an install may be half done: wait for it.
    if !lock.exists() && installed() {
        return Ok(main_js);
    }
    let deadline = Instant::now() + INSTALL_DEADLINE;
    loop {
        match fs::create_dir(&lock) {
            Ok(()) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if is_stale(&lock) {
                    let _ = fs::remove_dir(&lock);
                    continue;
                }
                if Instant::now() > deadline {
                    return Err(fail(format!(
                        "another process has been installing kinesis-local for {INSTALL_DEADLINE:?}; \
                         remove {} if none is",
                        lock.display()
                    )));
                }
                thread::sleep(Duration::from_millis(250));
            }
            Err(e) => return Err(fail(format!("cannot create {}: {e}", lock.display()))),
        }
    }
    let _unlock = RemoveOnDrop(lock);
    if installed() {
        return Ok(main_js);
    }
    log::info!(
        "installing kinesis-local {KINESIS_LOCAL_VERSION} into {}",
        package.display()
    );
    let out = Command::new("npm")
        .arg("ci")
        .arg("--prefix")
        .arg(package)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            fail(format!(
                "cannot run `npm` ({e}); the integration tests need Node.js 18 or newer with npm on PATH"
            ))
        })?;
    if !out.status.success() {
        return Err(fail(format!(
            "`npm ci --prefix {}` failed ({}):\n{}{}",
            package.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    if !installed() {
        return Err(fail(format!(
            "npm ci did not install kinesis-local {KINESIS_LOCAL_VERSION} at {}",
            main_js.display()
        )));
    }
    Ok(main_js)
}

/// The `version` of an installed package's `package.json`.
fn installed_version(manifest: &Path) -> Option<String> {
    let text = fs::read(manifest).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&text).ok()?;
    json.get("version")?.as_str().map(str::to_owned)
}

/// A lock older than any install can take was left by a process that died.
fn is_stale(lock: &Path) -> bool {
    fs::metadata(lock)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > INSTALL_DEADLINE)
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::{assert_loopback_only, assert_stops_within_10s};

    #[test]
    fn listens_on_loopback_only_and_stops_on_drop() {
        let mock = KinesisMock::start().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            answers_http(loopback(mock.plain_port())),
            "plain port answers"
        );
        assert!(accepts_tcp(loopback(mock.tls_port())), "TLS port accepts");
        for port in [mock.plain_port(), mock.tls_port()] {
            assert_loopback_only(port);
        }
        let plain = loopback(mock.plain_port());
        drop(mock);
        assert!(!accepts_tcp(plain), "the mock still listens after drop");
    }

    #[test]
    fn certificate_names_loopback() {
        let dir = scratch_dir().unwrap_or_else(|e| panic!("{e}"));
        let pem = write_server_json(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let json: serde_json::Value = serde_json::from_slice(
            &fs::read(dir.join("server.json")).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json["server"]["cert"].as_str(), Some(pem.as_str()));
        assert!(json["server"]["key"]
            .as_str()
            .is_some_and(|k| k.contains("PRIVATE KEY")));
        let _ = fs::remove_dir_all(dir);
    }

    /// Run by `stops_when_the_harness_exits` in a child process: starts a
    /// mock, prints its port and exits without dropping it.
    #[test]
    #[ignore = "a helper the test below runs in a child process"]
    fn child_leaves_a_mock_behind() {
        if std::env::var_os("KINESIS_TESTS_LEAVE_MOCK").is_none() {
            return;
        }
        let mock = KinesisMock::start().unwrap_or_else(|e| panic!("{e}"));
        println!("MOCK_PORT={}", mock.plain_port());
        // Serve a little first: a mock stopped at once exits faster than
        // one that has settled.
        thread::sleep(Duration::from_secs(3));
        std::mem::forget(mock);
        std::process::exit(0);
    }

    #[test]
    fn stops_when_the_harness_exits() {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let out = Command::new(exe)
            .args([
                "--exact",
                "mock::tests::child_leaves_a_mock_behind",
                "--ignored",
                "--nocapture",
            ])
            .env("KINESIS_TESTS_LEAVE_MOCK", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let port: u16 = stdout
            .lines()
            .find_map(|l| l.strip_prefix("MOCK_PORT="))
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("the child printed no port: {stdout}"));
        assert_stops_within_10s("the mock left by its harness", || {
            !accepts_tcp(loopback(port))
        });
    }
}
