//! kinesis-async's futures complete under any executor, not only
//! async-std's: the same calls against kinesis-mock on 127.0.0.1, over
//! plain HTTP/1.1 and over TLS (where ALPN picks HTTP/2 and the connection
//! runs as a background task), awaited from `futures::executor::block_on`,
//! from smol, from tokio's current-thread and multi-thread runtimes, and
//! from async-std for comparison. Each run also waits on the client's
//! timers: a retried connection refusal sleeps between attempts, and a call
//! time limit ends it.

use std::future::Future;
use std::time::{Duration, Instant};

use futures::future::join_all;
use kinesis_async::ops::{DescribeStreamSummary, ListStreams, PutRecord};
use kinesis_async::{Client, RetryConfig, Settings, TransportErrorKind};
use kinesis_tests::steps::TestStream;
use kinesis_tests::KinesisMock;

/// How many calls are in flight at once on one client.
const IN_FLIGHT: usize = 8;

/// Puts records with `IN_FLIGHT` calls at once, reads the stream's summary,
/// then checks that the client's timers fire: a refused endpoint retried
/// with back-off until the call limit ends it.
async fn exercise(settings: Settings, stream: String, executor: &'static str) {
    let client = Client::new(settings).expect("a client");
    let puts = (0..IN_FLIGHT).map(|i| {
        let client = client.clone();
        let put = PutRecord::new(
            stream.as_str(),
            format!("{executor}-{i}"),
            vec![i as u8; 64],
        );
        async move { client.put_record(&put).await }
    });
    for (i, put) in join_all(puts).await.into_iter().enumerate() {
        let put = put.unwrap_or_else(|e| panic!("{executor}: put {i}: {e}"));
        assert!(!put.sequence_number.is_empty());
    }
    let summary = client
        .describe_stream_summary(&DescribeStreamSummary::new(stream.as_str()))
        .await
        .unwrap_or_else(|e| panic!("{executor}: summary: {e}"));
    assert_eq!(summary.stream_description_summary.stream_name, stream);

    let mut refused =
        KinesisMock::shared().settings_for(&format!("http://127.0.0.1:{}", closed_port()));
    refused.retry = RetryConfig::default().with_max_attempts(100);
    refused.timeouts.call = Some(Duration::from_millis(400));
    let client = Client::new(refused).expect("a client");
    let started = Instant::now();
    match client.call(&ListStreams::default()).await {
        Err(kinesis_async::Error::Transport(e)) => {
            assert_eq!(e.kind, TransportErrorKind::Timeout, "{executor}: {e}")
        }
        other => panic!("{executor}: {other:?}"),
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(350) && took < Duration::from_secs(5),
        "{executor}: the call limit ended the call after {took:?}"
    );
}

/// A port of 127.0.0.1 nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// One run of [`exercise`], as a future any executor can take.
type Call = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs [`exercise`] over plain HTTP and over TLS with `block_on`, on a
/// stream of its own.
fn run(executor: &'static str, block_on: impl Fn(Call)) {
    let mock = KinesisMock::shared();
    let setup = kinesis_blocking::Client::new(mock.settings()).expect("a blocking client");
    let stream = TestStream::create(&setup, format!("executor-{executor}"), 1);
    for settings in [mock.settings(), mock.tls_settings()] {
        block_on(Box::pin(exercise(
            settings,
            stream.name().to_owned(),
            executor,
        )));
    }
}

#[test]
fn futures_executor_block_on() {
    run("futures", |f| futures::executor::block_on(f));
}

#[test]
fn smol_block_on() {
    run("smol", |f| smol::block_on(f));
}

#[test]
fn tokio_current_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    run("tokio-current", |f| runtime.block_on(f));
}

#[test]
fn tokio_multi_thread_runtime_from_spawned_tasks() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a tokio runtime");
    run("tokio-multi", |f| {
        runtime
            .block_on(runtime.spawn(f))
            .expect("the task finished");
    });
}

#[test]
fn async_std_block_on() {
    run("async-std", |f| async_std::task::block_on(f));
}
