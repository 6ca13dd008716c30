//! The producer: [`kinesis_proto::producer::Producer`] (batching, KPL
//! aggregation, retries of failed entries, exactly one event per record)
//! run on background threads that this [`Producer`] owns.
//!
//! ```no_run
//! use kinesis_blocking::producer::{Event, Producer, ProducerConfig, Record};
//! use kinesis_blocking::Client;
//!
//! let client = Client::from_env()?;
//! let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
//! let receipts: Vec<_> = (0..1000)
//!     .map(|i| producer.send(Record::new(format!("user-{i}"), b"hello".to_vec())))
//!     .collect::<Result<_, _>>()?;
//! producer.flush();
//! for receipt in receipts {
//!     match receipt.wait() {
//!         Event::Delivered { shard_id, sequence_number, .. } => {
//!             println!("{shard_id} {sequence_number}")
//!         }
//!         Event::Failed { error, attempts, .. } => println!("lost after {attempts}: {error}"),
//!         _ => {}
//!     }
//! }
//! producer.close();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The threads: one timer thread wakes the machine at
//! [`poll_timeout`](kinesis_proto::producer::Producer::poll_timeout), and
//! [`ProducerConfig::max_in_flight`] sender threads each carry one request
//! at a time over the client's connection pool. Every input (a record, an
//! answer, a wake-up) is followed by the machine's step, in the thread that
//! brought it: `handle_timeout`, drain `poll_transmit` to the senders,
//! drain `poll_event` to the receipts. The driver decides nothing: what
//! to send, when to retry and what becomes of a record is the machine's.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

pub use kinesis_proto::kpl::AggregationLimits;
use kinesis_proto::ops::StreamRef;
use kinesis_proto::producer::{self as machine, Transmit};
pub use kinesis_proto::producer::{
    Event, Metrics, Ordering, ProducerConfig, PushError, Record, RecordId,
};
use time::OffsetDateTime;

use crate::{Client, Error};

/// The shortest sleep of the timer thread, so that a deadline already
/// passed (a request's time limit while its sender is still returning)
/// cannot make it spin.
const MIN_SLEEP: Duration = Duration::from_millis(1);

/// A Kinesis producer on background threads: [`send`](Producer::send)
/// records, each gets a [`Receipt`] that resolves to its [`Event`]
/// (delivered, or failed with its last error) exactly once.
///
/// Safe to share between threads (`&Producer` sends; wrap it in an `Arc`).
///
/// **Dropping a producer closes it**: like [`close`](Producer::close), the
/// drop sends every record still buffered and blocks until each record
/// sent so far has its event (at most about
/// [`ProducerConfig::record_ttl`] after the last send, after which the
/// machine fails what is left with its last error). No record is
/// abandoned silently: each receipt, kept or dropped, gets its event
/// before the drop returns. Requests still out then (a record whose event
/// came from its time to live running out) are left to finish on their
/// sender threads, which exit after them.
///
/// ```no_run
/// use kinesis_blocking::producer::{Producer, ProducerConfig, Record};
/// use kinesis_blocking::Client;
///
/// let client = Client::from_env()?;
/// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
/// producer.send(Record::new("user-42", b"fire and forget".to_vec()))?;
/// drop(producer); // sends it and waits for its fate
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Producer {
    shared: Arc<Shared>,
    timer: Mutex<Option<thread::JoinHandle<()>>>,
}

/// What the caller's threads, the timer and the senders share.
struct Shared {
    state: Mutex<State>,
    /// The timer waits here for its deadline or an earlier one.
    wake: Condvar,
    /// Senders wait here for transmits.
    work: Condvar,
    /// Callers waiting for buffer space, a flush or the close wait here;
    /// notified whenever events come out.
    progress: Condvar,
    client: Client,
}

struct State {
    machine: machine::Producer,
    /// The receipt of every record still without its event.
    receipts: HashMap<RecordId, Arc<Slot>>,
    /// Transmits not yet taken by a sender.
    outbox: VecDeque<Transmit>,
    /// What the timer sleeps until (`None`: until woken).
    timer_deadline: Option<Instant>,
    /// Set once closed and finished: the threads exit.
    stopped: bool,
}

impl fmt::Debug for Producer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Producer")
            .field("machine", &state.machine)
            .field("receipts", &state.receipts.len())
            .finish_non_exhaustive()
    }
}

/// Where a record's event lands; shared by the receipt and the driver.
#[derive(Default)]
struct Slot {
    event: Mutex<Option<Event>>,
    ready: Condvar,
}

impl Slot {
    fn fulfil(&self, event: Event) {
        *self.event.lock().unwrap_or_else(|p| p.into_inner()) = Some(event);
        self.ready.notify_all();
    }
}

/// A record's claim to its [`Event`]: wait for it, poll it, or drop it
/// (the record is sent all the same).
///
/// ```no_run
/// # use kinesis_blocking::producer::{Event, Producer, ProducerConfig, Record};
/// # let client = kinesis_blocking::Client::from_env()?;
/// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
/// let receipt = producer.send(Record::new("k", b"v".to_vec()))?;
/// if let Event::Delivered { sequence_number, .. } = receipt.wait() {
///     println!("stored as {sequence_number}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Receipt {
    id: RecordId,
    slot: Arc<Slot>,
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipt")
            .field("id", &self.id)
            .field("ready", &self.is_ready())
            .finish()
    }
}

impl Receipt {
    /// The record's id (push order, from 0).
    ///
    /// ```no_run
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let a = producer.send(Record::new("k", b"a".to_vec()))?;
    /// let b = producer.send(Record::new("k", b"b".to_vec()))?;
    /// assert_eq!(b.id().0, a.id().0 + 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> RecordId {
        self.id
    }

    /// Whether the event is there ([`wait`](Self::wait) will not block).
    ///
    /// ```no_run
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let receipt = producer.send(Record::new("k", b"v".to_vec()))?;
    /// producer.flush();
    /// assert!(receipt.is_ready());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_ready(&self) -> bool {
        self.slot
            .event
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Blocks until the record's event: delivered (shard, sequence number,
    /// sub-sequence number when aggregated) or failed (its last error and
    /// how many requests carried it).
    ///
    /// ```no_run
    /// # use kinesis_blocking::producer::{Event, Producer, ProducerConfig, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// match producer.send(Record::new("k", b"v".to_vec()))?.wait() {
    ///     Event::Delivered { shard_id, .. } => println!("in {shard_id}"),
    ///     Event::Failed { error, .. } => eprintln!("failed: {error}"),
    ///     _ => {}
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait(self) -> Event {
        let mut event = self.slot.event.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(e) = event.take() {
                return e;
            }
            event = self
                .slot
                .ready
                .wait(event)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// [`wait`](Self::wait) for at most `limit`; the receipt comes back
    /// when the event has not come by then.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let receipt = producer.send(Record::new("k", b"v".to_vec()))?;
    /// match receipt.wait_timeout(Duration::from_secs(5)) {
    ///     Ok(event) => println!("{event:?}"),
    ///     Err(receipt) => println!("{} still pending", receipt.id()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_timeout(self, limit: Duration) -> Result<Event, Receipt> {
        let deadline = Instant::now() + limit;
        {
            let mut event = self.slot.event.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(e) = event.take() {
                    return Ok(e);
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                event = self
                    .slot
                    .ready
                    .wait_timeout(event, deadline - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        }
        Err(self)
    }
}

/// How long a send may wait for buffer space.
#[derive(Clone, Copy)]
enum Space {
    Wait,
    Until(Instant),
    FailFast,
}

impl Producer {
    /// A producer for `stream` (a name or a [`StreamRef::arn`]) sending
    /// through `client` (its endpoint, credentials, limits, retry settings
    /// and per-attempt time limit), with its timer and
    /// [`ProducerConfig::max_in_flight`] sender threads started.
    ///
    /// Fails with [`Error::Usage`] naming the field for a bad stream name
    /// or configuration. Nothing is sent before the first record.
    ///
    /// ```
    /// use kinesis_blocking::producer::{AggregationLimits, Producer, ProducerConfig};
    /// use kinesis_blocking::{Client, Config, Credentials, Settings};
    ///
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(
    ///     &client,
    ///     "my-stream",
    ///     ProducerConfig::default().with_aggregation(Some(AggregationLimits::default())),
    /// )?;
    /// assert!(Producer::new(&client, "bad name!", ProducerConfig::default()).is_err());
    /// drop(producer); // nothing was sent: closes at once
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        client: &Client,
        stream: impl Into<StreamRef>,
        config: ProducerConfig,
    ) -> Result<Producer, Error> {
        let senders = config.max_in_flight;
        let machine = {
            let (proto, credentials) = client.proto_parts();
            machine::Producer::new(proto, stream, credentials.clone(), config)?
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                machine,
                receipts: HashMap::new(),
                outbox: VecDeque::new(),
                timer_deadline: None,
                stopped: false,
            }),
            wake: Condvar::new(),
            work: Condvar::new(),
            progress: Condvar::new(),
            client: client.clone(),
        });
        for _ in 0..senders {
            let shared = shared.clone();
            thread::Builder::new()
                .name("kinesis-producer-send".into())
                .spawn(move || shared.send_loop())
                .map_err(|e| spawn_error(&e))?;
        }
        let timer = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("kinesis-producer-timer".into())
                .spawn(move || shared.timer_loop())
                .map_err(|e| spawn_error(&e))?
        };
        Ok(Producer {
            shared,
            timer: Mutex::new(Some(timer)),
        })
    }

    /// Sends `record`, blocking while the buffer is full
    /// ([`ProducerConfig::max_buffered_records`] and
    /// [`max_buffered_bytes`](ProducerConfig::max_buffered_bytes)) until
    /// events make room. Fails with [`PushError::Usage`] (naming the field;
    /// nothing queued) for a record the service would refuse, and
    /// [`PushError::Closed`] (the record handed back) after
    /// [`close`](Self::close).
    ///
    /// ```no_run
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let receipt = producer.send(Record::new("user-42", b"hello".to_vec()))?;
    /// drop(receipt); // the record goes all the same
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&self, record: Record) -> Result<Receipt, PushError> {
        self.push(record, Space::Wait)
    }

    /// [`send`](Self::send), waiting at most `limit` for buffer space;
    /// past it the record comes back in [`PushError::Full`].
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig, PushError, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// match producer.send_timeout(Record::new("k", b"v".to_vec()), Duration::from_millis(50)) {
    ///     Ok(receipt) => drop(receipt),
    ///     Err(PushError::Full(record)) => eprintln!("no room for {} bytes", record.data.len()),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_timeout(&self, record: Record, limit: Duration) -> Result<Receipt, PushError> {
        self.push(record, Space::Until(Instant::now() + limit))
    }

    /// [`send`](Self::send) without waiting: a full buffer hands the
    /// record back at once in [`PushError::Full`].
    ///
    /// ```
    /// use kinesis_blocking::producer::{Producer, ProducerConfig, PushError, Record};
    /// use kinesis_blocking::{Client, Config, Credentials, Settings};
    ///
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// // A record the service would refuse is a usage error; nothing is queued.
    /// let Err(PushError::Usage(e)) = producer.try_send(Record::new("", b"v".to_vec())) else {
    ///     panic!("an empty partition key is refused");
    /// };
    /// assert_eq!(e.field, "PartitionKey");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_send(&self, record: Record) -> Result<Receipt, PushError> {
        self.push(record, Space::FailFast)
    }

    fn push(&self, mut record: Record, space: Space) -> Result<Receipt, PushError> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        loop {
            match state.machine.push(record, Instant::now()) {
                Ok(id) => {
                    let slot = Arc::new(Slot::default());
                    state.receipts.insert(id, slot.clone());
                    shared.step(&mut state);
                    return Ok(Receipt { id, slot });
                }
                Err(PushError::Full(back)) => {
                    record = back;
                    let now = Instant::now();
                    state = match space {
                        Space::FailFast => return Err(PushError::Full(record)),
                        Space::Until(t) if now >= t => return Err(PushError::Full(record)),
                        Space::Until(t) => {
                            shared
                                .progress
                                .wait_timeout(state, t - now)
                                .unwrap_or_else(|p| p.into_inner())
                                .0
                        }
                        Space::Wait => shared
                            .progress
                            .wait(state)
                            .unwrap_or_else(|p| p.into_inner()),
                    };
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends everything buffered now and blocks until every record sent
    /// before this call has its event (delivered or failed; at most about
    /// [`ProducerConfig::record_ttl`]).
    ///
    /// ```no_run
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig, Record};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// for i in 0..100 {
    ///     producer.send(Record::new(format!("k{i}"), vec![0; 100]))?;
    /// }
    /// producer.flush();
    /// assert_eq!(producer.metrics().records_outstanding, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&self) {
        let shared = &*self.shared;
        let mut state = shared.lock();
        let mark = state.machine.flush();
        shared.step(&mut state);
        while !state.machine.is_flushed(mark) {
            state = shared
                .progress
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// [`flush`](Self::flush), waiting at most `limit`; whether everything
    /// sent before the call has its event.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig};
    /// # let client = kinesis_blocking::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// if !producer.flush_timeout(Duration::from_secs(1)) {
    ///     eprintln!("{} records still on their way", producer.metrics().records_outstanding);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush_timeout(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let shared = &*self.shared;
        let mut state = shared.lock();
        let mark = state.machine.flush();
        shared.step(&mut state);
        loop {
            if state.machine.is_flushed(mark) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = shared
                .progress
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Flushes, refuses new records ([`PushError::Closed`]) and stops the
    /// threads once every record has its event. Calling it again, or
    /// dropping the producer afterwards, does nothing more.
    ///
    /// ```
    /// use kinesis_blocking::producer::{Producer, ProducerConfig, PushError, Record};
    /// use kinesis_blocking::{Client, Config, Credentials, Settings};
    ///
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// producer.close();
    /// let Err(PushError::Closed(record)) = producer.send(Record::new("k", b"late".to_vec())) else {
    ///     panic!("a closed producer takes no records");
    /// };
    /// assert_eq!(record.data, b"late");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) {
        let shared = &*self.shared;
        {
            let mut state = shared.lock();
            state.machine.close();
            shared.step(&mut state);
            while !state.machine.is_finished() {
                state = shared
                    .progress
                    .wait(state)
                    .unwrap_or_else(|p| p.into_inner());
            }
            state.stopped = true;
        }
        shared.work.notify_all();
        shared.wake.notify_all();
        let timer = self.timer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(timer) = timer {
            let _ = timer.join();
        }
    }

    /// A snapshot of the machine's counters: records pushed, delivered,
    /// failed, retried, throttled, resent at the risk of a duplicate,
    /// requests and bytes sent, what is buffered and in flight.
    ///
    /// ```
    /// # use kinesis_blocking::producer::{Producer, ProducerConfig};
    /// # use kinesis_blocking::{Client, Config, Credentials, Settings};
    /// # let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// # let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let metrics = producer.metrics();
    /// assert_eq!((metrics.records_pushed, metrics.records_outstanding), (0, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.shared.lock().machine.metrics(Instant::now())
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.close();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The machine's step after any input: due timers, then every
    /// transmit to the senders, then every event to its receipt.
    fn step(&self, state: &mut State) {
        let now = Instant::now();
        state.machine.handle_timeout(now);
        let mut transmits = 0;
        while let Some(t) =
            state
                .machine
                .poll_transmit(now, OffsetDateTime::now_utc(), fastrand::f64())
        {
            state.outbox.push_back(t);
            transmits += 1;
        }
        for _ in 0..transmits {
            self.work.notify_one();
        }
        let mut events = false;
        while let Some(event) = state.machine.poll_event() {
            if let Some(slot) = state.receipts.remove(&event.id()) {
                slot.fulfil(event);
            }
            events = true;
        }
        if events {
            self.progress.notify_all();
        }
        let next = state.machine.poll_timeout();
        let sooner = match (next, state.timer_deadline) {
            (Some(next), Some(current)) => next < current,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if sooner {
            self.wake.notify_one();
        }
    }

    /// The timer thread: steps the machine at its deadlines.
    fn timer_loop(&self) {
        let mut state = self.lock();
        while !state.stopped {
            self.step(&mut state);
            let deadline = state.machine.poll_timeout();
            state.timer_deadline = deadline;
            state = match deadline {
                Some(at) => {
                    let sleep = at.saturating_duration_since(Instant::now()).max(MIN_SLEEP);
                    self.wake
                        .wait_timeout(state, sleep)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => self.wake.wait(state).unwrap_or_else(|p| p.into_inner()),
            };
        }
    }

    /// A sender thread: one transmit at a time, its answer fed back.
    fn send_loop(&self) {
        let mut state = self.lock();
        loop {
            if state.stopped {
                return;
            }
            let Some(transmit) = state.outbox.pop_front() else {
                state = self.work.wait(state).unwrap_or_else(|p| p.into_inner());
                continue;
            };
            drop(state);
            let id = transmit.id;
            let answer = self.client.send_raw(transmit.request, transmit.timeout);
            state = self.lock();
            match answer {
                Ok(response) => state.machine.handle_response(
                    id,
                    response,
                    Instant::now(),
                    OffsetDateTime::now_utc(),
                ),
                Err(e) => state.machine.handle_transport_error(id, e, Instant::now()),
            }
            self.step(&mut state);
        }
    }
}

fn spawn_error(e: &std::io::Error) -> Error {
    Error::Transport(kinesis_proto::TransportError::new(
        kinesis_proto::TransportErrorKind::Other,
        format!("cannot start a producer thread: {e}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::{serve, Reply};
    use kinesis_proto::{Config, Credentials, Settings};

    fn client(url: &str) -> Client {
        let config = Config::new("us-east-1")
            .with_endpoint_url(url)
            .expect("a local URL");
        Client::new(Settings::new(
            config,
            Credentials::new("AKID", "SECRET", None),
        ))
        .expect("a client")
    }

    #[test]
    fn producer_and_receipt_go_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<Producer>();
        check::<Receipt>();
    }

    #[test]
    fn an_idle_producer_closes_at_once() {
        let producer = Producer::new(
            &client("http://127.0.0.1:9"),
            "s",
            ProducerConfig::default(),
        )
        .expect("a producer");
        let start = Instant::now();
        drop(producer);
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_bad_configuration_is_a_usage_error() {
        let err = Producer::new(
            &client("http://127.0.0.1:9"),
            "s",
            ProducerConfig::default().with_max_in_flight(0),
        )
        .expect_err("no requests in flight");
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
    }

    const SHARDS: &[u8] = br#"{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}"#;

    fn put_ok(n: usize) -> Vec<u8> {
        let entries: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"ShardId":"shardId-000000000000","SequenceNumber":"{i}"}}"#))
            .collect();
        format!(
            r#"{{"FailedRecordCount":0,"Records":[{}]}}"#,
            entries.join(",")
        )
        .into_bytes()
    }

    #[test]
    fn records_are_batched_and_every_receipt_resolves() {
        // The server answers ListShards (if asked) and PutRecords in order;
        // the machine may ask ListShards first.
        let server = serve(vec![
            Reply::Answer(200, SHARDS.to_vec()),
            Reply::Answer(200, put_ok(3)),
        ]);
        let producer = Producer::new(
            &client(&server.url()),
            "s",
            ProducerConfig::default()
                .with_linger(Duration::from_secs(60))
                .with_max_in_flight(1),
        )
        .expect("a producer");
        let receipts: Vec<Receipt> = (0..3)
            .map(|i| {
                producer
                    .send(Record::new(format!("k{i}"), vec![i as u8]))
                    .expect("room")
            })
            .collect();
        // Linger is a minute: only the flush sends them.
        producer.flush();
        for (i, r) in receipts.into_iter().enumerate() {
            assert_eq!(r.id(), RecordId(i as u64));
            match r.wait() {
                Event::Delivered {
                    sequence_number, ..
                } => assert_eq!(sequence_number, i.to_string()),
                other => panic!("{other:?}"),
            }
        }
        let puts = server
            .seen()
            .iter()
            .filter(|r| r.head.iter().any(|l| l.contains("PutRecords")))
            .count();
        assert_eq!(puts, 1, "one batch");
    }

    #[test]
    fn a_full_buffer_fails_fast_or_waits_with_a_limit() {
        let producer = Producer::new(
            &client("http://127.0.0.1:9"),
            "s",
            ProducerConfig::default()
                .with_linger(Duration::from_secs(60))
                .with_max_buffered_records(1)
                .with_record_ttl(Duration::from_millis(300)),
        )
        .expect("a producer");
        let first = producer
            .try_send(Record::new("k", b"a".to_vec()))
            .expect("room for one");
        match producer.try_send(Record::new("k", b"b".to_vec())) {
            Err(PushError::Full(r)) => assert_eq!(r.data, b"b"),
            other => panic!("{other:?}"),
        }
        let start = Instant::now();
        match producer.send_timeout(Record::new("k", b"c".to_vec()), Duration::from_millis(50)) {
            Err(PushError::Full(r)) => assert_eq!(r.data, b"c"),
            other => panic!("{other:?}"),
        }
        assert!(start.elapsed() >= Duration::from_millis(50));
        // Nothing listens on port 9: the first record fails by its TTL,
        // which makes room; a blocking send then gets in.
        let second = producer
            .send(Record::new("k", b"d".to_vec()))
            .expect("room once the first has its fate");
        assert!(matches!(first.wait(), Event::Failed { .. }));
        drop(producer);
        assert!(matches!(second.wait(), Event::Failed { .. }));
    }
}
