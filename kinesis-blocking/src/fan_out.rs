//! Enhanced fan-out for blocking code: a facade over kinesis-async's
//! implementation (the `fan-out` feature). AWS serves SubscribeToShard
//! over HTTP/2 only and ureq speaks HTTP/1.1, so the bytes go through
//! kinesis-async's hyper connections, whose tasks run on async-std's
//! executor threads; each `next()` of these iterators blocks the calling
//! thread until the next event.

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;
use kinesis_async::eventstream::{ShardEvent, ShardSubscription, SubscriptionEvent};
use kinesis_proto::ops::SubscribeToShard;
use kinesis_proto::{Error, Settings};

/// Subscribes to shards over enhanced fan-out from blocking code, with the
/// same names as kinesis-async's client ([`FanOut::subscribe_to_shard`],
/// [`FanOut::fan_out_shard`]), as iterators.
///
/// ```no_run
/// use std::time::Instant;
/// use kinesis_blocking::eventstream::{ShardSubscription, SubscriptionEvent};
/// use kinesis_blocking::ops::ShardIteratorType;
/// use kinesis_blocking::{FanOut, Settings};
///
/// let settings = Settings::from_env_with(|v| std::env::var(v).ok(), |f| std::fs::read_to_string(f))?;
/// let fan_out = FanOut::new(settings)?;
/// let shard = ShardSubscription::new(
///     "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
///     "shardId-000000000000",
///     ShardIteratorType::TrimHorizon,
///     Instant::now(),
/// );
/// for event in fan_out.fan_out_shard(shard) {
///     match event {
///         SubscriptionEvent::Records { records, .. } => println!("{} records", records.len()),
///         SubscriptionEvent::ShardEnded { child_shards } => println!("then {child_shards:?}"),
///         SubscriptionEvent::Failed(e) => return Err(e.into()),
///         _ => {}
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FanOut {
    client: kinesis_async::Client,
}

impl FanOut {
    /// A fan-out reader with `settings` (its own HTTP/2 connections, apart
    /// from any [`crate::Client`]'s).
    pub fn new(settings: Settings) -> Result<FanOut, Error> {
        Ok(FanOut {
            client: kinesis_async::Client::new(settings)?,
        })
    }

    /// One SubscribeToShard call's events, as they arrive, for up to five
    /// minutes (see `kinesis_async::Client::subscribe_to_shard`).
    pub fn subscribe_to_shard(&self, op: &SubscribeToShard) -> Result<ShardEvents, Error> {
        let events = async_std::task::block_on(self.client.subscribe_to_shard(op))?;
        Ok(ShardEvents { events })
    }

    /// One shard read across resubscriptions until it ends or fails (see
    /// `kinesis_async::Client::fan_out_shard`).
    pub fn fan_out_shard(&self, subscription: ShardSubscription) -> FanOutShard {
        FanOutShard {
            events: self.client.fan_out_shard(subscription),
        }
    }
}

/// The events of one subscription; see [`FanOut::subscribe_to_shard`].
#[derive(Debug)]
pub struct ShardEvents {
    events: kinesis_async::ShardEvents,
}

impl Iterator for ShardEvents {
    type Item = Result<ShardEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        next(&mut self.events)
    }
}

/// A shard's records across subscriptions; see [`FanOut::fan_out_shard`].
#[derive(Debug)]
pub struct FanOutShard {
    events: kinesis_async::FanOutShard,
}

impl Iterator for FanOutShard {
    type Item = SubscriptionEvent;

    fn next(&mut self) -> Option<Self::Item> {
        next(&mut self.events)
    }
}

fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    async_std::task::block_on(poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)))
}
