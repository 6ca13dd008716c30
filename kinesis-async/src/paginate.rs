//! Every page of a paginated operation as a [`Stream`], and every shard of
//! a stream in one call. The decisions (which request comes next, when to
//! stop) are kinesis-proto's [`Paginator`]; this runs it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use kinesis_proto::ops::{ListShards, Shard, StreamRef};
use kinesis_proto::page_methods;
use kinesis_proto::paginate::Paginator;
use kinesis_proto::Paginated;

use crate::{Client, Error};

/// The call for one page, in flight.
type PageCall<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// Every page of a paginated operation as a [`Stream`], fetched one call
/// at a time as the stream is polled (each call with the client's
/// retries).
///
/// Made by [`Client::pages`] and the `*_pages` methods. After an error the
/// stream ends. It is `Send + 'static`, so it can be moved into a task.
/// Any `Stream` combinator works on it (`futures::StreamExt`,
/// `async_std::stream::StreamExt`, `futures_lite::StreamExt`).
///
/// ```no_run
/// use async_std::stream::StreamExt;
/// use kinesis_async::{ops::ListStreams, Client};
///
/// # async_std::task::block_on(async {
/// let client = Client::from_env()?;
/// let mut pages = client.pages(ListStreams::new().with_limit(100));
/// while let Some(page) = pages.next().await {
///     for name in page?.stream_names {
///         println!("{name}");
///     }
/// }
/// # Ok::<(), kinesis_async::Error>(())
/// # });
/// ```
#[must_use = "a stream does nothing until it is polled"]
pub struct Pages<O: Paginated> {
    client: Client,
    paginator: Paginator<O>,
    in_flight: Option<PageCall<O::Output>>,
}

impl<O: Paginated + fmt::Debug> fmt::Debug for Pages<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("paginator", &self.paginator)
            .field("in_flight", &self.in_flight.is_some())
            .finish_non_exhaustive()
    }
}

impl<O> Stream for Pages<O>
where
    O: Paginated + PartialEq + Clone + Send + Sync + Unpin + 'static,
    O::Output: Send + 'static,
{
    type Item = Result<O::Output, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let call = match &mut this.in_flight {
            Some(call) => call,
            None => {
                let Some(request) = this.paginator.next_request() else {
                    return Poll::Ready(None);
                };
                let (client, request) = (this.client.clone(), request.clone());
                this.in_flight
                    .insert(Box::pin(async move { client.call(&request).await }))
            }
        };
        let result = match call.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.in_flight = None;
        Poll::Ready(Some(match result {
            Ok(page) => this.paginator.handle_page(&page).map(|()| page),
            Err(e) => {
                log::debug!(
                    "{} pages end after {} page(s): {e}",
                    O::NAME,
                    this.paginator.pages()
                );
                this.paginator.handle_error();
                Err(e)
            }
        }))
    }
}

impl Client {
    /// Every page of `first`: the answer to `first`, then to each request
    /// [`Paginated::next_page`] makes of the page before, until the last.
    ///
    /// Nothing is sent until the stream is polled; each page is one call
    /// (retried as [`Client::call`] retries).
    ///
    /// ```no_run
    /// use async_std::stream::StreamExt;
    /// use kinesis_async::{ops::ListShards, Client};
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// let mut first = ListShards::new("my-stream");
    /// first.page.max_results = Some(100);
    /// let mut pages = client.pages(first);
    /// let mut count = 0;
    /// while let Some(page) = pages.next().await {
    ///     count += page?.shards.len();
    /// }
    /// println!("{count} shards");
    /// # Ok::<(), kinesis_async::Error>(())
    /// # });
    /// ```
    pub fn pages<O: Paginated + PartialEq>(&self, first: O) -> Pages<O> {
        Pages {
            client: self.clone(),
            paginator: Paginator::new(first),
            in_flight: None,
        }
    }

    /// Every shard of the stream `stream` (a name, or a [`StreamRef::arn`]),
    /// open and closed, in as many
    /// ListShards calls as it takes: the IDs, hash-key ranges, sequence
    /// number ranges and parents of the whole shard tree that the
    /// retention period still holds.
    ///
    /// ```no_run
    /// # async_std::task::block_on(async {
    /// let client = kinesis_async::Client::from_env()?;
    /// for shard in client.list_all_shards("my-stream").await? {
    ///     println!("{} (parent {:?})", shard.shard_id, shard.parent_shard_id);
    /// }
    /// # Ok::<(), kinesis_async::Error>(())
    /// # });
    /// ```
    pub async fn list_all_shards(&self, stream: impl Into<StreamRef>) -> Result<Vec<Shard>, Error> {
        self.list_all_shards_with(ListShards::new(stream)).await
    }

    /// Every shard that `first` and the ListShards pages after it return:
    /// [`Client::list_all_shards`] with your own page size, filter or
    /// stream ARN.
    ///
    /// ```no_run
    /// use kinesis_async::{ops::ListShards, Client};
    ///
    /// # async_std::task::block_on(async {
    /// let client = Client::from_env()?;
    /// let mut first = ListShards::new("my-stream");
    /// first.page.max_results = Some(10);
    /// let shards = client.list_all_shards_with(first).await?;
    /// println!("{} shards", shards.len());
    /// # Ok::<(), kinesis_async::Error>(())
    /// # });
    /// ```
    pub async fn list_all_shards_with(&self, first: ListShards) -> Result<Vec<Shard>, Error> {
        let mut paginator = Paginator::new(first);
        let mut shards = Vec::new();
        while let Some(request) = paginator.next_request() {
            let page = self.call(request).await?;
            paginator.handle_page(&page)?;
            shards.extend(page.shards);
        }
        Ok(shards)
    }
}

// One page method per paginated operation, docs written once in
// kinesis-proto: a stream of every page.
kinesis_proto::for_each_paginated_operation!(page_methods [
    "kinesis_async",
    "A stream of every page of",
    "use async_std::stream::StreamExt;\n",
    "# async_std::task::block_on(async {\n",
    "let mut pages = client.",
    ";\nwhile let Some(page) = pages.next().await {\n",
    "# });\n",
]);
