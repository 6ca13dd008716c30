//! moto (PyPI `moto[server]`, pinned to [`MOTO_VERSION`]) on 127.0.0.1:
//! installed into `tests/moto/.venv` on first use, started on a free port,
//! stopped on drop or when the test binary exits.
//!
//! It serves STS (`AssumeRole`, `AssumeRoleWithWebIdentity`) and the EC2
//! instance metadata paths (`PUT /latest/api/token`,
//! `/latest/meta-data/iam/security-credentials/…`), all on one port.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{mpsc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::local::{accepts_tcp, free_ports, loopback, string_error, LocalProcess};

/// The moto release the harness installs.
pub const MOTO_VERSION: &str = "5.2.5";

/// How long installing may take (ours or a parallel test binary's).
const INSTALL_DEADLINE: Duration = Duration::from_secs(600);
/// How long moto may take to say it is ready.
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

string_error! {
    /// Why moto could not be installed or started.
    MotoError
}

/// A running moto server on 127.0.0.1, stopped when dropped.
///
/// ```no_run
/// let moto = kinesis_tests::moto::Moto::start()?;
/// println!("STS and IMDS at {}", moto.url());
/// # Ok::<(), kinesis_tests::moto::MotoError>(())
/// ```
pub struct Moto {
    /// Its standard input held open for the life of the server: `serve.py`
    /// stops when it closes.
    process: LocalProcess,
    port: u16,
}

impl fmt::Debug for Moto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Moto").field("port", &self.port).finish()
    }
}

/// `tests/moto/` of this repository.
pub fn moto_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("moto")
}

/// The venv's Python, installing moto first if needed.
///
/// One installer at a time across processes: the first to create
/// `tests/moto/.install-lock` installs; the others wait for the marker
/// file it writes at the end.
pub fn ensure_installed() -> Result<PathBuf, MotoError> {
    let dir = moto_dir();
    let venv = dir.join(".venv");
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!("moto-{MOTO_VERSION}-installed"));
    let lock = dir.join(".install-lock");
    let started = Instant::now();
    loop {
        if marker.exists() {
            return Ok(python);
        }
        match fs::create_dir(&lock) {
            Ok(()) => {
                let result = install(&venv, &python, &marker);
                let _ = fs::remove_dir(&lock);
                return result.map(|()| python);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if started.elapsed() > INSTALL_DEADLINE {
                    return Err(fail(format!(
                        "waited {INSTALL_DEADLINE:?} for another moto install; remove {} if none is running",
                        lock.display()
                    )));
                }
                thread::sleep(Duration::from_millis(500));
            }
            Err(e) => return Err(fail(format!("cannot create {}: {e}", lock.display()))),
        }
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), MotoError> {
    let out = command
        .output()
        .map_err(|e| fail(format!("{what}: cannot run: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn install(venv: &Path, python: &Path, marker: &Path) -> Result<(), MotoError> {
    if !python.exists() {
        let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        run(
            Command::new(&system).args(["-m", "venv"]).arg(venv),
            "python3 -m venv",
        )?;
    }
    run(
        Command::new(python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("moto[server]=={MOTO_VERSION}"),
        ]),
        "pip install moto[server]",
    )?;
    fs::write(marker, MOTO_VERSION)
        .map_err(|e| fail(format!("cannot write {}: {e}", marker.display())))
}

fn free_port() -> Result<u16, MotoError> {
    let [port] = free_ports().map_err(|e| fail(format!("no free port: {e}")))?;
    Ok(port)
}

impl Moto {
    /// Installs moto if needed and starts it on a free port of 127.0.0.1,
    /// returning once it accepts connections.
    pub fn start() -> Result<Moto, MotoError> {
        let python = ensure_installed()?;
        let mut last = fail("moto did not start");
        for _ in 0..3 {
            let port = free_port()?;
            match Moto::start_on(&python, port) {
                Ok(moto) => return Ok(moto),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn start_on(python: &Path, port: u16) -> Result<Moto, MotoError> {
        let (tx, rx) = mpsc::channel();
        let on_line = move |line: &str| {
            if line.contains("moto ready") {
                let _ = tx.send(());
            }
        };
        let mut command = Command::new(python);
        command
            .arg(moto_dir().join("serve.py"))
            .arg(port.to_string());
        let process = LocalProcess::spawn(&mut command, on_line)
            .map_err(|e| fail(format!("cannot start moto: {e}")))?;
        let mut moto = Moto { process, port };
        let ready = rx.recv_timeout(STARTUP_DEADLINE).is_ok();
        let deadline = Instant::now() + Duration::from_secs(10);
        while ready && Instant::now() < deadline {
            if accepts_tcp(loopback(port)) {
                return Ok(moto);
            }
            thread::sleep(Duration::from_millis(50));
        }
        moto.process.stop();
        let text = moto.process.output_tail();
        Err(fail(format!("moto did not start on port {port}:\n{text}")))
    }

    /// One server shared by every test of a test binary, started on first
    /// use. Panics with the reason if it cannot be started.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Result<Moto, MotoError>> = OnceLock::new();
        match SHARED.get_or_init(Moto::start) {
            Ok(moto) => moto,
            Err(e) => panic!("{e}"),
        }
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
