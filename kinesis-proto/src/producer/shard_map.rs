//! The predicted shard of a hash key: the open shards' hash-key ranges,
//! as ListShards gives them.

use std::sync::Arc;

use crate::ops::Shard;

/// The open shards of a stream, sorted by the start of their hash-key
/// range. Ranges are inclusive; open shards do not overlap.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShardMap {
    /// `(starting hash key, ending hash key, shard id)`, by start.
    ranges: Vec<(u128, u128, Arc<str>)>,
}

impl ShardMap {
    /// The map of the open shards among `shards` (closed ones, those with
    /// an ending sequence number, take no new records).
    pub(crate) fn from_shards<'a>(shards: impl IntoIterator<Item = &'a Shard>) -> Self {
        let mut ranges: Vec<(u128, u128, Arc<str>)> = shards
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| {
                (
                    s.hash_key_range.starting_hash_key,
                    s.hash_key_range.ending_hash_key,
                    Arc::from(s.shard_id.as_str()),
                )
            })
            .collect();
        ranges.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
        ShardMap { ranges }
    }

    /// The shard whose range holds `hash_key`, if any.
    pub(crate) fn shard_of(&self, hash_key: u128) -> Option<&Arc<str>> {
        let after = self.ranges.partition_point(|r| r.0 <= hash_key);
        let (_, end, id) = self.ranges.get(after.checked_sub(1)?)?;
        (hash_key <= *end).then_some(id)
    }

    /// The hash-key range of `shard_id`, when it is in the map.
    pub(crate) fn range_of(&self, shard_id: &str) -> Option<(u128, u128)> {
        self.ranges
            .iter()
            .find(|r| &*r.2 == shard_id)
            .map(|r| (r.0, r.1))
    }

    /// How many open shards the map holds.
    pub(crate) fn len(&self) -> usize {
        self.ranges.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(id: &str, start: u128, end: u128, open: bool) -> Shard {
        let json = format!(
            r#"{{"ShardId":"{id}","HashKeyRange":{{"StartingHashKey":"{start}","EndingHashKey":"{end}"}},
            "SequenceNumberRange":{{"StartingSequenceNumber":"1"{}}}}}"#,
            if open {
                ""
            } else {
                r#","EndingSequenceNumber":"9""#
            }
        );
        serde_json::from_str(&json).expect("a shard")
    }

    #[test]
    fn finds_the_range_holding_a_key_inclusive_at_both_ends() {
        let map = ShardMap::from_shards(&[
            shard("b", 100, u128::MAX, true),
            shard("a", 0, 99, true),
            shard("old", 0, u128::MAX, false),
        ]);
        assert_eq!(map.len(), 2);
        assert_eq!(map.shard_of(0).map(|s| &**s), Some("a"));
        assert_eq!(map.shard_of(99).map(|s| &**s), Some("a"));
        assert_eq!(map.shard_of(100).map(|s| &**s), Some("b"));
        assert_eq!(map.shard_of(u128::MAX).map(|s| &**s), Some("b"));
        assert_eq!(map.range_of("a"), Some((0, 99)));
        assert_eq!(map.range_of("old"), None);
    }

    #[test]
    fn a_gap_predicts_nothing() {
        let map = ShardMap::from_shards(&[shard("a", 10, 20, true)]);
        assert_eq!(map.shard_of(9), None);
        assert_eq!(map.shard_of(21), None);
        assert_eq!(ShardMap::default().shard_of(5), None);
    }
}
