//! A scripted HTTP/1.1 server on 127.0.0.1 for this crate's tests: it
//! answers each request with the next reply of its script and records what
//! it received.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// The request line and header lines.
    pub(crate) head: Vec<String>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Seen {
    /// How many header lines are named `name`.
    pub(crate) fn count(&self, name: &str) -> usize {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.head
            .iter()
            .filter(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .count()
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// Answers with this status and body.
    Answer(u16, Vec<u8>),
    /// Closes the connection without answering.
    Close,
    /// Holds the connection for a few seconds without answering.
    Silent,
}

/// A running scripted server.
pub(crate) struct Server {
    pub(crate) port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// `http://127.0.0.1:{port}`.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Starts a server that plays `script`, one reply per request, then stops
/// accepting.
pub(crate) fn serve(script: Vec<Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("a bound port").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        let mut script = script.into_iter();
        'connections: while let Ok((stream, _)) = listener.accept() {
            let mut reader = BufReader::new(stream);
            loop {
                let Some(request) = read_request(&mut reader) else {
                    continue 'connections;
                };
                log.lock().unwrap_or_else(|p| p.into_inner()).push(request);
                match script.next() {
                    Some(Reply::Answer(status, body)) => {
                        let stream = reader.get_mut();
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\n\
                             x-amzn-RequestId: req-1\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(&body);
                    }
                    Some(Reply::Silent) => {
                        thread::sleep(Duration::from_secs(5));
                        continue 'connections;
                    }
                    Some(Reply::Close) | None => continue 'connections,
                }
            }
        }
    });
    Server { port, seen }
}

/// Reads one request, or `None` when the connection ended first.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let length = head
        .iter()
        .find_map(|l| {
            let l = l.to_ascii_lowercase();
            l.strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen { head, body })
}

/// A server on 127.0.0.1 that answers every request on every connection
/// with 200 and the same body, one thread per connection, and counts the
/// connections it accepted.
pub(crate) struct CountingServer {
    pub(crate) port: u16,
    accepted: Arc<AtomicUsize>,
}

impl CountingServer {
    /// Starts serving `body`.
    pub(crate) fn start(body: &'static [u8]) -> CountingServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
        let port = listener.local_addr().expect("a bound port").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        thread::spawn(move || {
            while let Ok((stream, _)) = listener.accept() {
                counter.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    while read_request(&mut reader).is_some() {
                        let stream = reader.get_mut();
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
                             content-length: {}\r\n\r\n",
                            body.len()
                        );
                        if stream.write_all(head.as_bytes()).is_err()
                            || stream.write_all(body).is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        CountingServer { port, accepted }
    }

    /// Connections accepted so far.
    pub(crate) fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// A port of 127.0.0.1 that never completes a connection: its listener has
/// a backlog of 0 and never accepts, and once its accept queue holds the one
/// connection made here the kernel drops every further SYN unanswered, as a
/// host that has gone away does. Nothing leaves the machine.
pub(crate) struct Unanswered {
    pub(crate) port: u16,
    _listener: socket2::Socket,
    _queued: Vec<TcpStream>,
}

/// Opens an [`Unanswered`] port, checking that a connection to it does
/// time out.
pub(crate) fn unanswered() -> Unanswered {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    socket.bind(&any_port.into()).expect("bind a test port");
    socket.listen(0).expect("listen");
    let addr = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .expect("a bound IPv4 port");
    let mut queued = Vec::new();
    // The queue fills after one or two connections; a few more tries cover
    // kernels that count differently.
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Unanswered {
                    port: addr.port(),
                    _listener: socket,
                    _queued: queued,
                }
            }
            Err(e) => panic!("connecting to the full listener: {e}"),
        }
    }
    panic!("the listener's accept queue never filled");
}
