//! Waiting for a stream, consumer or channel to reach a state, as a state
//! machine a transport drives.
//!
//! A [`Waiter`] repeats one describe call (DescribeStreamSummary,
//! DescribeStreamConsumer, DescribeChannel) with growing pauses until the
//! answer says the wait is over, the resource reached a state it will not
//! leave for the one waited for, a call fails, or the time limit runs out.
//! Like [`crate::call::Call`] it owns no clock, socket or random source:
//!
//! ```text
//!   ┌───────────► poll(now)
//!   │                 │
//!   │      ┌──────────┼─────────────────┐
//!   │      ▼          ▼                 ▼
//!   │  Wait(until)  Call(op)        Done(result)
//!   │      │          │              the wait is over
//!   │      │          ▼
//!   │      │  handle_output(answer, now, jitter)
//!   └──────┴──────────┘
//! ```
//!
//! What each waiter makes of an answer ([`Condition`]):
//!
//! | waiter | success | keeps waiting | ends the wait ([`WaitError::Failed`]) |
//! |---|---|---|---|
//! | [`StreamActive`] | `ACTIVE` | `CREATING`, `UPDATING`, ResourceNotFound | `DELETING` |
//! | [`StreamGone`] | ResourceNotFound | any status | — |
//! | [`ConsumerActive`] | `ACTIVE` | `CREATING`, ResourceNotFound | `DELETING` |
//! | [`ChannelActive`] | `ACTIVE` | `CREATING`, `UPDATING` | `DELETING`, `FAILED` |
//!
//! Any other error of the describe call ends the wait with
//! [`WaitError::Call`]; the call itself has already retried what its retry
//! settings allow. A status this crate does not know keeps the wait going.
//! (ResourceNotFound keeps a wait for ACTIVE going because a resource just
//! created may not be visible yet; botocore's ChannelActive waiter, like
//! this one, gives up on it.)
//!
//! ## Timing
//! The pauses follow the AWS SDK waiters (the Smithy waiter rules):
//! attempt *n* is followed by a pause drawn between
//! [`WaiterConfig::min_delay`] and `min_delay × 2ⁿ⁻¹` (capped at
//! [`WaiterConfig::max_delay`]), with the caller's random value in [0, 1)
//! picking the point. The last pause is cut so that the last attempt starts
//! `min_delay` before the time limit, and when no more than `min_delay`
//! is left the wait ends with [`WaitError::TimedOut`]. The first attempt is
//! made at once. The defaults (10 s minimum, 120 s maximum, 180 s in all)
//! are those of the SDKs' and botocore's Kinesis waiters (a 10 s delay and
//! 18 attempts).
//!
//! ## In virtual time
//! ```
//! use std::time::{Duration, Instant};
//! use kinesis_proto::ops::{DescribeStreamSummary, DescribeStreamSummaryOutput, StreamStatus};
//! use kinesis_proto::waiter::{StreamActive, Waiter, WaiterAction, WaiterConfig};
//!
//! fn summary(status: &str) -> DescribeStreamSummaryOutput {
//!     serde_json::from_str(&format!(
//!         r#"{{"StreamDescriptionSummary":{{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",
//!         "StreamStatus":"{status}","RetentionPeriodHours":24,"StreamCreationTimestamp":1700000000,
//!         "EnhancedMonitoring":[],"OpenShardCount":1}}}}"#
//!     )).unwrap()
//! }
//! let mut answers = vec![summary("CREATING"), summary("CREATING"), summary("ACTIVE")].into_iter();
//!
//! let start = Instant::now(); // a real driver reads its clock at each step
//! let mut now = start;
//! let config = WaiterConfig::new(Duration::from_secs(60));
//! let mut waiter = Waiter::new(StreamActive::new(DescribeStreamSummary::new("s")), config, now);
//! let result = loop {
//!     match waiter.poll(now) {
//!         WaiterAction::Call(op) => {
//!             assert_eq!(op.stream.as_name(), Some("s"));
//!             let answer: Result<_, kinesis_proto::Error> = Ok(answers.next().unwrap());
//!             waiter.handle_output(answer, now, 0.0); // jitter 0: the shortest pause
//!         }
//!         WaiterAction::Wait(until) => now = until, // a real driver sleeps here
//!         WaiterAction::Done(result) => break result,
//!     }
//! };
//! assert_eq!(result.unwrap().stream_status, StreamStatus::Active);
//! assert_eq!(waiter.attempts(), 3);
//! assert_eq!(now - start, Duration::from_secs(20)); // two pauses of min_delay
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorCode};
use crate::operation::Operation;
use crate::ops::{
    ChannelDescription, ChannelStatus, ConsumerDescription, ConsumerStatus, DescribeChannel,
    DescribeStreamConsumer, DescribeStreamSummary, StreamDescriptionSummary, StreamStatus,
};

/// How long a wait may take and how it paces its calls.
///
/// ```
/// use std::time::Duration;
/// use kinesis_proto::waiter::WaiterConfig;
///
/// // The SDK defaults, with a five-minute limit:
/// let config = WaiterConfig::new(Duration::from_secs(300));
/// assert_eq!(config.min_delay, Duration::from_secs(10));
/// assert_eq!(config.max_delay, Duration::from_secs(120));
/// // A local server that settles in milliseconds:
/// let quick = WaiterConfig::new(Duration::from_secs(10))
///     .with_delays(Duration::from_millis(50), Duration::from_millis(500));
/// assert_eq!(quick.min_delay, Duration::from_millis(50));
/// // A bare duration is a limit with the default pacing:
/// assert_eq!(WaiterConfig::from(Duration::from_secs(300)), config);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaiterConfig {
    /// The longest the whole wait may take, from [`Waiter::new`].
    pub time_limit: Duration,
    /// The shortest pause between two attempts.
    pub min_delay: Duration,
    /// The longest pause between two attempts.
    pub max_delay: Duration,
}

impl WaiterConfig {
    /// The shortest pause of the SDK waiters for Kinesis.
    pub const DEFAULT_MIN_DELAY: Duration = Duration::from_secs(10);
    /// The longest pause of the SDK waiters.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(120);
    /// botocore's Kinesis waiters: 18 attempts 10 s apart.
    pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(180);

    /// A wait of at most `time_limit`, with the default pauses.
    pub fn new(time_limit: Duration) -> Self {
        WaiterConfig {
            time_limit,
            min_delay: Self::DEFAULT_MIN_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }

    /// The same limit with pauses between `min_delay` and `max_delay`
    /// (`max_delay` is raised to `min_delay` if it is shorter).
    pub fn with_delays(mut self, min_delay: Duration, max_delay: Duration) -> Self {
        self.min_delay = min_delay;
        self.max_delay = max_delay.max(min_delay);
        self
    }

    /// The pause after attempt `attempt` (1 for the first), for a random
    /// value `jitter` in [0, 1).
    fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let min = self.min_delay;
        let max = self.max_delay.max(min);
        // min × 2^(attempt-1), capped at max (the Smithy "attempt ceiling").
        let doublings = attempt.saturating_sub(1).min(63);
        let cap = min
            .checked_mul(1u32.checked_shl(doublings).unwrap_or(u32::MAX))
            .map_or(max, |d| d.min(max));
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        min + (cap - min).mul_f64(jitter)
    }
}

impl Default for WaiterConfig {
    /// [`WaiterConfig::DEFAULT_TIME_LIMIT`] with the default pauses.
    fn default() -> Self {
        WaiterConfig::new(Self::DEFAULT_TIME_LIMIT)
    }
}

impl From<Duration> for WaiterConfig {
    /// A wait of at most this long, with the default pauses.
    fn from(time_limit: Duration) -> Self {
        WaiterConfig::new(time_limit)
    }
}

/// Why a wait ended without reaching the state it waited for.
///
/// ```no_run
/// use std::time::Duration;
/// use kinesis_proto::waiter::WaitError;
/// # fn wait_for_stream_active(_: &str, _: Duration) -> Result<(), WaitError> { Ok(()) }
/// match wait_for_stream_active("my-stream", Duration::from_secs(300)) {
///     Ok(()) => println!("ready"),
///     Err(WaitError::TimedOut { last_state, .. }) => println!("still {last_state:?}"),
///     Err(WaitError::Failed { state, .. }) => println!("it became {state}"),
///     Err(e) => println!("{e}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitError {
    /// The time limit ran out first.
    TimedOut {
        /// What was waited for (`stream ACTIVE`).
        waiting_for: &'static str,
        /// How many describe calls were made.
        attempts: u32,
        /// The last state seen (`CREATING`, `ResourceNotFound`), if any.
        last_state: Option<String>,
        /// The limit.
        time_limit: Duration,
    },
    /// The resource reached a state it does not leave for the one waited
    /// for (a stream `DELETING` while waiting for `ACTIVE`, a channel
    /// `FAILED`).
    Failed {
        /// What was waited for.
        waiting_for: &'static str,
        /// The state it reached.
        state: String,
    },
    /// A describe call failed in a way that says nothing about the state
    /// (access denied, a transport failure after every retry…).
    Call(Error),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut {
                waiting_for,
                attempts,
                last_state,
                time_limit,
            } => {
                write!(
                    f,
                    "waited {time_limit:?} for {waiting_for} ({attempts} attempts)"
                )?;
                match last_state {
                    Some(state) => write!(f, ", last seen {state}"),
                    None => Ok(()),
                }
            }
            WaitError::Failed { waiting_for, state } => {
                write!(f, "gave up waiting for {waiting_for}: it is {state}")
            }
            WaitError::Call(e) => write!(f, "a call of the wait failed: {e}"),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Call(e) => Some(e),
            _ => None,
        }
    }
}

/// What one describe answer means for a wait.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check<T> {
    /// The state waited for: the wait succeeds with this value.
    Success(T),
    /// Not yet: ask again after a pause. The state seen, for messages.
    Retry(String),
    /// A state the resource will not leave for the one waited for.
    Failure(String),
    /// A failed call that says nothing about the state.
    Error(Error),
}

/// One kind of wait: which call it repeats and what each answer means.
///
/// Implemented by [`StreamActive`], [`StreamGone`], [`ConsumerActive`] and
/// [`ChannelActive`].
pub trait Condition {
    /// The describe call the wait repeats.
    type Op: Operation + Clone;
    /// What a successful wait returns.
    type Success: Clone;
    /// What the wait is for, for messages (`stream ACTIVE`).
    const WAITING_FOR: &'static str;

    /// The request each attempt sends.
    fn request(&self) -> &Self::Op;

    /// What an answer to [`Condition::request`] means.
    fn check(&self, answer: Result<<Self::Op as Operation>::Output, Error>)
        -> Check<Self::Success>;
}

/// Whether `e` is the service saying the resource does not exist.
fn not_found(e: &Error) -> bool {
    matches!(e, Error::Service(s) if s.code == ErrorCode::ResourceNotFound)
}

/// The state name [`WaitError::TimedOut`] reports for ResourceNotFound.
const NOT_FOUND: &str = "ResourceNotFound";

/// Waits until a stream exists and is `ACTIVE` (after CreateStream, or a
/// reshard or configuration change), with DescribeStreamSummary. Succeeds
/// with the stream's summary.
///
/// ```
/// use kinesis_proto::ops::DescribeStreamSummary;
/// use kinesis_proto::waiter::{Condition, StreamActive};
/// let active = StreamActive::new(DescribeStreamSummary::new("my-stream"));
/// assert_eq!(active.request().stream.as_name(), Some("my-stream"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamActive {
    request: DescribeStreamSummary,
}

impl StreamActive {
    /// Waits for the stream `request` describes.
    pub fn new(request: DescribeStreamSummary) -> Self {
        StreamActive { request }
    }
}

impl Condition for StreamActive {
    type Op = DescribeStreamSummary;
    type Success = StreamDescriptionSummary;
    const WAITING_FOR: &'static str = "stream ACTIVE";

    fn request(&self) -> &DescribeStreamSummary {
        &self.request
    }

    fn check(
        &self,
        answer: Result<crate::ops::DescribeStreamSummaryOutput, Error>,
    ) -> Check<StreamDescriptionSummary> {
        match answer {
            Ok(out) => {
                let summary = out.stream_description_summary;
                match summary.stream_status {
                    StreamStatus::Active => Check::Success(summary),
                    StreamStatus::Deleting => Check::Failure(StreamStatus::Deleting.to_string()),
                    other => Check::Retry(other.to_string()),
                }
            }
            Err(e) if not_found(&e) => Check::Retry(NOT_FOUND.to_owned()),
            Err(e) => Check::Error(e),
        }
    }
}

/// Waits until a stream no longer exists (after DeleteStream), with
/// DescribeStreamSummary: ResourceNotFound is the success.
///
/// ```
/// use kinesis_proto::ops::DescribeStreamSummary;
/// use kinesis_proto::waiter::{Condition, StreamGone};
/// let gone = StreamGone::new(DescribeStreamSummary::new("my-stream"));
/// assert_eq!(gone.request().stream.as_name(), Some("my-stream"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamGone {
    request: DescribeStreamSummary,
}

impl StreamGone {
    /// Waits for the stream `request` describes to be gone.
    pub fn new(request: DescribeStreamSummary) -> Self {
        StreamGone { request }
    }
}

impl Condition for StreamGone {
    type Op = DescribeStreamSummary;
    type Success = ();
    const WAITING_FOR: &'static str = "stream gone";

    fn request(&self) -> &DescribeStreamSummary {
        &self.request
    }

    fn check(&self, answer: Result<crate::ops::DescribeStreamSummaryOutput, Error>) -> Check<()> {
        match answer {
            Ok(out) => Check::Retry(out.stream_description_summary.stream_status.to_string()),
            Err(e) if not_found(&e) => Check::Success(()),
            Err(e) => Check::Error(e),
        }
    }
}

/// Waits until an enhanced fan-out consumer is `ACTIVE` (after
/// RegisterStreamConsumer), with DescribeStreamConsumer. Succeeds with the
/// consumer's description.
///
/// ```
/// use kinesis_proto::ops::DescribeStreamConsumer;
/// use kinesis_proto::waiter::{ConsumerActive, Condition};
/// let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/billing:1700000000";
/// let active = ConsumerActive::new(DescribeStreamConsumer::new(arn));
/// # let _ = active.request();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerActive {
    request: DescribeStreamConsumer,
}

impl ConsumerActive {
    /// Waits for the consumer `request` describes.
    pub fn new(request: DescribeStreamConsumer) -> Self {
        ConsumerActive { request }
    }
}

impl Condition for ConsumerActive {
    type Op = DescribeStreamConsumer;
    type Success = ConsumerDescription;
    const WAITING_FOR: &'static str = "consumer ACTIVE";

    fn request(&self) -> &DescribeStreamConsumer {
        &self.request
    }

    fn check(
        &self,
        answer: Result<crate::ops::DescribeStreamConsumerOutput, Error>,
    ) -> Check<ConsumerDescription> {
        match answer {
            Ok(out) => {
                let consumer = out.consumer_description;
                match consumer.consumer_status {
                    ConsumerStatus::Active => Check::Success(consumer),
                    ConsumerStatus::Deleting => {
                        Check::Failure(ConsumerStatus::Deleting.to_string())
                    }
                    other => Check::Retry(other.to_string()),
                }
            }
            Err(e) if not_found(&e) => Check::Retry(NOT_FOUND.to_owned()),
            Err(e) => Check::Error(e),
        }
    }
}

/// Waits until a channel is `ACTIVE` (after CreateChannel or
/// UpdateChannel), with DescribeChannel, as botocore's ChannelActive
/// waiter does. Succeeds with the channel's description.
///
/// ```
/// use kinesis_proto::ops::DescribeChannel;
/// use kinesis_proto::waiter::{ChannelActive, Condition};
/// let arn = "arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3";
/// let active = ChannelActive::new(DescribeChannel::new(arn));
/// assert_eq!(active.request().channel_arn, arn);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelActive {
    request: DescribeChannel,
}

impl ChannelActive {
    /// Waits for the channel `request` describes.
    pub fn new(request: DescribeChannel) -> Self {
        ChannelActive { request }
    }
}

impl Condition for ChannelActive {
    type Op = DescribeChannel;
    type Success = ChannelDescription;
    const WAITING_FOR: &'static str = "channel ACTIVE";

    fn request(&self) -> &DescribeChannel {
        &self.request
    }

    fn check(
        &self,
        answer: Result<crate::ops::ChannelDescriptionOutput, Error>,
    ) -> Check<ChannelDescription> {
        match answer {
            Ok(out) => {
                let channel = out.channel_description;
                match &channel.channel_status {
                    ChannelStatus::Active => Check::Success(channel),
                    status @ (ChannelStatus::Deleting | ChannelStatus::Failed) => {
                        Check::Failure(match &channel.channel_status_reason {
                            Some(reason) => format!("{status} ({reason})"),
                            None => status.to_string(),
                        })
                    }
                    other => Check::Retry(other.to_string()),
                }
            }
            Err(e) => Check::Error(e),
        }
    }
}

/// What a driver does next for a [`Waiter`].
#[derive(Debug)]
#[must_use]
pub enum WaiterAction<O, T> {
    /// Send this request (with the client's retries) and hand its result to
    /// [`Waiter::handle_output`].
    Call(O),
    /// Nothing to do until this instant: sleep, then poll again.
    Wait(Instant),
    /// The wait is over.
    Done(Result<T, WaitError>),
}

/// Where a waiter is.
#[derive(Debug)]
enum State<T> {
    /// The next attempt may be sent.
    Ready,
    /// An attempt is out; its answer is awaited.
    Calling,
    /// Pausing until this instant.
    Pausing(Instant),
    /// Over.
    Done(Result<T, WaitError>),
}

/// One wait: a [`Condition`] checked until it holds, fails, or the time
/// limit runs out. See the [module docs](self) for the loop a driver runs.
///
/// `'static + Send` when its condition is, so it can live inside another
/// state machine.
///
/// ```
/// use std::time::{Duration, Instant};
/// use kinesis_proto::ops::DescribeStreamSummary;
/// use kinesis_proto::error::parse_service_error;
/// use kinesis_proto::waiter::{StreamGone, Waiter, WaiterAction};
/// use kinesis_proto::Error;
///
/// let start = Instant::now();
/// let mut waiter = Waiter::new(StreamGone::new(DescribeStreamSummary::new("s")), Duration::from_secs(60), start);
/// let WaiterAction::Call(describe) = waiter.poll(start) else { panic!("the first step calls") };
/// assert_eq!(describe.stream.as_name(), Some("s"));
/// assert_eq!(waiter.poll_timeout(), Some(waiter.deadline())); // the answer is awaited
///
/// // The service says the stream does not exist: the wait is over.
/// let answer = http::Response::builder()
///     .status(400)
///     .body(r#"{"__type":"ResourceNotFoundException"}"#)
///     .unwrap();
/// let gone = Err(Error::Service(parse_service_error(&answer)));
/// waiter.handle_output(gone, start, 0.5);
/// assert!(matches!(waiter.poll(start), WaiterAction::Done(Ok(()))));
/// ```
#[derive(Debug)]
pub struct Waiter<C: Condition> {
    condition: C,
    config: WaiterConfig,
    deadline: Instant,
    attempts: u32,
    last_state: Option<String>,
    state: State<C::Success>,
}

impl<C: Condition> Waiter<C> {
    /// A wait for `condition`, started at `now`, within `config`'s limit.
    pub fn new(condition: C, config: impl Into<WaiterConfig>, now: Instant) -> Self {
        let config = config.into();
        Waiter {
            condition,
            config,
            deadline: now + config.time_limit,
            attempts: 0,
            last_state: None,
            state: State::Ready,
        }
    }

    /// What to do next at `now`.
    ///
    /// While an attempt is out (after [`WaiterAction::Call`], before
    /// [`Waiter::handle_output`]) this says to wait for the time limit, and
    /// at the limit ends the wait with [`WaitError::TimedOut`], so a driver
    /// that can abandon a call may race it against the limit. Once
    /// [`WaiterAction::Done`] has been returned, every poll returns it
    /// again.
    pub fn poll(&mut self, now: Instant) -> WaiterAction<C::Op, C::Success> {
        loop {
            match &self.state {
                State::Done(result) => return WaiterAction::Done(result.clone()),
                State::Ready => {
                    self.attempts += 1;
                    self.state = State::Calling;
                    return WaiterAction::Call(self.condition.request().clone());
                }
                State::Calling if now >= self.deadline => self.state = self.timed_out(),
                State::Calling => return WaiterAction::Wait(self.deadline),
                State::Pausing(until) if now >= *until => self.state = State::Ready,
                State::Pausing(until) => return WaiterAction::Wait(*until),
            }
        }
    }

    /// Hands in the result of the call [`WaiterAction::Call`] asked for,
    /// received at `now`; `jitter`, a random value in [0, 1), places the
    /// following pause (if any) between its bounds.
    ///
    /// A result handed in when no call is out (after the wait ended) is
    /// ignored.
    pub fn handle_output(
        &mut self,
        result: Result<<C::Op as Operation>::Output, Error>,
        now: Instant,
        jitter: f64,
    ) {
        if !matches!(self.state, State::Calling) {
            return;
        }
        // A call cut short by the wait's own limit (see `deadline`) ends
        // the wait as timed out, not as a failed call.
        if result.is_err() && now >= self.deadline {
            self.state = self.timed_out();
            return;
        }
        self.state = match self.condition.check(result) {
            Check::Success(value) => State::Done(Ok(value)),
            Check::Failure(state) => {
                let e = WaitError::Failed {
                    waiting_for: C::WAITING_FOR,
                    state,
                };
                log::debug!("{e}");
                State::Done(Err(e))
            }
            Check::Error(e) => {
                log::debug!("{} ends the wait for {}: {e}", C::Op::NAME, C::WAITING_FOR);
                State::Done(Err(WaitError::Call(e)))
            }
            Check::Retry(state) => {
                self.last_state = Some(state);
                self.pause(now, jitter)
            }
        };
    }

    /// When to poll next without an event: the end of a pause, or while a
    /// call is out the time limit. `None` when the next step is to call or
    /// the wait is over.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Pausing(until) => Some(until),
            State::Calling => Some(self.deadline),
            State::Ready | State::Done(_) => None,
        }
    }

    /// How many calls the wait has asked for so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// When the time limit runs out. A driver hands it to the call it
    /// makes for [`WaiterAction::Call`] ([`crate::call::Call::with_deadline`]),
    /// so that call ends by then too; an error it ends with at the limit
    /// ends the wait with [`WaitError::TimedOut`].
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the wait is over.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done(_))
    }

    /// The pause after a "not yet", or the end of the wait when too little
    /// time is left for another attempt.
    fn pause(&self, now: Instant, jitter: f64) -> State<C::Success> {
        let min = self.config.min_delay;
        let remaining = self.deadline.saturating_duration_since(now);
        if remaining <= min {
            return self.timed_out();
        }
        let mut delay = self.config.delay(self.attempts, jitter);
        // Leave the last attempt `min_delay` to answer in.
        if remaining.saturating_sub(delay) <= min {
            delay = remaining - min;
        }
        log::debug!("waiting {delay:?} before the next {}", C::Op::NAME);
        State::Pausing(now + delay)
    }

    fn timed_out(&self) -> State<C::Success> {
        let e = WaitError::TimedOut {
            waiting_for: C::WAITING_FOR,
            attempts: self.attempts,
            last_state: self.last_state.clone(),
            time_limit: self.config.time_limit,
        };
        log::debug!("{e}");
        State::Done(Err(e))
    }
}

/// What a wait for `C` ends with: its success value, or why it ended
/// without one.
pub type WaitResult<C> = Result<<C as Condition>::Success, WaitError>;

/// Writes a client's `wait_for_*` methods (an `impl Client { … }` at the
/// call site, each method one [`Condition`] handed to the client's own
/// `wait`) from the one table of waiters, docs and examples included, so
/// both clients offer the same waiters described once. For the clients:
/// `crate` names the client crate in the examples; `async`, `await` and
/// the example's `run`/`end` lines make the methods async.
#[doc(hidden)]
#[macro_export]
macro_rules! waiter_methods {
    (crate: $krate:literal $(, async: $async_kw:tt, await: $dot:tt $await_kw:tt, run: $run:literal, end: $end:literal)? $(,)?) => {
        $crate::waiter_methods!(@each [[$krate] [$($async_kw)?] [$($dot $await_kw)?] [$($run)?] [$($end)?]];
            [wait_for_stream_active, stream: impl Into<$crate::ops::StreamRef>,
                $crate::waiter::StreamActive::new($crate::ops::DescribeStreamSummary::new(stream)),
                $crate::ops::StreamDescriptionSummary,
                "Waits until the stream `stream` (a name, or a [`StreamRef::arn`](crate::ops::StreamRef::arn)) exists and is ACTIVE (after CreateStream, a reshard or a configuration change) and returns its summary. ResourceNotFound keeps the wait going (a new stream may not be visible at once); `DELETING` ends it.",
                r#""my-stream""#],
            [wait_for_stream_gone, stream: impl Into<$crate::ops::StreamRef>,
                $crate::waiter::StreamGone::new($crate::ops::DescribeStreamSummary::new(stream)),
                (),
                "Waits until the stream `stream` (a name, or a [`StreamRef::arn`](crate::ops::StreamRef::arn)) no longer exists (after DeleteStream): until DescribeStreamSummary answers ResourceNotFound.",
                r#""my-stream""#],
            [wait_for_consumer_active, consumer: $crate::ops::DescribeStreamConsumer,
                $crate::waiter::ConsumerActive::new(consumer),
                $crate::ops::ConsumerDescription,
                "Waits until the enhanced fan-out consumer that `consumer` describes is ACTIVE (after RegisterStreamConsumer) and returns its description.",
                r#"DescribeStreamConsumer::by_name("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream", "billing")"#],
            [wait_for_channel_active, channel_arn: &str,
                $crate::waiter::ChannelActive::new($crate::ops::DescribeChannel::new(channel_arn)),
                $crate::ops::ChannelDescription,
                "Waits until the channel `channel_arn` is ACTIVE (after CreateChannel or UpdateChannel) and returns its description; `FAILED` and `DELETING` end the wait.",
                r#""arn:aws:kinesis:us-east-1:123456789012:channel/orders-to-s3""#],
        );
    };
    (@each $config:tt; $($entry:tt),* $(,)?) => {
        /// Waiting (kinesis-proto's `waiter_methods!`).
        impl Client {
            $crate::waiter_methods!(@wait $config);
            $($crate::waiter_methods!(@one $config $entry);)*
        }
    };
    (@wait [[$krate:literal] [$($async_kw:tt)?] [$($await:tt)*] [$($run:literal)?] [$($end:literal)?]]) => {
        /// Waits until `condition` holds, repeating its describe call (each
        /// with the client's retries) with growing pauses, within `config`'s
        /// time limit, which also cuts short a call still out when it runs
        /// out. A [`std::time::Duration`] is a time limit with the SDK waiters'
        /// pacing (10 s to 120 s between calls).
        ///
        /// The `wait_for_*` methods are this call with one condition each.
        ///
        /// ```no_run
        /// use std::time::Duration;
        #[doc = concat!("use ", $krate, "::{ops::{DescribeStreamSummary, StreamRef}, Client, StreamActive};")]
        ///
        $(#[doc = $run])?
        /// let client = Client::from_env()?;
        /// let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/my-stream";
        /// let describe = DescribeStreamSummary::new(StreamRef::arn(arn));
        #[doc = concat!(
            "let summary = client.wait(StreamActive::new(describe), Duration::from_secs(300))",
            $(stringify!($await),)* "?;"
        )]
        /// println!("{} is {}", summary.stream_name, summary.stream_status);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        $(#[doc = $end])?
        /// ```
        pub $($async_kw)? fn wait<C: $crate::waiter::Condition>(
            &self,
            condition: C,
            config: impl Into<$crate::waiter::WaiterConfig>,
        ) -> $crate::waiter::WaitResult<C> {
            let now = std::time::Instant::now();
            self.drive_wait($crate::waiter::Waiter::new(condition, config, now)) $($await)*
        }
    };
    (@one [[$krate:literal] [$($async_kw:tt)?] [$($await:tt)*] [$($run:literal)?] [$($end:literal)?]]
        [$method:ident, $arg:ident: $ty:ty, $condition:expr, $success:ty, $summary:literal, $example:literal]) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = "```no_run"]
        #[doc = "use std::time::Duration;"]
        #[doc = concat!("use ", $krate, "::{ops::*, Client};")]
        #[doc = ""]
        $(#[doc = $run])?
        #[doc = "let client = Client::from_env()?;"]
        #[doc = concat!(
            "let output = client.", stringify!($method), "(", $example,
            ", Duration::from_secs(300))", $(stringify!($await),)* "?;"
        )]
        #[doc = "println!(\"{output:?}\");"]
        #[doc = "# Ok::<(), Box<dyn std::error::Error>>(())"]
        $(#[doc = $end])?
        #[doc = "```"]
        pub $($async_kw)? fn $method(
            &self,
            $arg: $ty,
            config: impl Into<$crate::waiter::WaiterConfig>,
        ) -> Result<$success, $crate::waiter::WaitError> {
            self.wait($condition, config) $($await)*
        }
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests;
