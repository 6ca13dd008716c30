//! ferrokinesis on 127.0.0.1 only.
//!
//! ```text
//! ferrokinesis-local [--port N] [--enforce-limits true|false]
//!                    [--iterator-ttl-seconds N] [--shard-limit N]
//!                    [--state-change-ms N] [--max-request-body-mb N]
//! ```
//!
//! Binds `127.0.0.1:N` (`0`, the default, takes a free port), prints
//! `LISTENING 127.0.0.1:PORT` on stdout once it accepts connections, and
//! serves HTTP/1.1 and h2c (HTTP/2 without TLS, which SubscribeToShard
//! needs) on that one port. It exits when its standard input closes, so a
//! harness that dies takes its server with it.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use ferrokinesis::store::StoreOptions;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncReadExt;
use tower::ServiceExt;

/// What the command line chose.
struct Options {
    port: u16,
    store: StoreOptions,
    max_request_body_mb: usize,
}

fn usage() -> String {
    "usage: ferrokinesis-local [--port N] [--enforce-limits true|false] \
     [--iterator-ttl-seconds N] [--shard-limit N] [--state-change-ms N] \
     [--max-request-body-mb N]"
        .to_owned()
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut store = StoreOptions {
        // The tests create many streams in one server.
        shard_limit: 1000,
        create_stream_ms: 100,
        delete_stream_ms: 100,
        update_stream_ms: 100,
        ..StoreOptions::default()
    };
    let mut port = 0;
    let mut max_request_body_mb = 7;
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Err(usage());
        }
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("{name} needs a value\n{}", usage()))?,
        };
        let bad = |e: &dyn std::fmt::Display| format!("{name} {value}: {e}");
        match name.as_str() {
            "--port" => port = value.parse().map_err(|e| bad(&e))?,
            "--enforce-limits" => store.enforce_limits = value.parse().map_err(|e| bad(&e))?,
            "--iterator-ttl-seconds" => {
                let ttl: u64 = value.parse().map_err(|e| bad(&e))?;
                if !(1..=86_400).contains(&ttl) {
                    return Err(bad(&"must be 1 to 86400"));
                }
                store.iterator_ttl_seconds = ttl;
            }
            "--shard-limit" => store.shard_limit = value.parse().map_err(|e| bad(&e))?,
            "--state-change-ms" => {
                let ms: u64 = value.parse().map_err(|e| bad(&e))?;
                store.create_stream_ms = ms;
                store.delete_stream_ms = ms;
                store.update_stream_ms = ms;
            }
            "--max-request-body-mb" => {
                max_request_body_mb = value.parse().map_err(|e| bad(&e))?;
            }
            _ => return Err(format!("unknown flag {name}\n{}", usage())),
        }
    }
    Ok(Options {
        port,
        store,
        max_request_body_mb,
    })
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(options: Options) -> Result<(), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot bind {addr}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let (app, _store) = ferrokinesis::create_app(options.store);
    // The binary's default (7 MiB): a 5 MiB PutRecords grows by base64.
    let app = app.layer(DefaultBodyLimit::max(
        options.max_request_body_mb.saturating_mul(1024 * 1024),
    ));
    println!("LISTENING {bound}");

    let stdin_closed = async {
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 256];
        while let Ok(n) = stdin.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::pin!(stdin_closed);
    loop {
        tokio::select! {
            _ = &mut stdin_closed => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(a) => a,
                    // Out of descriptors and the like: keep serving.
                    Err(_) => continue,
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(
                    app.clone()
                        .into_service::<Body>()
                        .map_request(|req: axum::http::Request<Incoming>| req.map(Body::new)),
                );
                tokio::spawn(async move {
                    let _ = Builder::new(TokioExecutor::new())
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}
