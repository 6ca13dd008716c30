//! Retry decisions as a state machine, in the AWS SDKs' standard mode.
//! (Being written: the types below are the contract.)

use std::time::Duration;

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMode {
    /// The AWS SDKs' standard mode.
    Standard,
    /// Standard mode plus client-side rate limiting after throttling.
    Adaptive,
}

/// Retry settings, as the AWS SDKs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Standard or adaptive.
    pub mode: RetryMode,
    /// Attempts in all, the first included (default 3; 1 turns retries off).
    pub max_attempts: u32,
    /// Base of the exponential backoff for transient failures.
    pub base_delay: Duration,
    /// Base of the exponential backoff for throttling.
    pub throttling_base_delay: Duration,
    /// Cap of any one backoff (default 20 s).
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            base_delay: Duration::from_millis(50),
            throttling_base_delay: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
        }
    }
}
