//! The KPL's aggregated-record format: many user records in one Kinesis
//! record, as the Kinesis Producer Library writes them and the Kinesis
//! Client Library reads them.
//!
//! An aggregated record's data is the magic `F3 89 9A C2`, a protobuf
//! `AggregatedRecord` (a table of partition keys, a table of explicit hash
//! keys, and the user records, each naming its keys by index in the
//! tables), then the MD5 digest of the protobuf. Pure functions and
//! values: no I/O, no clock.
//!
//! - [`Aggregator`] packs user records, up to a size cap
//!   (`AggregationMaxSize`, 51,200 bytes by default) and a count cap
//!   (`AggregationMaxCount`, 4,294,967,295 by default), and says exactly
//!   how large the result will be before it is built. Its bytes are those
//!   of `aws-kinesis-agg`, the reference implementation, for the same
//!   user records.
//! - [`deaggregate`] unpacks a Kinesis record by the KCL's rules: anything
//!   that is not a well-formed aggregated record comes out as one plain
//!   user record, its bytes unchanged — never an error, never lost. User
//!   records get sub-sequence numbers 0, 1, 2…
//! - [`Deaggregated::in_shard`] is the KCL's filter after a reshard.
//!
//! The whole trip:
//!
//! ```
//! use kinesis_proto::kpl::{deaggregate, Add, Aggregator};
//!
//! let mut aggregator = Aggregator::default();
//! for (key, data) in [("user-1", &b"first"[..]), ("user-2", b"second"), ("user-1", b"third")] {
//!     match aggregator.add(key, None, data) {
//!         Add::Added => {}
//!         Add::Full => { /* send aggregator.finish(), then add again */ }
//!         Add::TooLarge => { /* send this one on its own */ }
//!     }
//! }
//! let aggregate = aggregator.finish().expect("three records");
//! // A PutRecords entry: PartitionKey, ExplicitHashKey and Data from `aggregate`.
//! assert_eq!(aggregate.partition_key, "user-1");
//!
//! // What GetRecords later gives back, unpacked:
//! let records = deaggregate(&aggregate.partition_key, &aggregate.data);
//! let unpacked: Vec<(&str, &[u8], u64)> = records
//!     .iter()
//!     .map(|r| (r.partition_key, r.data, r.sub_sequence_number))
//!     .collect();
//! assert_eq!(
//!     unpacked,
//!     [("user-1", &b"first"[..], 0), ("user-2", b"second", 1), ("user-1", b"third", 2)]
//! );
//! ```
//!
//! ## Where this follows the reference and not the KPL
//! The outer record's partition key is the first user record's, and its
//! explicit hash key is the first user record's if it had one, as
//! `aws-kinesis-agg` does. The KPL instead sends a one-byte partition key
//! (`"a"`) and always an explicit hash key (the first user record's hash
//! key). Both put the aggregated record on the shard of its first user
//! record; [`Aggregate::hash_key`] says which hash key that is.
//!
//! The KPL also sends an "aggregate" of one user record as that plain
//! record; an [`Aggregator`] always writes the aggregated form (a
//! producer may send a lone record plain instead: the consumer reads both).

mod aggregate;
mod deaggregate;
mod wire;

pub use aggregate::{Add, Aggregate, AggregationLimits, Aggregator};
pub use deaggregate::{deaggregate, Contents, Deaggregated, Iter, NotAggregated, UserRecord};
pub use wire::{hash_key_of, DEFAULT_MAX_COUNT, DEFAULT_MAX_SIZE};
