//! What the consumer hands its user.

use super::checkpoint::Checkpoint;
use super::page::ConsumedRecord;
use crate::error::Error;

/// Something for the user to act on; see [`Consumer::poll_event`](super::Consumer::poll_event).
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// User records of one shard, in shard order, none delivered before.
    Records(Batch),
    /// A shard was read to its end. Store its checkpoint
    /// ([`Checkpoint::ShardEnd`]) once its records are processed; its
    /// children follow.
    ShardEnded {
        /// The shard read to its end.
        shard_id: String,
        /// The shards that follow it (two for a split, one for a merge).
        children: Vec<String>,
        /// What to store for it: always [`Checkpoint::ShardEnd`].
        checkpoint: Checkpoint,
    },
    /// A shard's reader reached the tip of its shard (`MillisBehindLatest`
    /// 0); said again only after it fell behind in between.
    CaughtUp {
        /// The shard.
        shard_id: String,
    },
    /// Records were lost to the retention period: the shard's oldest
    /// record left is later than the last one delivered (or checkpointed),
    /// so the records in between are gone. Reading goes on from the oldest.
    Trimmed {
        /// The shard.
        shard_id: String,
        /// The last position delivered or stored before the gap.
        after: Checkpoint,
        /// The sequence number reading resumed at.
        resumed_at: String,
    },
    /// A call failed in a way the engine's retries did not mend and that
    /// is not throttling (access denied, a stream that is gone…). The
    /// consumer tries again after a backoff; stop it if this persists.
    Error {
        /// The shard whose reading failed, or `None` for shard discovery.
        shard_id: Option<String>,
        /// What failed.
        error: Error,
    },
}

/// User records of one shard and the checkpoint that follows them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Batch {
    /// The shard they come from.
    pub shard_id: String,
    /// The user records, in order (aggregated records already unpacked).
    pub records: Vec<ConsumedRecord>,
    /// How far behind the tip of the shard the page was.
    pub millis_behind_latest: Option<u64>,
    /// What to store once these records are processed: after the last one.
    pub checkpoint: Checkpoint,
}
