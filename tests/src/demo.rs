//! What the demo binaries share: where they send their requests (a
//! kinesis-mock they start, an endpoint argument,
//! `AWS_ENDPOINT_URL_KINESIS`, or `aws`), a fresh stream created for the
//! run and deleted at its end whatever happened, and reading a stream
//! with the consumer under a time limit.

use std::error::Error;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kinesis_blocking::consumer::{Batch, Checkpoints, Consumer, Event};
use kinesis_blocking::ops::{CreateStream, DeleteStream};
use kinesis_blocking::{Client, Settings, WaiterConfig};

use crate::mock::{KinesisMock, KINESIS_LOCAL_VERSION};

/// The variable the AWS tools read a Kinesis endpoint from.
pub const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_KINESIS";

/// A demo's result: any error, boxed.
pub type DemoResult<T = ()> = Result<T, Box<dyn Error>>;

/// Where a demo sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A kinesis-mock the demo starts.
    Mock,
    /// The server at this URL, given as the argument.
    Endpoint(String),
    /// The server `AWS_ENDPOINT_URL_KINESIS` names.
    FromEnvironment,
    /// AWS: the region's own endpoint.
    Aws,
}

/// The stream a demo body works on.
#[derive(Debug)]
pub struct DemoStream<'a> {
    /// The client, for the target's endpoint.
    pub client: &'a Client,
    /// The stream's name (fresh for the run, ACTIVE).
    pub name: &'a str,
    /// Whether the server is a local one (quick pacing is fine).
    pub local: bool,
}

/// Runs demo `name`: reads the target from the command line, starts
/// kinesis-mock if asked, creates a fresh stream of `shards` shards, runs
/// `body` on it, deletes the stream and stops the mock. Errors go to
/// stderr as `NAME failed: …` with a failing exit code.
pub fn main(name: &str, shards: u32, body: impl FnOnce(&DemoStream<'_>) -> DemoResult) -> ExitCode {
    match run(name, shards, body) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name} failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The target the command line or the environment names.
fn target(name: &str) -> DemoResult<Target> {
    let mut args = std::env::args().skip(1);
    let target = match args.next().as_deref() {
        Some("-h" | "--help") => {
            println!(
                "usage: {name} [ENDPOINT_URL | aws]\n\
                 \n\
                 With no argument the demo uses {ENDPOINT_VARIABLE} when it is set, else it\n\
                 starts kinesis-mock on 127.0.0.1. `aws` uses the region's AWS endpoint.\n\
                 Region and credentials for an endpoint or AWS come from the AWS_*\n\
                 variables and ~/.aws files."
            );
            std::process::exit(0);
        }
        Some("aws") => Target::Aws,
        Some(url) => Target::Endpoint(url.to_owned()),
        None => match std::env::var(ENDPOINT_VARIABLE) {
            Ok(url) if !url.is_empty() => Target::FromEnvironment,
            _ => Target::Mock,
        },
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra:?} (try --help)").into());
    }
    Ok(target)
}

/// Settings from the environment and profile files, with the endpoint
/// `target` names in place of any configured one.
fn settings_from_env(target: &Target) -> DemoResult<Settings> {
    // With an argument or `aws`, configured endpoints are not looked at.
    let ignore_configured = matches!(target, Target::Endpoint(_) | Target::Aws);
    let var = |name: &str| match name {
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" if ignore_configured => Some("true".to_owned()),
        "AWS_ENDPOINT_URL" | ENDPOINT_VARIABLE if ignore_configured => None,
        _ => std::env::var(name).ok(),
    };
    let settings = Settings::from_env_with(var, |f| std::fs::read_to_string(f))?;
    match target {
        Target::Endpoint(url) => settings
            .with_endpoint_url(url)
            .map_err(|e| format!("the endpoint argument {url:?}: {e}").into()),
        _ => Ok(settings),
    }
}

fn run(name: &str, shards: u32, body: impl FnOnce(&DemoStream<'_>) -> DemoResult) -> DemoResult {
    let target = target(name)?;
    let mock = match target {
        Target::Mock => {
            println!(
                "Starting kinesis-mock (npm kinesis-local {KINESIS_LOCAL_VERSION}, installed into \
                 tests/kinesis-mock/node_modules on first use) on 127.0.0.1…"
            );
            let mock = KinesisMock::start()?;
            println!(
                "  listening on {} (and {} over TLS)",
                mock.plain_url(),
                mock.tls_url()
            );
            Some(mock)
        }
        Target::Endpoint(_) | Target::FromEnvironment | Target::Aws => None,
    };
    let settings = match &mock {
        Some(mock) => mock.settings(),
        None => settings_from_env(&target)?,
    };
    let client = Client::new(settings)?;
    match client.config().endpoint_url() {
        Some(url) if mock.is_none() => println!(
            "Using the server at {url} (region {})",
            client.config().region()
        ),
        Some(_) => {}
        None => println!("Using AWS in {}", client.config().region()),
    }
    let local = mock.is_some() || client.config().endpoint_url().is_some();

    // A fresh name, so that a run against a shared server or an account
    // never meets an old stream.
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let stream = format!("kinesis-rs-{name}-{stamp}").replace('_', "-");
    // Quick polls for a local server, at most 5 s apart for AWS (where
    // a stream takes about half a minute to become ACTIVE).
    let wait = WaiterConfig::new(Duration::from_secs(300))
        .with_delays(Duration::from_millis(100), Duration::from_secs(5));

    client.create_stream(&CreateStream::new(stream.as_str()).with_shard_count(shards))?;
    print!("Created stream {stream:?} with {shards} shards, waiting for ACTIVE…");
    let outcome = client
        .wait_for_stream_active(&stream, wait)
        .map_err(Box::<dyn Error>::from)
        .and_then(|summary| {
            println!(" {}", summary.stream_status);
            body(&DemoStream {
                client: &client,
                name: &stream,
                local,
            })
        });

    // Delete the stream whatever happened in between.
    let deleted = client
        .delete_stream(&DeleteStream::new(stream.as_str()))
        .map_err(Box::<dyn Error>::from)
        .and_then(|_| {
            client
                .wait_for_stream_gone(&stream, wait)
                .map_err(Box::<dyn Error>::from)
        });
    match &deleted {
        Ok(()) => println!("Deleted stream {stream:?}"),
        Err(e) => eprintln!("could not delete stream {stream:?}: {e}"),
    }
    if let Some(mock) = mock {
        drop(mock);
        println!("Stopped kinesis-mock");
    }
    outcome.and(deleted)
}

/// What [`consume`]'s handler says after a batch it processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Checkpoint the batch and go on reading.
    More,
    /// Checkpoint the batch and stop: everything wanted was read.
    Stop,
}

/// What [`consume`] hands its handler.
#[derive(Debug)]
pub enum Seen<'a> {
    /// Records: once processed, their checkpoint is stored.
    Batch(&'a Batch),
    /// The reader of this shard reached its tip (the consumer's
    /// `Event::CaughtUp`): every record written before has been handed
    /// out.
    CaughtUp(&'a str),
}

/// What the reading thread tells the handler's.
enum Message {
    Batch(Batch),
    CaughtUp(String),
    Retrying(String),
    Failed(String),
    Stopped(Checkpoints),
}

/// Reads with the consumer `make` builds (on a reading thread of its own)
/// and hands each batch (and each shard's reaching its tip) to `handle`;
/// once `handle` has processed it, the
/// batch's checkpoint is stored (each shard's end too), so a consumer
/// with a [`FileStore`](kinesis_blocking::consumer::FileStore) resumes
/// after the last batch handled. Ends when `handle` says [`Next::Stop`]
/// (with the checkpoints stored then) or fails when `limit` passes first:
/// a stream with records missing ends in an error, not a wait for ever.
pub fn consume(
    make: impl FnOnce() -> Result<Consumer, kinesis_blocking::Error> + Send + 'static,
    limit: Duration,
    mut handle: impl FnMut(Seen<'_>) -> DemoResult<Next>,
) -> DemoResult<Checkpoints> {
    let (messages_tx, messages) = mpsc::channel::<Message>();
    let (answers, answers_rx) = mpsc::channel::<Next>();
    std::thread::spawn(move || {
        let send = |m: Message| messages_tx.send(m).is_ok();
        let mut consumer = match make() {
            Ok(c) => c,
            Err(e) => {
                send(Message::Failed(e.to_string()));
                return;
            }
        };
        while let Some(event) = consumer.next() {
            match event {
                Event::Records(batch) => {
                    let (shard, checkpoint) = (batch.shard_id.clone(), batch.checkpoint.clone());
                    if !send(Message::Batch(batch)) {
                        return;
                    }
                    let Ok(next) = answers_rx.recv() else { return };
                    if let Err(e) = consumer.checkpoint(&shard, &checkpoint) {
                        send(Message::Failed(format!("checkpoint of {shard}: {e}")));
                        return;
                    }
                    if next == Next::Stop {
                        send(Message::Stopped(consumer.checkpoints().clone()));
                        return;
                    }
                }
                Event::ShardEnded {
                    shard_id,
                    checkpoint,
                    ..
                } => {
                    if let Err(e) = consumer.checkpoint(&shard_id, &checkpoint) {
                        send(Message::Failed(format!("checkpoint of {shard_id}: {e}")));
                        return;
                    }
                }
                Event::CaughtUp { shard_id } => {
                    if !send(Message::CaughtUp(shard_id)) {
                        return;
                    }
                    let Ok(next) = answers_rx.recv() else { return };
                    if next == Next::Stop {
                        send(Message::Stopped(consumer.checkpoints().clone()));
                        return;
                    }
                }
                Event::Error { shard_id, error } => {
                    let shard = shard_id.unwrap_or_else(|| "shard discovery".to_owned());
                    if !send(Message::Retrying(format!("{shard}: {error}"))) {
                        return;
                    }
                }
                _ => {}
            }
        }
        send(Message::Failed(
            "the consumer ended with nothing left to read".to_owned(),
        ));
    });
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // Dropping the channels on return ends the reading thread at its
        // next event (one still waiting for records is left to the exit).
        match messages.recv_timeout(left) {
            Ok(Message::Batch(batch)) => {
                let next = handle(Seen::Batch(&batch))?;
                if answers.send(next).is_err() {
                    return Err("the consumer's thread ended".into());
                }
            }
            Ok(Message::CaughtUp(shard)) => {
                let next = handle(Seen::CaughtUp(&shard))?;
                if answers.send(next).is_err() {
                    return Err("the consumer's thread ended".into());
                }
            }
            Ok(Message::Retrying(e)) => eprintln!("  consumer error (retrying): {e}"),
            Ok(Message::Failed(e)) => return Err(e.into()),
            Ok(Message::Stopped(checkpoints)) => return Ok(checkpoints),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!("the consumer did not read everything in {limit:?}").into())
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("the consumer's thread ended".into())
            }
        }
    }
}
