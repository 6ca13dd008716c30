//! Enhanced fan-out: SubscribeToShard's HTTP/2 answer body fed into
//! kinesis-proto's event-stream decoder frame by frame as it arrives, and
//! the per-shard subscription machine run as a task.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_std::channel::{self, Receiver};
use futures_core::Stream;
use hyper::body::{Body as _, Incoming};
use kinesis_proto::call::{Action, Call};
use kinesis_proto::eventstream::{
    ShardEvent, ShardEventStream, ShardSubscription, SubscriptionAction, SubscriptionEvent,
    SubscriptionId,
};
use kinesis_proto::ops::SubscribeToShard;
use kinesis_proto::{Error, ResponseError, TransportError, TransportErrorKind};
use time::OffsetDateTime;

use crate::transport;
use crate::Client;

/// The longest a subscription may stay silent: the service sends an event
/// at least every five seconds, so a stream with nothing for this long is
/// taken as broken and resubscribed.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(30);

/// The events of one SubscribeToShard call, decoded as the answer's
/// HTTP/2 DATA frames arrive: a [`Stream`] of [`ShardEvent`]s that ends
/// when the service ends the subscription (after at most five minutes).
/// An exception message in the stream is its last item, an
/// [`Error::Service`] with the exception's code; a stream cut inside a
/// message ends with an [`Error::Response`], a broken connection with an
/// [`Error::Transport`]. Dropping it cancels the subscription.
///
/// From [`Client::subscribe_to_shard`].
pub struct ShardEvents {
    body: Option<Incoming>,
    decoder: ShardEventStream,
}

impl fmt::Debug for ShardEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardEvents")
            .field("open", &self.body.is_some())
            .field("decoder", &self.decoder)
            .finish()
    }
}

impl ShardEvents {
    fn new(response: http::Response<Incoming>) -> Self {
        let request_id = ["x-amzn-requestid", "x-amz-request-id"]
            .iter()
            .find_map(|h| response.headers().get(*h))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        ShardEvents {
            body: Some(response.into_body()),
            decoder: ShardEventStream::new(request_id),
        }
    }
}

impl Stream for ShardEvents {
    type Item = Result<ShardEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.decoder.poll_event() {
                if event.is_err() {
                    this.body = None;
                }
                return Poll::Ready(Some(event));
            }
            if this.decoder.is_done() {
                return Poll::Ready(None);
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match Pin::new(body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.body = None;
                    return Poll::Ready(this.decoder.finish().err().map(Err));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        log::trace!("event stream: {} bytes", data.len());
                        this.decoder.feed(data);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.body = None;
                    return Poll::Ready(Some(Err(Error::Transport(transport::hyper_error(&e)))));
                }
            }
        }
    }
}

/// What the subscription machine hands out, as a [`Stream`]: records in
/// shard order, none twice, across as many subscriptions as it takes;
/// then [`SubscriptionEvent::ShardEnded`] with the children, or
/// [`SubscriptionEvent::Failed`]. The stream ends after either.
///
/// From [`Client::fan_out_shard`]. The machine runs as a task; dropping
/// this stops it at its next step.
#[derive(Debug)]
pub struct FanOutShard {
    events: Receiver<SubscriptionEvent>,
}

impl Stream for FanOutShard {
    type Item = SubscriptionEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.events).poll_next(cx)
    }
}

impl Client {
    /// Subscribes a registered consumer to one shard (enhanced fan-out) and
    /// returns the subscription's events as they arrive.
    ///
    /// The request goes over HTTP/2: over TLS as ALPN negotiates it (AWS
    /// always does), and to a plain `http://` endpoint over cleartext
    /// HTTP/2 with prior knowledge (the local servers that serve
    /// SubscribeToShard speak it). Its answer's head is waited for within
    /// the attempt time limit and refusals are retried as any call's
    /// are; the body then streams for up to five minutes. To read a shard
    /// for longer, across resubscriptions, use [`Client::fan_out_shard`].
    ///
    /// ```no_run
    /// use futures_core::Stream;
    /// use kinesis_async::eventstream::ShardEvent;
    /// use kinesis_async::ops::{ShardIteratorType, SubscribeToShard};
    /// use kinesis_async::Client;
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// let op = SubscribeToShard::new(
    ///     "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
    ///     "shardId-000000000000",
    ///     ShardIteratorType::Latest,
    /// );
    /// let mut events = client.subscribe_to_shard(&op).await?;
    /// while let Some(event) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut events).poll_next(cx)).await {
    ///     if let ShardEvent::Event(e) = event? {
    ///         for record in &e.records {
    ///             println!("{} {:?}", record.sequence_number, record.data);
    ///         }
    ///     }
    /// }
    /// # Ok::<(), kinesis_async::Error>(())
    /// # });
    /// ```
    pub async fn subscribe_to_shard(&self, op: &SubscribeToShard) -> Result<ShardEvents, Error> {
        let inner = &*self.inner;
        let mut call = Call::new(&inner.proto, op.clone(), inner.credentials.clone());
        loop {
            match call.poll(Instant::now(), OffsetDateTime::now_utc(), fastrand::f64()) {
                Action::Send { request, timeout } => {
                    let sending = inner.transport.send_streaming(request);
                    let sent = match timeout {
                        None => sending.await,
                        Some(limit) => async_std::future::timeout(limit, sending)
                            .await
                            .unwrap_or_else(|_| Err(transport::timeout("the attempt", limit))),
                    };
                    match sent {
                        Ok(response) if response.status().is_success() => {
                            log::debug!("SubscribeToShard {}: streaming", op.shard_id);
                            return Ok(ShardEvents::new(response));
                        }
                        Ok(refused) => match inner.transport.read_whole(refused).await {
                            Ok(answer) => call.handle_response(
                                answer,
                                Instant::now(),
                                OffsetDateTime::now_utc(),
                            ),
                            Err(e) => call.handle_transport_error(e, Instant::now()),
                        },
                        Err(e) => call.handle_transport_error(e, Instant::now()),
                    }
                }
                Action::Wait => {
                    if let Some(until) = call.poll_timeout() {
                        async_std::task::sleep(until.saturating_duration_since(Instant::now()))
                            .await;
                    }
                }
                Action::Done(Err(e)) => return Err(e),
                Action::Done(Ok(_)) => {
                    // Only an error status reaches the call (a 2xx streams
                    // above), and it never parses as an output.
                    return Err(Error::Response(ResponseError {
                        status: http::StatusCode::OK,
                        reason: "SubscribeToShard: an answer read whole".into(),
                        request_id: None,
                    }));
                }
            }
        }
    }

    /// Reads one shard over enhanced fan-out for as long as it has records:
    /// runs `subscription` (a [`ShardSubscription`]) as a task, making
    /// each SubscribeToShard call it asks for with
    /// [`Client::subscribe_to_shard`], resubscribing after each
    /// subscription's five minutes, after a broken or silent stream (see
    /// [`SILENCE_LIMIT`]) and, backing off, after `ResourceInUseException`,
    /// each time from the last delivered position.
    ///
    /// ```no_run
    /// use std::time::Instant;
    /// use futures_core::Stream;
    /// use kinesis_async::eventstream::{ShardSubscription, SubscriptionEvent};
    /// use kinesis_async::ops::ShardIteratorType;
    /// use kinesis_async::Client;
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// let shard = ShardSubscription::new(
    ///     "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000",
    ///     "shardId-000000000000",
    ///     ShardIteratorType::TrimHorizon,
    ///     Instant::now(),
    /// );
    /// let mut events = client.fan_out_shard(shard);
    /// while let Some(event) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut events).poll_next(cx)).await {
    ///     match event {
    ///         SubscriptionEvent::Records { records, .. } => println!("{} records", records.len()),
    ///         SubscriptionEvent::ShardEnded { child_shards } => println!("children: {child_shards:?}"),
    ///         SubscriptionEvent::Failed(e) => return Err(e),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok::<(), kinesis_async::Error>(())
    /// # });
    /// ```
    pub fn fan_out_shard(&self, subscription: ShardSubscription) -> FanOutShard {
        let (tx, rx) = channel::bounded(1);
        let client = self.clone();
        drop(async_std::task::spawn(async move {
            run(client, subscription, tx).await;
        }));
        FanOutShard { events: rx }
    }
}

/// The driver loop of one [`ShardSubscription`]: feed it, drain it, wait.
async fn run(client: Client, mut sub: ShardSubscription, tx: channel::Sender<SubscriptionEvent>) {
    let mut current: Option<(SubscriptionId, ShardEvents)> = None;
    loop {
        let now = Instant::now();
        sub.handle_timeout(now);
        while let Some(event) = sub.poll_event() {
            if tx.send(event).await.is_err() {
                return;
            }
        }
        if sub.is_done() {
            return;
        }
        match sub.poll_action(now) {
            Some(SubscriptionAction::Subscribe { id, op }) => {
                current = None;
                match client.subscribe_to_shard(&op).await {
                    Ok(events) => current = Some((id, events)),
                    Err(e) => sub.handle_error(id, e, Instant::now()),
                }
            }
            Some(SubscriptionAction::Close { id }) => {
                if current.as_ref().is_some_and(|(c, _)| *c == id) {
                    current = None;
                }
            }
            Some(_) => {}
            None => {
                let due = sub.poll_timeout();
                let Some((id, events)) = current.as_mut() else {
                    match due {
                        Some(at) => async_std::task::sleep(at.saturating_duration_since(now)).await,
                        None => return,
                    }
                    continue;
                };
                let id = *id;
                let wait = due.map_or(SILENCE_LIMIT, |at| {
                    at.saturating_duration_since(now).min(SILENCE_LIMIT)
                });
                let next = poll_fn(|cx| Pin::new(&mut *events).poll_next(cx));
                match async_std::future::timeout(wait, next).await {
                    Ok(Some(Ok(event))) => sub.handle_event(id, event, Instant::now()),
                    Ok(Some(Err(e))) => {
                        current = None;
                        sub.handle_error(id, e, Instant::now());
                    }
                    Ok(None) => {
                        current = None;
                        sub.handle_end(id, Instant::now());
                    }
                    Err(_) if due.is_some_and(|at| at <= Instant::now()) => {}
                    Err(_) => {
                        current = None;
                        sub.handle_error(
                            id,
                            Error::Transport(TransportError::new(
                                TransportErrorKind::Timeout,
                                format!("no event for {SILENCE_LIMIT:?}"),
                            )),
                            Instant::now(),
                        );
                    }
                }
            }
        }
    }
}
