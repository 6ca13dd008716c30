//! The producer: [`kinesis_proto::producer::Producer`] (batching, KPL
//! aggregation, retries of failed entries, exactly one event per record)
//! run on async-std tasks.
//!
//! ```no_run
//! use kinesis_async::producer::{Event, Producer, ProducerConfig, Record};
//! use kinesis_async::Client;
//!
//! # async_std::task::block_on(async {
//! let client = Client::from_env()?;
//! let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
//! let mut receipts = Vec::new();
//! for i in 0..1000 {
//!     receipts.push(producer.send(Record::new(format!("user-{i}"), b"hello".to_vec())).await?);
//! }
//! producer.flush().await;
//! for receipt in receipts {
//!     if let Event::Failed { error, .. } = receipt.await {
//!         eprintln!("lost: {error}");
//!     }
//! }
//! producer.close().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # });
//! ```
//!
//! The tasks: one timer task wakes the machine at
//! [`poll_timeout`](kinesis_proto::producer::Producer::poll_timeout), and
//! each request the machine hands out is sent by a task of its own (the
//! machine bounds how many are out, [`ProducerConfig::max_in_flight`]).
//! Every input (a record, an answer, a wake-up) is followed by the
//! machine's step in the task that brought it: `handle_timeout`, drain
//! `poll_transmit` to new send tasks, drain `poll_event` to the receipts.
//! The driver decides nothing; the lock around the machine is never held
//! across an `.await`.

use std::collections::HashMap;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use async_std::channel::{self, Receiver, Sender};
use async_std::task;
pub use kinesis_proto::kpl::AggregationLimits;
use kinesis_proto::ops::StreamRef;
use kinesis_proto::producer::{self as machine, Transmit};
pub use kinesis_proto::producer::{
    Event, Metrics, Ordering, ProducerConfig, PushError, Record, RecordId,
};
use time::OffsetDateTime;

use crate::{Client, Error};

/// The shortest sleep of the timer task, so that a deadline already passed
/// (a request's time limit while its task is still returning) cannot make
/// it spin.
const MIN_SLEEP: Duration = Duration::from_millis(1);

/// A Kinesis producer on async-std tasks: [`send`](Producer::send)
/// records, each gets a [`Receipt`], a future of its [`Event`] (delivered,
/// or failed with its last error), exactly once.
///
/// Safe to share between tasks (`&Producer` sends; wrap it in an `Arc`).
///
/// **Dropping a producer closes it without waiting**: it takes no more
/// records, and its background tasks go on sending what is buffered until
/// every record sent so far has its event (at most about
/// [`ProducerConfig::record_ttl`]), then stop. Receipts still resolve. But
/// a program that ends before then loses the records still unsent: await
/// [`close`](Producer::close) (or [`flush`](Producer::flush)) before the
/// end to know every record's fate.
///
/// ```no_run
/// use kinesis_async::producer::{Producer, ProducerConfig, Record};
/// use kinesis_async::Client;
///
/// # async_std::task::block_on(async {
/// let client = Client::from_env()?;
/// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
/// drop(producer.send(Record::new("user-42", b"fire and forget".to_vec())).await?);
/// producer.close().await; // sends it and waits for its fate
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # });
/// ```
pub struct Producer {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    client: Client,
    /// Wakes the timer task early (capacity 1: one pending wake is enough).
    wake: Sender<()>,
}

struct State {
    machine: machine::Producer,
    /// The receipt of every record still without its event.
    receipts: HashMap<RecordId, Arc<Slot>>,
    /// Grows whenever events come out or the producer finishes: what
    /// senders waiting for space and flushes wait on.
    generation: u64,
    /// Tasks waiting for `generation` to change.
    waiters: Vec<Waker>,
    /// What the timer sleeps until (`None`: until woken).
    timer_deadline: Option<Instant>,
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
struct Slot(Mutex<(Option<Event>, Option<Waker>)>);

impl Slot {
    fn fulfil(&self, event: Event) {
        let waker = {
            let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
            slot.0 = Some(event);
            slot.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A record's claim to its [`Event`]: a future that resolves to it. Drop
/// it if the fate does not matter; the record is sent all the same.
///
/// ```no_run
/// # use kinesis_async::producer::{Event, Producer, ProducerConfig, Record};
/// # async_std::task::block_on(async {
/// # let client = kinesis_async::Client::from_env()?;
/// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
/// let receipt = producer.send(Record::new("k", b"v".to_vec())).await?;
/// println!("record {}", receipt.id());
/// if let Event::Delivered { sequence_number, .. } = receipt.await {
///     println!("stored as {sequence_number}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # });
/// ```
#[must_use = "a receipt does nothing unless awaited; drop it to ignore the record's fate"]
pub struct Receipt {
    id: RecordId,
    slot: Arc<Slot>,
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipt").field("id", &self.id).finish()
    }
}

impl Receipt {
    /// The record's id (push order, from 0).
    ///
    /// ```no_run
    /// # use kinesis_async::producer::{Producer, ProducerConfig, Record};
    /// # async_std::task::block_on(async {
    /// # let client = kinesis_async::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let a = producer.send(Record::new("k", b"a".to_vec())).await?;
    /// let b = producer.send(Record::new("k", b"b".to_vec())).await?;
    /// assert_eq!(b.id().0, a.id().0 + 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub fn id(&self) -> RecordId {
        self.id
    }
}

impl Future for Receipt {
    type Output = Event;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Event> {
        let mut slot = self.slot.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.0.take() {
            Some(event) => Poll::Ready(event),
            None => {
                slot.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Producer {
    /// A producer for `stream` (a name or a [`StreamRef::arn`]) sending
    /// through `client` (its endpoint, credentials, limits, retry settings
    /// and per-attempt time limit), with its timer task spawned.
    ///
    /// Fails with [`Error::Usage`] naming the field for a bad stream name
    /// or configuration. Nothing is sent before the first record.
    ///
    /// ```
    /// use kinesis_async::producer::{AggregationLimits, Producer, ProducerConfig};
    /// use kinesis_async::{Client, Config, Credentials, Settings};
    ///
    /// # async_std::task::block_on(async {
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(
    ///     &client,
    ///     "my-stream",
    ///     ProducerConfig::default().with_aggregation(Some(AggregationLimits::default())),
    /// )?;
    /// assert!(Producer::new(&client, "bad name!", ProducerConfig::default()).is_err());
    /// producer.close().await; // nothing was sent: closes at once
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub fn new(
        client: &Client,
        stream: impl Into<StreamRef>,
        config: ProducerConfig,
    ) -> Result<Producer, Error> {
        let machine = {
            let (proto, credentials) = client.proto_parts();
            machine::Producer::new(proto, stream, credentials.clone(), config)?
        };
        let (wake, woken) = channel::bounded(1);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                machine,
                receipts: HashMap::new(),
                generation: 0,
                waiters: Vec::new(),
                timer_deadline: None,
            }),
            client: client.clone(),
            wake,
        });
        task::spawn(shared.clone().timer(woken));
        Ok(Producer { shared })
    }

    /// Sends `record`, waiting while the buffer is full
    /// ([`ProducerConfig::max_buffered_records`] and
    /// [`max_buffered_bytes`](ProducerConfig::max_buffered_bytes)) until
    /// events make room; the [`Receipt`] is a future of its event. Fails
    /// with [`PushError::Usage`] (naming the field; nothing queued) for a
    /// record the service would refuse, and [`PushError::Closed`] (the
    /// record handed back) after [`close`](Self::close).
    ///
    /// ```no_run
    /// # use kinesis_async::producer::{Producer, ProducerConfig, Record};
    /// # async_std::task::block_on(async {
    /// # let client = kinesis_async::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let receipt = producer.send(Record::new("user-42", b"hello".to_vec())).await?;
    /// let event = receipt.await;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn send(&self, record: Record) -> Result<Receipt, PushError> {
        self.send_until(record, None).await
    }

    /// [`send`](Self::send), waiting at most `limit` for buffer space;
    /// past it the record comes back in [`PushError::Full`].
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use kinesis_async::producer::{Producer, ProducerConfig, PushError, Record};
    /// # async_std::task::block_on(async {
    /// # let client = kinesis_async::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let record = Record::new("k", b"v".to_vec());
    /// match producer.send_timeout(record, Duration::from_millis(50)).await {
    ///     Ok(receipt) => drop(receipt),
    ///     Err(PushError::Full(record)) => eprintln!("no room for {} bytes", record.data.len()),
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn send_timeout(
        &self,
        record: Record,
        limit: Duration,
    ) -> Result<Receipt, PushError> {
        self.send_until(record, Some(Instant::now() + limit)).await
    }

    /// Sends `record` without waiting: a full buffer hands it back at once
    /// in [`PushError::Full`].
    ///
    /// ```
    /// use kinesis_async::producer::{Producer, ProducerConfig, PushError, Record};
    /// use kinesis_async::{Client, Config, Credentials, Settings};
    ///
    /// # async_std::task::block_on(async {
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// // A record the service would refuse is a usage error; nothing is queued.
    /// let Err(PushError::Usage(e)) = producer.try_send(Record::new("", b"v".to_vec())) else {
    ///     panic!("an empty partition key is refused");
    /// };
    /// assert_eq!(e.field, "PartitionKey");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub fn try_send(&self, record: Record) -> Result<Receipt, PushError> {
        let mut state = self.shared.lock();
        self.shared.push(&mut state, record)
    }

    async fn send_until(
        &self,
        mut record: Record,
        deadline: Option<Instant>,
    ) -> Result<Receipt, PushError> {
        loop {
            let seen = {
                let mut state = self.shared.lock();
                match self.shared.push(&mut state, record) {
                    Err(PushError::Full(back)) => record = back,
                    done => return done,
                }
                state.generation
            };
            match deadline {
                None => self.shared.changed(seen).await,
                Some(at) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if left.is_zero()
                        || async_std::future::timeout(left, self.shared.changed(seen))
                            .await
                            .is_err()
                    {
                        // One last try: room may have come with the deadline.
                        let mut state = self.shared.lock();
                        return self.shared.push(&mut state, record);
                    }
                }
            }
        }
    }

    /// Sends everything buffered now and waits until every record sent
    /// before this call has its event (delivered or failed; at most about
    /// [`ProducerConfig::record_ttl`]).
    ///
    /// ```no_run
    /// # use kinesis_async::producer::{Producer, ProducerConfig, Record};
    /// # async_std::task::block_on(async {
    /// # let client = kinesis_async::Client::from_env()?;
    /// # let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// for i in 0..100 {
    ///     drop(producer.send(Record::new(format!("k{i}"), vec![0; 100])).await?);
    /// }
    /// producer.flush().await;
    /// assert_eq!(producer.metrics().records_outstanding, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn flush(&self) {
        let mark = {
            let mut state = self.shared.lock();
            let mark = state.machine.flush();
            self.shared.step(&mut state);
            mark
        };
        self.shared
            .wait_for(|m: &machine::Producer| m.is_flushed(mark))
            .await;
    }

    /// Flushes, refuses new records ([`PushError::Closed`]) and waits
    /// until every record has its event; the timer task then stops.
    /// Calling it again does nothing more.
    ///
    /// ```
    /// use kinesis_async::producer::{Producer, ProducerConfig, PushError, Record};
    /// use kinesis_async::{Client, Config, Credentials, Settings};
    ///
    /// # async_std::task::block_on(async {
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// producer.close().await;
    /// let Err(PushError::Closed(record)) = producer.send(Record::new("k", b"late".to_vec())).await
    /// else {
    ///     panic!("a closed producer takes no records");
    /// };
    /// assert_eq!(record.data, b"late");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub async fn close(&self) {
        self.shared.close();
        self.shared
            .wait_for(|m: &machine::Producer| m.is_finished())
            .await;
    }

    /// A snapshot of the machine's counters: records pushed, delivered,
    /// failed, retried, throttled, resent at the risk of a duplicate,
    /// requests and bytes sent, what is buffered and in flight.
    ///
    /// ```
    /// # use kinesis_async::producer::{Producer, ProducerConfig};
    /// # use kinesis_async::{Client, Config, Credentials, Settings};
    /// # async_std::task::block_on(async {
    /// # let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// # let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let producer = Producer::new(&client, "my-stream", ProducerConfig::default())?;
    /// let metrics = producer.metrics();
    /// assert_eq!((metrics.records_pushed, metrics.records_outstanding), (0, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # });
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.shared.lock().machine.metrics(Instant::now())
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.shared.close();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(self: &Arc<Self>, state: &mut State, record: Record) -> Result<Receipt, PushError> {
        let id = state.machine.push(record, Instant::now())?;
        let slot = Arc::new(Slot::default());
        state.receipts.insert(id, slot.clone());
        self.step(state);
        Ok(Receipt { id, slot })
    }

    fn close(self: &Arc<Self>) {
        let mut state = self.lock();
        state.machine.close();
        self.step(&mut state);
        // The timer re-checks whether it is done.
        let _ = self.wake.try_send(());
    }

    /// The machine's step after any input: due timers, then every
    /// transmit to a send task, then every event to its receipt.
    fn step(self: &Arc<Self>, state: &mut State) {
        let now = Instant::now();
        state.machine.handle_timeout(now);
        while let Some(t) =
            state
                .machine
                .poll_transmit(now, OffsetDateTime::now_utc(), fastrand::f64())
        {
            task::spawn(self.clone().exchange(t));
        }
        let mut events = false;
        while let Some(event) = state.machine.poll_event() {
            if let Some(slot) = state.receipts.remove(&event.id()) {
                slot.fulfil(event);
            }
            events = true;
        }
        if events || state.machine.is_finished() {
            state.generation += 1;
            for waker in state.waiters.drain(..) {
                waker.wake();
            }
        }
        let next = state.machine.poll_timeout();
        let sooner = match (next, state.timer_deadline) {
            (Some(next), Some(current)) => next < current,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if sooner {
            let _ = self.wake.try_send(());
        }
    }

    /// One transmit: sent, its answer fed back.
    async fn exchange(self: Arc<Self>, transmit: Transmit) {
        let id = transmit.id;
        let answer = self
            .client
            .send_raw(transmit.request, transmit.timeout)
            .await;
        let mut state = self.lock();
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

    /// The timer task: steps the machine at its deadlines, until it is
    /// finished.
    async fn timer(self: Arc<Self>, woken: Receiver<()>) {
        loop {
            let deadline = {
                let mut state = self.lock();
                self.step(&mut state);
                if state.machine.is_finished() {
                    return;
                }
                let deadline = state.machine.poll_timeout();
                state.timer_deadline = deadline;
                deadline
            };
            match deadline {
                Some(at) => {
                    let sleep = at.saturating_duration_since(Instant::now()).max(MIN_SLEEP);
                    let _ = async_std::future::timeout(sleep, woken.recv()).await;
                }
                None => {
                    if woken.recv().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Resolves once `generation` differs from `seen`.
    async fn changed(&self, seen: u64) {
        poll_fn(|cx| {
            let mut state = self.lock();
            if state.generation != seen {
                return Poll::Ready(());
            }
            state.waiters.push(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }

    /// Waits until `done` holds of the machine.
    async fn wait_for(&self, done: impl Fn(&machine::Producer) -> bool) {
        loop {
            let seen = {
                let state = self.lock();
                if done(&state.machine) {
                    return;
                }
                state.generation
            };
            self.changed(seen).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn producer_and_its_futures_go_anywhere_a_task_goes() {
        fn shared<T: Send + Sync>(_: &T) {}
        fn spawnable<T: Send>(_: &T) {}
        let producer = Producer::new(
            &client("http://127.0.0.1:9"),
            "s",
            ProducerConfig::default(),
        )
        .expect("a producer");
        shared(&producer);
        spawnable(&producer.send(Record::new("k", b"v".to_vec())));
        spawnable(&producer.flush());
        spawnable(&producer.close());
    }

    #[test]
    fn a_full_buffer_fails_fast_or_waits_with_a_limit_and_every_receipt_resolves() {
        task::block_on(async {
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
            match producer
                .send_timeout(Record::new("k", b"c".to_vec()), Duration::from_millis(50))
                .await
            {
                Err(PushError::Full(r)) => assert_eq!(r.data, b"c"),
                other => panic!("{other:?}"),
            }
            assert!(start.elapsed() >= Duration::from_millis(50));
            // Nothing listens on port 9: the first record fails by its TTL,
            // which makes room; a waiting send then gets in.
            let second = producer
                .send(Record::new("k", b"d".to_vec()))
                .await
                .expect("room once the first has its fate");
            assert!(matches!(first.await, Event::Failed { .. }));
            producer.close().await;
            assert!(matches!(second.await, Event::Failed { .. }));
        });
    }

    #[test]
    fn a_dropped_producer_still_gives_every_receipt_its_event() {
        task::block_on(async {
            let producer = Producer::new(
                &client("http://127.0.0.1:9"),
                "s",
                ProducerConfig::default().with_record_ttl(Duration::from_millis(200)),
            )
            .expect("a producer");
            let receipt = producer
                .send(Record::new("k", b"v".to_vec()))
                .await
                .expect("room");
            drop(producer);
            let event = async_std::future::timeout(Duration::from_secs(10), receipt)
                .await
                .expect("an event after the drop");
            assert!(matches!(event, Event::Failed { .. }), "{event:?}");
        });
    }
}
