//! Every page of a paginated operation as an [`Iterator`], and every shard
//! of a stream in one call. The decisions (which request comes next, when
//! to stop) are kinesis-proto's [`Paginator`]; this runs it.

use kinesis_proto::ops::{ListShards, Shard, StreamRef};
use kinesis_proto::page_methods;
use kinesis_proto::paginate::Paginator;
use kinesis_proto::Paginated;

use crate::{Client, Error};

/// Every page of a paginated operation, fetched one call at a time as the
/// iterator is advanced (each call with the client's retries).
///
/// Made by [`Client::pages`] and the `*_pages` methods. After an error the
/// iterator ends.
///
/// ```no_run
/// use kinesis_blocking::{ops::ListStreams, Client};
///
/// let client = Client::from_env()?;
/// for page in client.pages(ListStreams::new().with_limit(100)) {
///     for name in page?.stream_names {
///         println!("{name}");
///     }
/// }
/// # Ok::<(), kinesis_blocking::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "an iterator does nothing until it is advanced"]
pub struct Pages<O> {
    client: Client,
    paginator: Paginator<O>,
}

impl<O: Paginated + PartialEq> Iterator for Pages<O> {
    type Item = Result<O::Output, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let request = self.paginator.next_request()?;
        match self.client.call(request) {
            Ok(page) => match self.paginator.handle_page(&page) {
                Ok(()) => Some(Ok(page)),
                Err(e) => Some(Err(e)),
            },
            Err(e) => {
                log::debug!(
                    "{} pages end after {} page(s): {e}",
                    O::NAME,
                    self.paginator.pages()
                );
                self.paginator.handle_error();
                Some(Err(e))
            }
        }
    }
}

impl Client {
    /// Every page of `first`: the answer to `first`, then to each request
    /// [`Paginated::next_page`] makes of the page before, until the last.
    ///
    /// Nothing is sent until the iterator is advanced; each page is one
    /// call (retried as [`Client::call`] retries).
    ///
    /// ```no_run
    /// use kinesis_blocking::{ops::ListShards, Client};
    ///
    /// let client = Client::from_env()?;
    /// let mut first = ListShards::new("my-stream");
    /// first.page.max_results = Some(100);
    /// let mut count = 0;
    /// for page in client.pages(first) {
    ///     count += page?.shards.len();
    /// }
    /// println!("{count} shards");
    /// # Ok::<(), kinesis_blocking::Error>(())
    /// ```
    pub fn pages<O: Paginated + PartialEq>(&self, first: O) -> Pages<O> {
        Pages {
            client: self.clone(),
            paginator: Paginator::new(first),
        }
    }

    /// Every shard of the stream `stream` (a name, or a [`StreamRef::arn`]),
    /// open and closed, in as many
    /// ListShards calls as it takes: the IDs, hash-key ranges, sequence
    /// number ranges and parents of the whole shard tree that the
    /// retention period still holds.
    ///
    /// ```no_run
    /// let client = kinesis_blocking::Client::from_env()?;
    /// for shard in client.list_all_shards("my-stream")? {
    ///     println!("{} (parent {:?})", shard.shard_id, shard.parent_shard_id);
    /// }
    /// # Ok::<(), kinesis_blocking::Error>(())
    /// ```
    pub fn list_all_shards(&self, stream: impl Into<StreamRef>) -> Result<Vec<Shard>, Error> {
        self.list_all_shards_with(ListShards::new(stream))
    }

    /// Every shard that `first` and the ListShards pages after it return:
    /// [`Client::list_all_shards`] with your own page size, filter or
    /// stream ARN.
    ///
    /// ```no_run
    /// use kinesis_blocking::{ops::ListShards, Client};
    ///
    /// let client = Client::from_env()?;
    /// let mut first = ListShards::new("my-stream");
    /// first.page.max_results = Some(10);
    /// let shards = client.list_all_shards_with(first)?;
    /// println!("{} shards", shards.len());
    /// # Ok::<(), kinesis_blocking::Error>(())
    /// ```
    pub fn list_all_shards_with(&self, first: ListShards) -> Result<Vec<Shard>, Error> {
        let mut shards = Vec::new();
        for page in self.pages(first) {
            shards.extend(page?.shards);
        }
        Ok(shards)
    }
}

// One page method per paginated operation, docs written once in
// kinesis-proto: an iterator of every page.
kinesis_proto::for_each_paginated_operation!(page_methods [
    "kinesis_blocking",
    "An iterator over every page of",
    "",
    "",
    "for page in client.",
    " {\n",
    "",
]);

#[cfg(test)]
pub(crate) mod tests {
    use kinesis_proto::{Config, Credentials, Settings};

    use super::*;
    use crate::test_server::{serve, Reply, Server};

    /// A client of `server` that makes one attempt per call.
    pub(crate) fn client(server: &Server) -> Client {
        let config = Config::new("us-east-1")
            .with_endpoint_url(&server.url())
            .expect("a local URL");
        let mut settings = Settings::new(config, Credentials::new("AKID", "SECRET", None));
        settings.retry.max_attempts = 1;
        Client::new(settings).expect("valid settings")
    }

    fn page(shards: &[&str], token: Option<&str>) -> Reply {
        let shards: Vec<String> = shards
            .iter()
            .map(|id| {
                format!(
                    r#"{{"ShardId":"{id}","HashKeyRange":{{"StartingHashKey":"0","EndingHashKey":"1"}},
                    "SequenceNumberRange":{{"StartingSequenceNumber":"1"}}}}"#
                )
            })
            .collect();
        let token = token.map_or(String::new(), |t| format!(r#","NextToken":"{t}""#));
        Reply::Answer(
            200,
            format!(r#"{{"Shards":[{}]{token}}}"#, shards.join(",")).into_bytes(),
        )
    }

    fn body(seen: &crate::test_server::Seen) -> &str {
        std::str::from_utf8(&seen.body).expect("a UTF-8 body")
    }

    #[test]
    fn pages_follow_the_tokens_and_send_nothing_until_advanced() {
        let server = serve(vec![
            page(&["shardId-0", "shardId-1"], Some("t2")),
            page(&["shardId-2"], None),
        ]);
        let client = client(&server);
        let mut first = ListShards::new("s");
        first.page.max_results = Some(2);
        let pages = client.list_shards_pages(first);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(server.seen().is_empty(), "sent before the first next()");
        let pages: Vec<_> = pages.collect::<Result<_, _>>().expect("two pages");
        assert_eq!(pages.len(), 2);
        let seen = server.seen();
        assert_eq!(seen.len(), 2);
        assert_eq!(body(&seen[0]), r#"{"StreamName":"s","MaxResults":2}"#);
        assert_eq!(body(&seen[1]), r#"{"NextToken":"t2","MaxResults":2}"#);
    }

    #[test]
    fn every_shard_in_one_call() {
        let server = serve(vec![
            page(&["shardId-0"], Some("a")),
            page(&["shardId-1"], Some("b")),
            page(&[], Some("")),
        ]);
        let shards = client(&server).list_all_shards("s").expect("three pages");
        let ids: Vec<_> = shards.iter().map(|s| s.shard_id.as_str()).collect();
        assert_eq!(ids, ["shardId-0", "shardId-1"]);
        assert_eq!(server.seen().len(), 3);
    }

    #[test]
    fn an_error_is_the_last_item() {
        let denied = br#"{"__type":"AccessDeniedException","message":"no"}"#;
        let server = serve(vec![
            page(&["shardId-0"], Some("a")),
            Reply::Answer(400, denied.to_vec()),
            page(&["shardId-1"], None),
        ]);
        let mut pages = client(&server).pages(ListShards::new("s"));
        assert!(matches!(pages.next(), Some(Ok(_))));
        assert!(matches!(pages.next(), Some(Err(Error::Service(_)))));
        assert!(pages.next().is_none());
        assert_eq!(server.seen().len(), 2);
    }

    #[test]
    fn a_repeated_token_ends_the_pages_instead_of_looping() {
        let server = serve(vec![page(&["shardId-0"], Some("same")); 5]);
        let results: Vec<_> = client(&server).pages(ListShards::new("s")).collect();
        assert_eq!(results.len(), 2, "{results:?}");
        assert!(matches!(results[1], Err(Error::Response(_))), "{results:?}");
        assert_eq!(server.seen().len(), 2);
        // …and every shard of such a stream is an error, not a hang.
        let server = serve(vec![page(&["shardId-0"], Some("same")); 5]);
        assert!(matches!(
            client(&server).list_all_shards("s"),
            Err(Error::Response(_))
        ));
    }
}
