//! Reading a whole stream on one thread: [`Consumer`], an iterator of
//! [`Event`]s over every shard, and where it keeps its checkpoints.
//!
//! The decisions — shard tree, positions, pacing, expired iterators,
//! deaggregation, checkpoints — are [`kinesis_proto::consumer`]'s; this
//! runs its loop: send what it asks for, sleep until it says, hand out its
//! events. One thread multiplexes every shard (the requests go one at a
//! time; the pace of 5 GetRecords per second per shard leaves room for
//! many shards).
//!
//! ```no_run
//! use kinesis_blocking::consumer::{Consumer, ConsumerConfig, Event, FileStore, StartPosition};
//! use kinesis_blocking::Client;
//!
//! let client = Client::from_env()?;
//! let config = ConsumerConfig::new("my-stream").with_start(StartPosition::TrimHorizon);
//! // Resumes from the file if it exists; the next run goes on from here.
//! let mut consumer = Consumer::with_store(&client, config, FileStore::new("checkpoints.json"))?;
//! while let Some(event) = consumer.next() {
//!     match event {
//!         Event::Records(batch) => {
//!             for record in &batch.records {
//!                 println!("{} {}: {} bytes", batch.shard_id, record.partition_key, record.data.len());
//!             }
//!             consumer.checkpoint(&batch.shard_id, &batch.checkpoint)?;
//!         }
//!         Event::ShardEnded { shard_id, checkpoint, .. } => consumer.checkpoint(&shard_id, &checkpoint)?,
//!         Event::Error { error, .. } => eprintln!("still trying: {error}"),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), kinesis_blocking::Error>(())
//! ```

use std::fmt;
use std::thread;
use std::time::Instant;

use kinesis_proto::consumer::Consumer as Machine;
use time::OffsetDateTime;

use crate::{Client, Error};

pub use crate::checkpoint::{CheckpointStore, FileStore, MemoryStore};
pub use kinesis_proto::consumer::{
    Batch, Checkpoint, Checkpoints, ConsumedRecord, ConsumerConfig, Event, StartPosition,
};

/// Every shard of a stream as one iterator of [`Event`]s; see the
/// [module docs](self).
///
/// `next` blocks until there is an event. It returns `None` only when
/// nothing is left to do at all (no shard to read, no listing due).
pub struct Consumer {
    client: Client,
    machine: Machine,
    store: Box<dyn CheckpointStore>,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("machine", &self.machine)
            .finish_non_exhaustive()
    }
}

impl Consumer {
    /// A consumer of `config` keeping checkpoints in memory (from
    /// `config.checkpoints`). Shards' children are read as soon as the
    /// parents are read.
    ///
    /// ```
    /// use kinesis_blocking::consumer::{Consumer, ConsumerConfig};
    /// use kinesis_blocking::{Client, Config, Credentials, Settings};
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
    pub fn with_store(
        client: &Client,
        config: ConsumerConfig,
        mut store: impl CheckpointStore + 'static,
    ) -> Result<Consumer, Error> {
        let stored = store.load()?;
        let config = config.resuming_from(stored);
        Ok(Consumer::build(client, config, Box::new(store)))
    }

    fn build(client: &Client, config: ConsumerConfig, store: Box<dyn CheckpointStore>) -> Consumer {
        let (proto, credentials) = client.proto_parts();
        Consumer {
            client: client.clone(),
            machine: Machine::new(proto, credentials.clone(), config),
            store,
        }
    }

    /// Stores `checkpoint` for `shard_id` (once the records before it are
    /// processed) and returns when the store has it.
    pub fn checkpoint(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Result<(), Error> {
        self.store.save(shard_id, checkpoint)?;
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

impl Iterator for Consumer {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.machine.poll_event() {
                return Some(event);
            }
            let now = Instant::now();
            if let Some(t) =
                self.machine
                    .poll_transmit(now, OffsetDateTime::now_utc(), fastrand::f64())
            {
                match self.client.send_raw(t.request, t.timeout) {
                    Ok(answer) => self.machine.handle_response(
                        t.id,
                        answer,
                        Instant::now(),
                        OffsetDateTime::now_utc(),
                    ),
                    Err(e) => self.machine.handle_transport_error(t.id, e, Instant::now()),
                }
                continue;
            }
            if let Some(event) = self.machine.poll_event() {
                return Some(event);
            }
            let until = self.machine.poll_timeout()?;
            thread::sleep(until.saturating_duration_since(Instant::now()));
        }
    }
}
