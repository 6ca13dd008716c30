//! What the local servers (kinesis-mock, ferrokinesis, moto) share: a
//! child process held by its standard input (each server stops when it
//! closes), the last lines of its output, free ports of 127.0.0.1 and the
//! probes that say it is serving — and the checks their self-tests make.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How many lines of a server's output an error quotes.
const TAIL_LINES: usize = 40;

/// Defines a `String` error type with `Display`, `Error` and a `fail`
/// constructor in the calling module.
macro_rules! string_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::error::Error for $name {}

        fn fail(message: impl Into<String>) -> $name {
            $name(message.into())
        }
    };
}
pub(crate) use string_error;

/// A server's process, its standard input held open, stopped (stdin
/// closed, killed, reaped) when dropped.
pub(crate) struct LocalProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Tail,
}

impl LocalProcess {
    /// Spawns `command` with its three streams piped: both output streams
    /// feed the tail, and every line of standard output also goes to
    /// `on_stdout_line` (to spot "ready" or the address).
    pub(crate) fn spawn(
        command: &mut Command,
        on_stdout_line: impl FnMut(&str) + Send + 'static,
    ) -> io::Result<LocalProcess> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let output = Tail::default();
        if let Some(out) = child.stdout.take() {
            output.follow(out, on_stdout_line);
        }
        if let Some(err) = child.stderr.take() {
            output.follow(err, |_| {});
        }
        let stdin = child.stdin.take();
        Ok(LocalProcess {
            child,
            stdin,
            output,
        })
    }

    /// Its process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// How it exited, if it has. Once it has, first waits (up to two
    /// seconds) for the reader threads to reach the end of its output, so
    /// that a process which printed its error and quit is quoted in full
    /// by [`LocalProcess::output_tail`], not as "(nothing)".
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        let status = self.child.try_wait().ok().flatten()?;
        self.output.wait_for_end(Duration::from_secs(2));
        Some(status)
    }

    /// Closes its standard input (the server's signal to stop).
    pub(crate) fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Closes its standard input, kills it and reaps it.
    pub(crate) fn stop(&mut self) {
        self.close_stdin();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The last lines it printed (stdout and stderr).
    pub(crate) fn output_tail(&self) -> String {
        self.output.text()
    }
}

impl Drop for LocalProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last lines of a server's output, kept by reader threads.
#[derive(Default)]
struct Tail {
    lines: Arc<Mutex<VecDeque<String>>>,
    readers: Mutex<Vec<thread::JoinHandle<()>>>,
}

impl Tail {
    fn follow(
        &self,
        stream: impl Read + Send + 'static,
        mut on_line: impl FnMut(&str) + Send + 'static,
    ) {
        let lines = self.lines.clone();
        let reader = thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                on_line(&line);
                let mut lines = lines.lock().unwrap_or_else(|p| p.into_inner());
                if lines.len() == TAIL_LINES {
                    lines.pop_front();
                }
                lines.push_back(line);
            }
        });
        self.readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(reader);
    }

    /// Waits until every reader has reached the end of its stream, or
    /// `limit` has passed (a grandchild may hold a pipe open).
    fn wait_for_end(&self, limit: Duration) {
        let deadline = std::time::Instant::now() + limit;
        let readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        while readers.iter().any(|r| !r.is_finished()) && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn text(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.is_empty() {
            return "(nothing)".to_owned();
        }
        lines.iter().map(|l| format!("  {l}\n")).collect()
    }
}

/// `127.0.0.1:{port}`.
pub(crate) fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// `N` distinct free ports of 127.0.0.1 (free when chosen: all are held
/// until all are chosen).
pub(crate) fn free_ports<const N: usize>() -> io::Result<[u16; N]> {
    let mut held = Vec::with_capacity(N);
    let mut ports = [0; N];
    for port in &mut ports {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        *port = listener.local_addr()?.port();
        held.push(listener);
    }
    Ok(ports)
}

/// Whether a Kinesis server answers HTTP on `addr` (any status: an
/// unsigned ListStreams is refused, which proves it is serving).
pub(crate) fn answers_http(addr: SocketAddr) -> bool {
    let probe = || -> io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.set_write_timeout(Some(Duration::from_secs(5)))?;
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {addr}\r\n\
             X-Amz-Target: Kinesis_20131202.ListStreams\r\n\
             Content-Type: application/x-amz-json-1.1\r\n\
             Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        )?;
        let mut head = [0u8; 9];
        stream.read_exact(&mut head)?;
        Ok(&head == b"HTTP/1.1 ")
    };
    probe().unwrap_or(false)
}

/// Whether something accepts TCP connections on `addr`.
pub(crate) fn accepts_tcp(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

/// Self-test: nothing accepts on `port` of 127.0.0.2 (a server bound to
/// 0.0.0.0 would).
#[cfg(test)]
pub(crate) fn assert_loopback_only(port: u16) {
    let other = SocketAddr::from(([127, 0, 0, 2], port));
    assert!(!accepts_tcp(other), "port {port} is reachable on 127.0.0.2");
}

/// Self-test: waits up to 10 s for `stopped` to hold.
#[cfg(test)]
pub(crate) fn assert_stops_within_10s(what: &str, mut stopped: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !stopped() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} still running after 10 s"
        );
        thread::sleep(Duration::from_millis(50));
    }
}
