//! Reading a whole stream as a [`Stream`] of [`Event`]s: [`Consumer`], and
//! where it keeps its checkpoints.
//!
//! The decisions — shard tree, positions, pacing, expired iterators,
//! deaggregation, checkpoints — are [`kinesis_proto::consumer`]'s; this
//! runs its loop inside `poll_next`: every request it asks for is sent at
//! once (so shards are read side by side on one task), answers are fed
//! back as they come, and a timer wakes the task when the machine says.
//!
//! ```no_run
//! use async_std::stream::StreamExt;
//! use kinesis_async::consumer::{Consumer, ConsumerConfig, Event, FileStore, StartPosition};
//! use kinesis_async::Client;
//!
//! # async_std::task::block_on(async {
//! let client = Client::from_env()?;
//! let config = ConsumerConfig::new("my-stream").with_start(StartPosition::TrimHorizon);
//! let mut consumer = Consumer::with_store(&client, config, FileStore::new("checkpoints.json")).await?;
//! while let Some(event) = consumer.next().await {
//!     match event {
//!         Event::Records(batch) => {
//!             for record in &batch.records {
//!                 println!("{} {}: {} bytes", batch.shard_id, record.partition_key, record.data.len());
//!             }
//!             consumer.checkpoint(&batch.shard_id, &batch.checkpoint).await?;
//!         }
//!         Event::ShardEnded { shard_id, checkpoint, .. } => consumer.checkpoint(&shard_id, &checkpoint).await?,
//!         Event::Error { error, .. } => eprintln!("still trying: {error}"),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), kinesis_async::Error>(())
//! # });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use kinesis_proto::consumer::{Consumer as Machine, RequestId};
use kinesis_proto::TransportError;
use time::OffsetDateTime;

use crate::{Client, Error};

pub use crate::checkpoint::{CheckpointStore, FileStore, MemoryStore, StoreFuture};
pub use kinesis_proto::consumer::{
    Batch, Checkpoint, Checkpoints, ConsumedRecord, ConsumerConfig, Event, StartPosition,
};

type Exchange = Pin<
    Box<dyn Future<Output = (RequestId, Result<http::Response<Vec<u8>>, TransportError>)> + Send>,
>;
type Timer = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Every shard of a stream as one [`Stream`] of [`Event`]s; see the
/// [module docs](self). It ends only when nothing is left to do at all.
#[must_use = "a stream does nothing until it is polled"]
pub struct Consumer {
    client: Client,
    machine: Machine,
    store: Box<dyn CheckpointStore>,
    in_flight: Vec<Exchange>,
    timer: Option<(Instant, Timer)>,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("machine", &self.machine)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// A consumer of `config` keeping checkpoints in memory (from
    /// `config.checkpoints`). Shards' children are read as soon as the
    /// parents are read.
    ///
    /// ```
    /// use kinesis_async::consumer::{Consumer, ConsumerConfig};
    /// use kinesis_async::{Client, Config, Credentials, Settings};
    /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4567")?;
    /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
    /// let consumer = Consumer::new(&client, ConsumerConfig::new("my-stream"));
    /// # let _ = consumer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(client: &Client, config: ConsumerConfig) -> Consumer {
        let store = MemoryStore::holding(config.checkpoints.clone());
        Consumer::build(client, config, Box::new(store))
    }

    /// A consumer resuming from what `store` holds (shards without a
    /// checkpoint start at `config.start`), storing there at each
    /// [`Consumer::checkpoint`]. A shard's children wait until its end is
    /// checkpointed, so a restart is exact.
    pub async fn with_store(
        client: &Client,
        config: ConsumerConfig,
        mut store: impl CheckpointStore + 'static,
    ) -> Result<Consumer, Error> {
        let stored = store.load().await?;
        let config = config.resuming_from(stored);
        Ok(Consumer::build(client, config, Box::new(store)))
    }

    fn build(client: &Client, config: ConsumerConfig, store: Box<dyn CheckpointStore>) -> Consumer {
        let (proto, credentials) = client.proto_parts();
        Consumer {
            client: client.clone(),
            machine: Machine::new(proto, credentials.clone(), config),
            store,
            in_flight: Vec::new(),
            timer: None,
        }
    }

    /// Stores `checkpoint` for `shard_id` (once the records before it are
    /// processed) and completes when the store has it.
    pub async fn checkpoint(
        &mut self,
        shard_id: &str,
        checkpoint: &Checkpoint,
    ) -> Result<(), Error> {
        self.store.save(shard_id, checkpoint).await?;
        self.machine.handle_checkpoint(shard_id, checkpoint);
        Ok(())
    }

    /// The checkpoints stored so far (and those it started from).
    pub fn checkpoints(&self) -> &Checkpoints {
        self.machine.checkpoints()
    }

    /// The state machine underneath, for its counters.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }
}

impl Stream for Consumer {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let this = &mut *self;
        loop {
            // Answers that came.
            let mut i = 0;
            while i < this.in_flight.len() {
                match this.in_flight[i].as_mut().poll(cx) {
                    Poll::Ready((id, result)) => {
                        drop(this.in_flight.swap_remove(i));
                        match result {
                            Ok(answer) => this.machine.handle_response(
                                id,
                                answer,
                                Instant::now(),
                                OffsetDateTime::now_utc(),
                            ),
                            Err(e) => this.machine.handle_transport_error(id, e, Instant::now()),
                        }
                    }
                    Poll::Pending => i += 1,
                }
            }
            // Requests it asks for: all sent at once.
            let mut sent = false;
            while let Some(t) = this.machine.poll_transmit(
                Instant::now(),
                OffsetDateTime::now_utc(),
                fastrand::f64(),
            ) {
                let client = this.client.clone();
                let (id, request, timeout) = (t.id, t.request, t.timeout);
                this.in_flight.push(Box::pin(async move {
                    (id, client.send_raw(request, timeout).await)
                }));
                sent = true;
            }
            if let Some(event) = this.machine.poll_event() {
                return Poll::Ready(Some(event));
            }
            if sent {
                continue; // poll the new exchanges so they can wake us
            }
            let Some(at) = this.machine.poll_timeout() else {
                this.timer = None;
                return if this.in_flight.is_empty() {
                    Poll::Ready(None)
                } else {
                    Poll::Pending
                };
            };
            let now = Instant::now();
            if at <= now {
                continue;
            }
            if this.timer.as_ref().is_none_or(|(t, _)| *t != at) {
                let sleep = async_std::task::sleep(at - now);
                this.timer = Some((at, Box::pin(sleep)));
            }
            if let Some((_, timer)) = &mut this.timer {
                if timer.as_mut().poll(cx).is_ready() {
                    this.timer = None;
                    continue;
                }
            }
            return Poll::Pending;
        }
    }
}
