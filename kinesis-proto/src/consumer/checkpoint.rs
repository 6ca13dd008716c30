//! Checkpoints: how far each shard has been processed, as a plain value
//! to store and resume from.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How far one shard has been processed.
///
/// `After` names the last user record processed: its Kinesis record's
/// sequence number and its sub-sequence number inside that record (0 for
/// a record that was not aggregated). `ShardEnd` says the shard was read
/// and processed to its end, so its children may be read.
///
/// ```
/// use kinesis_proto::consumer::Checkpoint;
/// let cp = Checkpoint::after("49590338271490256608559692538361571095921575989136588898", 0);
/// let json = serde_json::to_string(&cp).unwrap();
/// assert_eq!(json, r#"{"after":{"sequence_number":"49590338271490256608559692538361571095921575989136588898","sub_sequence_number":0}}"#);
/// assert_eq!(serde_json::from_str::<Checkpoint>(&json).unwrap(), cp);
/// assert_eq!(serde_json::to_string(&Checkpoint::ShardEnd).unwrap(), r#""shard_end""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Checkpoint {
    /// Every user record up to and including this one was processed.
    After {
        /// The Kinesis record's sequence number (decimal digits).
        sequence_number: String,
        /// The user record's place inside its Kinesis record.
        #[serde(default)]
        sub_sequence_number: u64,
    },
    /// The shard was processed to its end.
    ShardEnd,
}

impl Checkpoint {
    /// A checkpoint after the user record `(sequence_number, sub_sequence_number)`.
    pub fn after(sequence_number: impl Into<String>, sub_sequence_number: u64) -> Self {
        Checkpoint::After {
            sequence_number: sequence_number.into(),
            sub_sequence_number,
        }
    }

    /// Whether this says the shard was processed to its end.
    pub fn is_shard_end(&self) -> bool {
        matches!(self, Checkpoint::ShardEnd)
    }

    /// Whether the user record `(sequence_number, sub)` is at or before
    /// this checkpoint (so a resumed consumer does not deliver it again).
    ///
    /// ```
    /// use kinesis_proto::consumer::Checkpoint;
    /// let cp = Checkpoint::after("100", 2);
    /// assert!(cp.covers("99", 7));
    /// assert!(cp.covers("100", 2));
    /// assert!(!cp.covers("100", 3));
    /// assert!(!cp.covers("1000", 0));
    /// assert!(Checkpoint::ShardEnd.covers("1", 0));
    /// ```
    pub fn covers(&self, sequence_number: &str, sub_sequence_number: u64) -> bool {
        match self {
            Checkpoint::ShardEnd => true,
            Checkpoint::After {
                sequence_number: at,
                sub_sequence_number: at_sub,
            } => match compare_sequence_numbers(sequence_number, at) {
                Ordering::Less => true,
                Ordering::Equal => sub_sequence_number <= *at_sub,
                Ordering::Greater => false,
            },
        }
    }
}

/// The checkpoints of a stream's shards, by shard id: the value a
/// checkpoint store keeps (as JSON, say).
///
/// ```
/// use kinesis_proto::consumer::{Checkpoint, Checkpoints};
/// let mut all = Checkpoints::new();
/// all.set("shardId-000000000000", Checkpoint::ShardEnd);
/// all.set("shardId-000000000001", Checkpoint::after("42", 0));
/// let json = all.to_json();
/// assert_eq!(Checkpoints::from_json(&json).unwrap(), all);
/// assert_eq!(all.get("shardId-000000000001"), Some(&Checkpoint::after("42", 0)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Checkpoints(BTreeMap<String, Checkpoint>);

impl Checkpoints {
    /// No checkpoint at all.
    pub fn new() -> Self {
        Checkpoints::default()
    }

    /// The checkpoint of `shard_id`, if it has one.
    pub fn get(&self, shard_id: &str) -> Option<&Checkpoint> {
        self.0.get(shard_id)
    }

    /// Records `checkpoint` for `shard_id`. A checkpoint that goes back
    /// (before the one stored, or after a `ShardEnd`) is ignored, so a
    /// late or repeated store never reverts progress; returns whether it
    /// was taken.
    ///
    /// ```
    /// use kinesis_proto::consumer::{Checkpoint, Checkpoints};
    /// let mut all = Checkpoints::new();
    /// assert!(all.set("s", Checkpoint::after("20", 0)));
    /// assert!(!all.set("s", Checkpoint::after("10", 0)));
    /// assert!(all.set("s", Checkpoint::ShardEnd));
    /// assert!(!all.set("s", Checkpoint::after("30", 0)));
    /// ```
    pub fn set(&mut self, shard_id: impl Into<String>, checkpoint: Checkpoint) -> bool {
        let shard_id = shard_id.into();
        let newer = match (self.0.get(&shard_id), &checkpoint) {
            (None, _) => true,
            (Some(Checkpoint::ShardEnd), _) => false,
            (Some(_), Checkpoint::ShardEnd) => true,
            (
                Some(old),
                Checkpoint::After {
                    sequence_number,
                    sub_sequence_number,
                },
            ) => !old.covers(sequence_number, *sub_sequence_number),
        };
        if newer {
            self.0.insert(shard_id, checkpoint);
        }
        newer
    }

    /// Every shard's checkpoint, by shard id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Checkpoint)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many shards have a checkpoint.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no shard has a checkpoint.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The checkpoints as pretty JSON text (what the file store writes).
    pub fn to_json(&self) -> String {
        // A map of strings to plain enums always serializes.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Checkpoints from the JSON text [`Checkpoints::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Orders two sequence numbers (decimal digits, up to 128 bits and more)
/// as numbers: by length without leading zeros, then by digits. Text that
/// is not digits compares by the same rule, deterministically.
///
/// ```
/// use std::cmp::Ordering;
/// use kinesis_proto::consumer::compare_sequence_numbers;
/// assert_eq!(compare_sequence_numbers("9", "10"), Ordering::Less);
/// assert_eq!(compare_sequence_numbers("010", "10"), Ordering::Equal);
/// ```
pub fn compare_sequence_numbers(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
