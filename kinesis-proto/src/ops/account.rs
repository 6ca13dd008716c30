//! Account-wide limits and settings: DescribeLimits, DescribeAccountSettings,
//! UpdateAccountSettings.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::support::operation;
use crate::error::UsageError;
use crate::wire::string_enum;

/// Reads the account's shard and on-demand stream limits and how much of
/// them is in use.
///
/// ```
/// let op = kinesis_proto::ops::DescribeLimits::new();
/// # let _ = op;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DescribeLimits {}

impl DescribeLimits {
    /// The request (it has no fields).
    pub fn new() -> Self {
        DescribeLimits {}
    }
}

/// The answer to [`DescribeLimits`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct DescribeLimitsOutput {
    /// Most shards the account may have open.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub shard_limit: u32,
    /// Shards open now.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub open_shard_count: u32,
    /// On-demand streams the account has.
    #[serde(default)]
    pub on_demand_stream_count: Option<u32>,
    /// Most on-demand streams the account may have.
    #[serde(default)]
    pub on_demand_stream_count_limit: Option<u32>,
    /// Channels the account has.
    #[serde(default)]
    pub channel_count: Option<u32>,
    /// Most channels the account may have.
    #[serde(default)]
    pub channel_count_limit: Option<u32>,
}

operation! {
    DescribeLimits: Control -> DescribeLimitsOutput,
    validate(_op) { Ok(()) },
}

string_enum! {
    /// The minimum throughput billing commitment a request asks for.
    CommitmentRequestStatus {
        /// Commit.
        Enabled = "ENABLED",
        /// End the commitment (at the earliest allowed time).
        Disabled = "DISABLED",
    }
}

string_enum! {
    /// The state of the account's minimum throughput billing commitment.
    CommitmentStatus {
        /// In force.
        Enabled = "ENABLED",
        /// Not in force.
        Disabled = "DISABLED",
        /// Asked to end; stays in force until its earliest allowed end.
        EnabledUntilEarliestAllowedEnd = "ENABLED_UNTIL_EARLIEST_ALLOWED_END",
    }
}

/// The minimum throughput billing commitment to set (on-demand streams
/// billed at a committed minimum, for at least 24 hours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MinimumThroughputBillingCommitmentInput {
    /// Enable or disable the commitment.
    pub status: CommitmentRequestStatus,
}

impl MinimumThroughputBillingCommitmentInput {
    /// Asks for the commitment in `status`.
    pub fn new(status: CommitmentRequestStatus) -> Self {
        MinimumThroughputBillingCommitmentInput { status }
    }
}

/// The account's minimum throughput billing commitment.
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MinimumThroughputBillingCommitmentOutput {
    /// Its state.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub status: CommitmentStatus,
    /// When it started.
    #[serde(default, with = "crate::wire::opt_timestamp")]
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(default, with = "crate::wire::opt_timestamp")]
    pub ended_at: Option<OffsetDateTime>,
    /// The earliest time it may end.
    #[serde(default, with = "crate::wire::opt_timestamp")]
    pub earliest_allowed_end_at: Option<OffsetDateTime>,
}

/// Reads the account's settings (its minimum throughput billing commitment).
///
/// ```
/// let op = kinesis_proto::ops::DescribeAccountSettings::new();
/// # let _ = op;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DescribeAccountSettings {}

impl DescribeAccountSettings {
    /// The request (it has no fields).
    pub fn new() -> Self {
        DescribeAccountSettings {}
    }
}

/// The answer to [`DescribeAccountSettings`] and [`UpdateAccountSettings`].
#[derive(Debug, Clone, PartialEq, Default, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AccountSettingsOutput {
    /// The commitment, absent when the account never had one.
    #[serde(default)]
    pub minimum_throughput_billing_commitment: Option<MinimumThroughputBillingCommitmentOutput>,
}

operation! {
    DescribeAccountSettings: Control -> AccountSettingsOutput,
    validate(_op) { Ok(()) },
}

/// Changes the account's settings (its minimum throughput billing
/// commitment).
///
/// ```
/// use kinesis_proto::ops::{CommitmentRequestStatus, UpdateAccountSettings};
/// let op = UpdateAccountSettings::new(CommitmentRequestStatus::Enabled);
/// assert_eq!(op.minimum_throughput_billing_commitment.status, CommitmentRequestStatus::Enabled);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UpdateAccountSettings {
    /// The commitment to set.
    pub minimum_throughput_billing_commitment: MinimumThroughputBillingCommitmentInput,
}

impl UpdateAccountSettings {
    /// Sets the commitment to `status`.
    pub fn new(status: CommitmentRequestStatus) -> Self {
        UpdateAccountSettings {
            minimum_throughput_billing_commitment: MinimumThroughputBillingCommitmentInput::new(
                status,
            ),
        }
    }
}

operation! {
    UpdateAccountSettings: Control -> AccountSettingsOutput,
    validate(op) {
        if let CommitmentRequestStatus::Unknown(other) =
            &op.minimum_throughput_billing_commitment.status
        {
            return Err(UsageError::new(
                "MinimumThroughputBillingCommitment.Status",
                format!("{other:?} is not ENABLED or DISABLED"),
            ));
        }
        Ok(())
    },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::operation::Operation;

    #[test]
    fn empty_inputs_serialize_as_an_empty_object() {
        assert_eq!(DescribeLimits::new().to_body().unwrap(), b"{}");
        assert_eq!(DescribeAccountSettings::new().to_body().unwrap(), b"{}");
    }

    #[test]
    fn update_serializes_the_status() {
        let body = UpdateAccountSettings::new(CommitmentRequestStatus::Disabled)
            .to_body()
            .unwrap();
        assert_eq!(
            body,
            br#"{"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}}"#
        );
    }

    #[test]
    fn limits_parse_with_and_without_on_demand_counts() {
        let full: DescribeLimitsOutput = serde_json::from_str(
            r#"{"ShardLimit":500,"OpenShardCount":12,"OnDemandStreamCount":3,"OnDemandStreamCountLimit":50}"#,
        )
        .unwrap();
        assert_eq!((full.shard_limit, full.open_shard_count), (500, 12));
        assert_eq!(full.on_demand_stream_count_limit, Some(50));
        let short: DescribeLimitsOutput =
            serde_json::from_str(r#"{"ShardLimit":10,"OpenShardCount":0}"#).unwrap();
        assert_eq!(short.on_demand_stream_count, None);
    }

    #[test]
    fn settings_parse_timestamps_and_unknown_states() {
        let out: AccountSettingsOutput = serde_json::from_str(
            r#"{"MinimumThroughputBillingCommitment":{"Status":"ENABLED_UNTIL_EARLIEST_ALLOWED_END",
                "StartedAt":1.7E9,"EarliestAllowedEndAt":1700086400}}"#,
        )
        .unwrap();
        let c = out.minimum_throughput_billing_commitment.unwrap();
        assert_eq!(c.status, CommitmentStatus::EnabledUntilEarliestAllowedEnd);
        assert_eq!(c.started_at.unwrap().unix_timestamp(), 1_700_000_000);
        assert_eq!(
            c.earliest_allowed_end_at.unwrap().unix_timestamp(),
            1_700_086_400
        );
        assert_eq!(c.ended_at, None);
        let odd: AccountSettingsOutput =
            serde_json::from_str(r#"{"MinimumThroughputBillingCommitment":{"Status":"PAUSED"}}"#)
                .unwrap();
        assert_eq!(
            odd.minimum_throughput_billing_commitment.unwrap().status,
            CommitmentStatus::Unknown("PAUSED".into())
        );
        let none: AccountSettingsOutput = serde_json::from_str("{}").unwrap();
        assert!(none.minimum_throughput_billing_commitment.is_none());
    }

    #[test]
    fn update_rejects_an_unknown_status() {
        let op = UpdateAccountSettings::new(CommitmentRequestStatus::from("MAYBE"));
        assert_eq!(
            op.validate(&Limits::default()).unwrap_err().field,
            "MinimumThroughputBillingCommitment.Status"
        );
    }
}
