//! ferrokinesis (crates.io `ferrokinesis` 0.7.0, a Kinesis emulator in Rust)
//! on 127.0.0.1: built once per machine, started on a free port with the
//! flags a test chooses, stopped on drop.
//!
//! ferrokinesis's own binary binds `0.0.0.0` and has no host flag, so the
//! harness runs `tests/ferrokinesis/` instead: a launcher (its own cargo
//! workspace, its lock committed) that binds `127.0.0.1` and serves the
//! emulator's router with HTTP/1.1 and h2c on one port. It is built with
//! `cargo build --release --locked` into `tests/ferrokinesis/target`, which
//! survives between runs; the build is skipped when the binary is newer
//! than the launcher's sources (`tests/run-all.sh` builds it before the
//! tests, so no test waits for it). `FERROKINESIS_LOCAL` names another
//! binary to use.
//!
//! The launcher prints `LISTENING 127.0.0.1:PORT` once bound (port 0 takes
//! a free port, so no other process can take it between choosing and
//! binding) and exits when its standard input closes, so a server held in a
//! `static` still stops when the test binary exits.

use std::fmt;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use kinesis_proto::{Credentials, Settings};

use crate::local::{answers_http, string_error, LocalProcess};
use crate::server::Server;

/// The ferrokinesis version `tests/ferrokinesis/Cargo.toml` pins.
pub const FERROKINESIS_VERSION: &str = "0.7.0";

/// How long the server may take to print its address and answer.
const STARTUP_DEADLINE: Duration = Duration::from_secs(30);
string_error! {
    /// Why ferrokinesis could not be built or started.
    FerrokinesisError
}

/// The flags a server is started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FerrokinesisOptions {
    /// `--enforce-limits`: AWS's per-shard write limits (1 MiB/s and 1000
    /// records/s), answered with ProvisionedThroughputExceededException.
    pub enforce_limits: bool,
    /// `--iterator-ttl-seconds` (1 to 86400; ferrokinesis's default 300).
    pub iterator_ttl_seconds: Option<u64>,
    /// `--state-change-ms`: how long streams stay CREATING, DELETING,
    /// UPDATING (100 ms here; ferrokinesis's default 500).
    pub state_change_ms: u64,
    /// `--shard-limit`: open shards over all streams (1000 here, so many
    /// tests share one server; ferrokinesis's default 10).
    pub shard_limit: u32,
}

impl Default for FerrokinesisOptions {
    fn default() -> Self {
        FerrokinesisOptions {
            enforce_limits: false,
            iterator_ttl_seconds: None,
            state_change_ms: 100,
            shard_limit: 1000,
        }
    }
}

impl FerrokinesisOptions {
    /// The same options with `--enforce-limits true`.
    pub fn enforcing_limits(mut self) -> Self {
        self.enforce_limits = true;
        self
    }

    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--port".to_owned(),
            "0".to_owned(),
            "--enforce-limits".to_owned(),
            self.enforce_limits.to_string(),
            "--state-change-ms".to_owned(),
            self.state_change_ms.to_string(),
            "--shard-limit".to_owned(),
            self.shard_limit.to_string(),
        ];
        if let Some(ttl) = self.iterator_ttl_seconds {
            args.push("--iterator-ttl-seconds".to_owned());
            args.push(ttl.to_string());
        }
        args
    }
}

/// A running ferrokinesis on 127.0.0.1, stopped when dropped.
///
/// ```no_run
/// use kinesis_tests::{Ferrokinesis, FerrokinesisOptions};
/// let server = Ferrokinesis::start(FerrokinesisOptions::default().enforcing_limits())?;
/// let client = kinesis_blocking::Client::new(server.settings()).expect("settings");
/// println!("serving on {}", server.url());
/// # Ok::<(), kinesis_tests::FerrokinesisError>(())
/// ```
pub struct Ferrokinesis {
    /// Its standard input held open for the life of the server: it exits
    /// when this closes.
    process: LocalProcess,
    addr: SocketAddr,
    options: FerrokinesisOptions,
}

impl fmt::Debug for Ferrokinesis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ferrokinesis")
            .field("pid", &self.process.id())
            .field("addr", &self.addr)
            .field("options", &self.options)
            .finish()
    }
}

impl Ferrokinesis {
    /// Builds the launcher if needed, starts it on a free port of
    /// 127.0.0.1 with `options` and waits until it answers.
    pub fn start(options: FerrokinesisOptions) -> Result<Ferrokinesis, FerrokinesisError> {
        let binary = ensure_built()?;
        let (addr_tx, addr_rx) = mpsc::channel();
        let mut addr_tx = Some(addr_tx);
        // The first `LISTENING addr` line says where it serves.
        let on_line = move |line: &str| {
            if let Some(parsed) = line
                .strip_prefix("LISTENING ")
                .and_then(|a| a.trim().parse::<SocketAddr>().ok())
            {
                if let Some(tx) = addr_tx.take() {
                    let _ = tx.send(parsed);
                }
            }
        };
        let process = LocalProcess::spawn(Command::new(&binary).args(options.args()), on_line)
            .map_err(|e| fail(format!("cannot run {}: {e}", binary.display())))?;
        // Until the address is known the server stops with this guard.
        let mut server = Ferrokinesis {
            process,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            options,
        };
        let deadline = Instant::now() + STARTUP_DEADLINE;
        let addr = loop {
            if let Ok(addr) = addr_rx.recv_timeout(Duration::from_millis(100)) {
                break addr;
            }
            if let Some(status) = server.process.exited() {
                return Err(fail(format!(
                    "ferrokinesis exited at start ({status}); its output:\n{}",
                    server.output_tail()
                )));
            }
            if Instant::now() > deadline {
                return Err(fail(format!(
                    "ferrokinesis printed no address within {STARTUP_DEADLINE:?}; its output:\n{}",
                    server.output_tail()
                )));
            }
        };
        server.addr = addr;
        while !answers_http(addr) {
            if Instant::now() > deadline {
                return Err(fail(format!(
                    "ferrokinesis did not answer on {addr} within {STARTUP_DEADLINE:?}; its output:\n{}",
                    server.output_tail()
                )));
            }
            thread::sleep(Duration::from_millis(50));
        }
        log::debug!("ferrokinesis up: {server:?}");
        Ok(server)
    }

    /// One server with the default options shared by every test of a test
    /// binary, started on first use. Panics, with the server's output, if
    /// it cannot be started.
    pub fn shared() -> &'static Ferrokinesis {
        static SHARED: OnceLock<Result<Ferrokinesis, FerrokinesisError>> = OnceLock::new();
        match SHARED.get_or_init(|| Ferrokinesis::start(FerrokinesisOptions::default())) {
            Ok(server) => server,
            Err(e) => panic!("{e}"),
        }
    }

    /// The address it serves on (always on 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The options it was started with.
    pub fn options(&self) -> &FerrokinesisOptions {
        &self.options
    }

    /// Credentials it accepts (it checks that a request is signed, and
    /// with which algorithm and headers, not with what key).
    pub fn credentials(&self) -> Credentials {
        Credentials::new("AKIDFERROKINESIS", "ferrokinesis-secret", None)
    }

    /// Settings for a client of it.
    pub fn settings(&self) -> Settings {
        Server::settings(self)
    }

    /// The last lines it printed (stdout and stderr).
    pub fn output_tail(&self) -> String {
        self.process.output_tail()
    }
}

/// `tests/ferrokinesis/`, the launcher's workspace.
pub fn launcher_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ferrokinesis")
}

/// The launcher binary's path after a build.
pub fn binary_path() -> PathBuf {
    launcher_dir()
        .join("target/release/ferrokinesis-local")
        .with_extension(std::env::consts::EXE_EXTENSION)
}

/// The launcher's binary, built (`cargo build --release --locked`) unless
/// it is newer than its sources. `FERROKINESIS_LOCAL` overrides the path.
pub fn ensure_built() -> Result<PathBuf, FerrokinesisError> {
    if let Some(path) = std::env::var_os("FERROKINESIS_LOCAL") {
        return Ok(PathBuf::from(path));
    }
    static BUILT: OnceLock<Result<PathBuf, FerrokinesisError>> = OnceLock::new();
    BUILT.get_or_init(build).clone()
}

fn build() -> Result<PathBuf, FerrokinesisError> {
    let dir = launcher_dir();
    let binary = binary_path();
    if is_up_to_date(&binary, &dir) {
        return Ok(binary);
    }
    log::info!(
        "building ferrokinesis {FERROKINESIS_VERSION} in {}",
        dir.display()
    );
    // Cargo locks the target directory, so parallel test binaries wait for
    // one build instead of racing.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(dir.join("target"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| fail(format!("cannot run cargo to build ferrokinesis: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!(
            "building ferrokinesis failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    if !binary.is_file() {
        return Err(fail(format!("the build made no {}", binary.display())));
    }
    Ok(binary)
}

/// Whether `binary` is newer than every source of the launcher.
fn is_up_to_date(binary: &Path, dir: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(binary) else {
        return false;
    };
    let sources = [
        dir.join("Cargo.toml"),
        dir.join("Cargo.lock"),
        dir.join("src/main.rs"),
    ];
    sources
        .iter()
        .all(|s| modified(s).is_some_and(|t: SystemTime| t <= built))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::{accepts_tcp, assert_loopback_only, assert_stops_within_10s};

    fn start(options: FerrokinesisOptions) -> Ferrokinesis {
        Ferrokinesis::start(options).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn listens_on_loopback_only_and_stops_on_drop() {
        let server = start(FerrokinesisOptions::default());
        assert!(server.addr().ip().is_loopback(), "{server:?}");
        assert!(answers_http(server.addr()));
        assert_loopback_only(server.addr().port());
        let addr = server.addr();
        drop(server);
        assert!(!accepts_tcp(addr), "still listening after drop");
    }

    #[test]
    fn two_servers_get_two_ports() {
        let a = start(FerrokinesisOptions::default());
        let b = start(FerrokinesisOptions::default().enforcing_limits());
        assert_ne!(a.addr(), b.addr());
        assert!(b.options().enforce_limits);
    }

    #[test]
    fn a_bad_flag_is_reported_with_the_output() {
        let options = FerrokinesisOptions {
            iterator_ttl_seconds: Some(0),
            ..FerrokinesisOptions::default()
        };
        let e = Ferrokinesis::start(options).expect_err("ttl 0 is refused");
        assert!(e.to_string().contains("iterator-ttl-seconds"), "{e}");
    }

    #[test]
    fn stops_when_its_stdin_closes() {
        let mut server = start(FerrokinesisOptions::default());
        server.process.close_stdin();
        assert_stops_within_10s("ferrokinesis with its stdin closed", || {
            server.process.exited().is_some()
        });
    }
}
