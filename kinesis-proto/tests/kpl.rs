//! The KPL aggregated-record format against `tests/vectors/kpl` (made with
//! the reference implementation, `aws-kinesis-agg` 1.2.3; see its README),
//! one `#[test]` per case, plus a round-trip property test.
//!
//! A positive case is aggregated (the bytes and the outer keys must be the
//! reference's exactly, and the predicted size the output's length) and
//! its reference bytes deaggregated (exactly its user records, in order,
//! with sub-sequence numbers 0, 1, 2…). A `not_aggregated` case must come
//! out as one plain record with its bytes unchanged.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use kinesis_proto::kpl::{deaggregate, hash_key_of, Add, AggregationLimits, Aggregator, Contents};
use proptest::prelude::*;
use serde::Deserialize;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

macro_rules! cases {
    (
        positive { $($positive:ident,)* }
        not_aggregated { $($not:ident,)* }
    ) => {
        /// Every positive case the harness runs.
        const POSITIVE: &[&str] = &[$(stringify!($positive)),*];
        /// Every not-aggregated case the harness runs.
        const NOT_AGGREGATED: &[&str] = &[$(stringify!($not)),*];
        $(
            #[test]
            fn $positive() {
                run_positive(stringify!($positive));
            }
        )*
        $(
            #[test]
            fn $not() {
                run_not_aggregated(stringify!($not));
            }
        )*
    };
}

cases! {
    positive {
        one_record,
        two_records_shared_key,
        three_keys_with_explicit_hash_keys,
        binary_and_empty_data,
        unicode_partition_keys,
    }
    not_aggregated {
        no_magic,
        magic_only,
        bad_md5,
        truncated_protobuf_valid_md5,
    }
}

#[derive(Deserialize)]
struct Vectors {
    positive: Vec<Positive>,
    not_aggregated: Vec<NotAggregatedCase>,
}

#[derive(Deserialize)]
struct Positive {
    name: String,
    user_records: Vec<VectorRecord>,
    aggregated_b64: String,
    outer_partition_key: String,
    outer_explicit_hash_key: Option<String>,
}

#[derive(Deserialize)]
struct VectorRecord {
    partition_key: String,
    explicit_hash_key: Option<String>,
    data_b64: String,
}

#[derive(Deserialize)]
struct NotAggregatedCase {
    name: String,
    data_b64: String,
}

fn vectors() -> Vectors {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/kpl/aggregation.json");
    let text = fs::read_to_string(&path).expect("the vector file is readable");
    serde_json::from_str(&text).expect("the vector file parses")
}

fn b64(text: &str) -> Vec<u8> {
    B64.decode(text).expect("vector base64")
}

fn run_positive(name: &str) {
    let vectors = vectors();
    let case = vectors
        .positive
        .iter()
        .find(|case| case.name == name)
        .expect("the case is in the file");
    let expected = b64(&case.aggregated_b64);

    // Aggregate: the reference's bytes and outer keys, the size predicted.
    let mut aggregator = Aggregator::default();
    for record in &case.user_records {
        let hash_key = record
            .explicit_hash_key
            .as_deref()
            .map(|key| key.parse::<u128>().expect("a decimal hash key"));
        let data = b64(&record.data_b64);
        let predicted = aggregator.size_if_added(&record.partition_key, hash_key, &data);
        assert_eq!(
            aggregator.add(&record.partition_key, hash_key, &data),
            Add::Added
        );
        assert_eq!(aggregator.size(), predicted);
    }
    let predicted = aggregator.size();
    let aggregate = aggregator.finish().expect("the case has records");
    assert_eq!(
        B64.encode(&aggregate.data),
        case.aggregated_b64,
        "aggregated bytes"
    );
    assert_eq!(aggregate.data.len(), predicted, "predicted size");
    assert_eq!(aggregate.partition_key, case.outer_partition_key);
    assert_eq!(
        aggregate.explicit_hash_key.map(|key| key.to_string()),
        case.outer_explicit_hash_key
    );
    assert_eq!(aggregate.user_records, case.user_records.len());
    let first = &case.user_records[0];
    let first_hash_key = match &first.explicit_hash_key {
        Some(key) => key.parse().expect("a decimal hash key"),
        None => hash_key_of(&first.partition_key),
    };
    assert_eq!(aggregate.hash_key, first_hash_key);

    // Deaggregate the reference's bytes: exactly its user records.
    let records = deaggregate(&case.outer_partition_key, &expected);
    assert_eq!(records.contents(), Contents::Aggregated);
    assert_eq!(records.len(), case.user_records.len());
    for (i, (got, want)) in records.iter().zip(&case.user_records).enumerate() {
        assert_eq!(got.partition_key, want.partition_key, "record {i}");
        assert_eq!(
            got.explicit_hash_key,
            want.explicit_hash_key.as_deref(),
            "record {i}"
        );
        assert_eq!(got.data, b64(&want.data_b64), "record {i}");
        assert_eq!(got.sub_sequence_number, i as u64, "record {i}");
        assert!(got.aggregated);
    }
    assert_eq!(records.iter().count(), case.user_records.len());
    // The whole hash-key space is every shard's range before any reshard.
    assert_eq!(
        deaggregate(&case.outer_partition_key, &expected)
            .in_shard(0..=u128::MAX)
            .len(),
        case.user_records.len()
    );
}

fn run_not_aggregated(name: &str) {
    let vectors = vectors();
    let case = vectors
        .not_aggregated
        .iter()
        .find(|case| case.name == name)
        .expect("the case is in the file");
    let data = b64(&case.data_b64);
    let records = deaggregate("outer-key", &data);
    assert!(
        matches!(records.contents(), Contents::Plain(_)),
        "{:?}",
        records.contents()
    );
    let all: Vec<_> = records.iter().collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].data, &data[..], "bytes unchanged");
    assert_eq!(all[0].partition_key, "outer-key");
    assert_eq!(all[0].explicit_hash_key, None);
    assert_eq!(all[0].sub_sequence_number, 0);
    assert!(!all[0].aggregated);
    // The shard filter leaves plain records alone.
    assert_eq!(deaggregate("outer-key", &data).in_shard(0..=0).len(), 1);
}

/// Fails when a case in the file is not in the `cases!` list (or the
/// other way round), so no case is silently skipped.
#[test]
fn every_case_on_disk_is_run() {
    let vectors = vectors();
    let mut on_disk: Vec<&str> = vectors.positive.iter().map(|c| c.name.as_str()).collect();
    let mut listed = POSITIVE.to_vec();
    on_disk.sort_unstable();
    listed.sort_unstable();
    assert_eq!(on_disk, listed, "positive cases in the file vs. the list");

    let mut on_disk: Vec<&str> = vectors
        .not_aggregated
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut listed = NOT_AGGREGATED.to_vec();
    on_disk.sort_unstable();
    listed.sort_unstable();
    assert_eq!(
        on_disk, listed,
        "not_aggregated cases in the file vs. the list"
    );
}

/// A user record as the property test makes them.
#[derive(Debug, Clone, PartialEq)]
struct Input {
    partition_key: String,
    explicit_hash_key: Option<u128>,
    data: Vec<u8>,
}

fn input() -> impl Strategy<Value = Input> {
    (
        // Few distinct keys, so the tables repeat; some non-ASCII.
        prop_oneof!["[a-c]{1,3}", "[ключ鍵]{1,2}", ".{1,40}"],
        proptest::option::of(prop_oneof![
            Just(0u128),
            Just(u128::MAX),
            any::<u128>(),
            0u128..4
        ]),
        proptest::collection::vec(any::<u8>(), 0..400),
    )
        .prop_map(|(partition_key, explicit_hash_key, data)| Input {
            partition_key,
            explicit_hash_key,
            data,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// deaggregate(aggregate(x)) == x, across aggregates cut by both caps;
    /// each aggregate's length is the size predicted before it was built.
    #[test]
    fn deaggregate_inverts_aggregate(
        inputs in proptest::collection::vec(input(), 1..80),
        max_size in prop_oneof![Just(kinesis_proto::kpl::DEFAULT_MAX_SIZE), 64usize..3_000],
        max_count in prop_oneof![Just(kinesis_proto::kpl::DEFAULT_MAX_COUNT), 1u64..10],
    ) {
        let mut aggregator = Aggregator::new(AggregationLimits { max_size, max_count });
        // Kinesis records as sent: (partition key, data, aggregated?).
        let mut sent: Vec<(String, Vec<u8>, bool)> = Vec::new();
        let flush = |aggregator: &mut Aggregator, sent: &mut Vec<(String, Vec<u8>, bool)>| {
            let predicted = aggregator.size();
            if let Some(aggregate) = aggregator.finish() {
                prop_assert_eq!(aggregate.data.len(), predicted);
                prop_assert!(aggregate.data.len() <= max_size);
                prop_assert!(aggregate.user_records as u64 <= max_count);
                sent.push((aggregate.partition_key, aggregate.data, true));
            }
            Ok(())
        };
        // Whether each input went out inside an aggregate.
        let mut kinds = Vec::new();
        for input in &inputs {
            let (key, hash_key, data) = (&input.partition_key, input.explicit_hash_key, &input.data);
            let outcome = aggregator.add(key, hash_key, data);
            kinds.push(outcome != Add::TooLarge);
            match outcome {
                Add::Added => {}
                Add::Full => {
                    flush(&mut aggregator, &mut sent)?;
                    prop_assert_eq!(aggregator.add(key, hash_key, data), Add::Added);
                }
                Add::TooLarge => {
                    // Sent on its own; it must not fit even alone.
                    prop_assert!(
                        max_count == 0
                            || Aggregator::default().size_if_added(key, hash_key, data) > max_size
                    );
                    flush(&mut aggregator, &mut sent)?;
                    sent.push((key.clone(), data.clone(), false));
                }
            }
        }
        flush(&mut aggregator, &mut sent)?;

        let mut out = Vec::new();
        for (key, data, aggregated) in &sent {
            let records = deaggregate(key, data);
            prop_assert_eq!(records.contents() == Contents::Aggregated, *aggregated);
            for (i, record) in records.iter().enumerate() {
                prop_assert_eq!(record.sub_sequence_number, i as u64);
                out.push(Input {
                    partition_key: record.partition_key.to_owned(),
                    explicit_hash_key: if *aggregated {
                        record.explicit_hash_key.map(|k| k.parse().expect("we wrote a decimal"))
                    } else {
                        None
                    },
                    data: record.data.to_vec(),
                });
            }
        }
        let expected: Vec<Input> = inputs
            .iter()
            .zip(kinds)
            .map(|(input, aggregated)| Input {
                explicit_hash_key: if aggregated { input.explicit_hash_key } else { None },
                ..input.clone()
            })
            .collect();
        prop_assert_eq!(out, expected);
    }

    /// Any bytes: at least one record, and a plain record is the input.
    #[test]
    fn any_bytes_give_a_record(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let records = deaggregate("k", &data);
        prop_assert!(!records.is_empty());
        if let Contents::Plain(_) = records.contents() {
            prop_assert_eq!(records.get(0).map(|r| r.data), Some(&data[..]));
        }
    }
}
