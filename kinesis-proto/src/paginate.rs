//! Every page of a paginated operation, as a small state machine the
//! clients' page iterators and streams run.
//!
//! A [`Paginator`] holds the request for the next page. The driver sends
//! [`Paginator::next_request`] (with retries, as any call), hands the page
//! to [`Paginator::handle_page`], and stops when there is no next request.
//! What the next request is comes from [`Paginated::next_page`] (a
//! `NextToken`, or the last shard, stream or tag key of the page). A failed
//! call ends the pages ([`Paginator::handle_error`]); so does a page that
//! would ask for itself again, which a server that repeats its token would
//! otherwise turn into an endless loop.
//!
//! ```
//! use kinesis_proto::ops::{ListShards, ListShardsOutput};
//! use kinesis_proto::paginate::Paginator;
//!
//! let mut first = ListShards::new("my-stream");
//! first.page.max_results = Some(2);
//! let mut pages = Paginator::new(first);
//! let answers = [
//!     r#"{"Shards":[],"NextToken":"t2"}"#,
//!     r#"{"Shards":[]}"#,
//! ];
//! let mut sent = Vec::new();
//! for answer in answers {
//!     let request = pages.next_request().expect("another page");
//!     sent.push(request.clone()); // a driver sends it here
//!     let page: ListShardsOutput = serde_json::from_str(answer).unwrap();
//!     pages.handle_page(&page)?;
//! }
//! assert!(pages.next_request().is_none());
//! assert_eq!(pages.pages(), 2);
//! // The second request carries only the token and the page size.
//! assert_eq!(sent[1].page.next_token.as_deref(), Some("t2"));
//! assert_eq!(sent[1].page.max_results, Some(2));
//! assert!(sent[1].stream.is_none());
//! # Ok::<(), kinesis_proto::Error>(())
//! ```

/// The paginated operations: the one list drivers generate their page
/// methods from (`client.list_shards_pages(first)`…).
///
/// Calls `$callback!` with one entry per operation that implements
/// [`Paginated`]: `[method_name, InputType, "what the pages hold",
/// "example first request"]`. The example uses only names from
/// `kinesis_proto::ops`. A unit test fails when an operation implements
/// [`Paginated`] and is missing here. With `[extra tokens]` after the
/// callback's name, the callback gets them first, followed by `;`.
#[macro_export]
macro_rules! for_each_paginated_operation {
    ($callback:ident $([$($extra:tt)*])?) => {
        $callback! {
            $([$($extra)*];)?
            [describe_stream_pages, DescribeStream, "a stream's description, with its shards a page at a time",
                r#"DescribeStream::new("my-stream")"#],
            [list_streams_pages, ListStreams, "the account's streams",
                r#"ListStreams::new().with_limit(100)"#],
            [list_shards_pages, ListShards, "a stream's shards",
                r#"ListShards::new("my-stream")"#],
            [list_stream_consumers_pages, ListStreamConsumers, "the consumers registered with a stream",
                r#"ListStreamConsumers::new("arn:aws:kinesis:us-east-1:123456789012:stream/my-stream")"#],
            [list_tags_for_stream_pages, ListTagsForStream, "a stream's tags",
                r#"ListTagsForStream::new("my-stream")"#],
            [list_channels_pages, ListChannels, "the account's channels",
                r#"ListChannels::new()"#],
            [list_queues_pages, ListQueues, "the account's queues",
                r#"ListQueues::new()"#],
        }
    };
}

/// Writes a client's one page method per paginated operation (an
/// `impl Client { … }` at the call site, each `self.pages(first)`), docs
/// and examples included, so both clients describe their pages once. For
/// the clients, as the callback of
/// [`for_each_paginated_operation!`](crate::for_each_paginated_operation)
/// (`use kinesis_proto::page_methods;` first) with `[crate, "what each
/// method returns", "example's use lines", "its first lines", "loop start
/// before the method", "loop start after it", "its last lines"]`.
#[doc(hidden)]
#[macro_export]
macro_rules! page_methods {
    ($config:tt; $($entry:tt),* $(,)?) => {
        /// One page method per paginated operation (kinesis-proto's `page_methods!`).
        impl Client {
            $($crate::page_methods!(@one $config $entry);)*
        }
    };
    (@one [$krate:literal, $returns:literal, $uses:literal, $start:literal, $open:literal, $next:literal, $end:literal $(,)?]
        [$method:ident, $input:ident, $what:literal, $example:literal]) => {
        #[doc = concat!($returns, " ", $what, " ([`Client::pages`] of a [`",
            stringify!($input), "`](crate::ops::", stringify!($input), ")).\n\n",
            "```no_run\n",
            $uses,
            "use ", $krate, "::{ops::*, Client};\n",
            $start,
            "let client = Client::from_env()?;\n",
            $open, stringify!($method), "(", $example, ")", $next,
            "    println!(\"{:?}\", page?);\n",
            "}\n",
            "# Ok::<(), ", $krate, "::Error>(())\n",
            $end,
            "```")]
        pub fn $method(&self, first: $crate::ops::$input) -> Pages<$crate::ops::$input> {
            self.pages(first)
        }
    };
}

use crate::error::{Error, ResponseError};
use crate::operation::Paginated;

/// The pages of one paginated request, from its first page to its last.
///
/// `'static + Send` when the operation is, so it can live inside another
/// state machine. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paginator<O> {
    next: Option<O>,
    pages: u64,
}

impl<O: Paginated + PartialEq> Paginator<O> {
    /// The pages of `first`, which asks for the first page.
    pub fn new(first: O) -> Self {
        Paginator {
            next: Some(first),
            pages: 0,
        }
    }

    /// The request for the next page, or `None` when the last page has
    /// been handed in (or the pages ended in an error).
    pub fn next_request(&self) -> Option<&O> {
        self.next.as_ref()
    }

    /// Hands in the answer to [`Paginator::next_request`].
    ///
    /// Fails with [`Error::Response`] (and ends the pages) when the page
    /// asks for itself again: the service repeated its token, or a page
    /// said "more" without anything to continue from.
    pub fn handle_page(&mut self, page: &O::Output) -> Result<(), Error> {
        let Some(current) = self.next.take() else {
            return Ok(());
        };
        self.pages += 1;
        let next = current.next_page(page);
        if next.as_ref() == Some(&current) {
            return Err(Error::Response(ResponseError {
                status: http::StatusCode::OK,
                reason: format!(
                    "{} page {} asks for itself again (a repeated token); stopped paginating",
                    O::NAME,
                    self.pages
                ),
                request_id: None,
            }));
        }
        self.next = next;
        Ok(())
    }

    /// The call for the next page failed: there are no more pages.
    pub fn handle_error(&mut self) {
        self.next = None;
    }

    /// How many pages have been handed in.
    pub fn pages(&self) -> u64 {
        self.pages
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that unwraps fails, which is the point
mod tests {
    use super::*;
    use crate::ops::{
        DescribeStream, DescribeStreamOutput, ListShards, ListShardsOutput, ListStreams,
        ListStreamsOutput,
    };

    fn shards(json: &str) -> ListShardsOutput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn list_shards_follows_tokens_with_only_the_token_and_page_size() {
        let mut first = ListShards::new("s");
        first.page.max_results = Some(1);
        let mut pages = Paginator::new(first.clone());
        assert_eq!(pages.next_request(), Some(&first));
        pages
            .handle_page(&shards(r#"{"Shards":[],"NextToken":"a"}"#))
            .unwrap();
        let second = pages.next_request().unwrap().clone();
        assert_eq!(second.page.next_token.as_deref(), Some("a"));
        assert_eq!(second.page.max_results, Some(1));
        assert_eq!(second.stream, None);
        pages
            .handle_page(&shards(r#"{"Shards":[],"NextToken":"b"}"#))
            .unwrap();
        pages.handle_page(&shards(r#"{"Shards":[]}"#)).unwrap();
        assert_eq!(pages.next_request(), None);
        assert_eq!(pages.pages(), 3);
        // A page handed in after the end changes nothing.
        pages
            .handle_page(&shards(r#"{"Shards":[],"NextToken":"c"}"#))
            .unwrap();
        assert_eq!(pages.next_request(), None);
        assert_eq!(pages.pages(), 3);
    }

    #[test]
    fn a_repeated_token_ends_the_pages_with_an_error() {
        let mut pages = Paginator::new(ListShards::new("s"));
        pages
            .handle_page(&shards(r#"{"Shards":[],"NextToken":"same"}"#))
            .unwrap();
        let err = pages
            .handle_page(&shards(r#"{"Shards":[],"NextToken":"same"}"#))
            .unwrap_err();
        match err {
            Error::Response(e) => {
                assert!(e.reason.contains("ListShards page 2"), "{}", e.reason)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(pages.next_request(), None);
    }

    #[test]
    fn an_empty_token_is_the_last_page() {
        let mut pages = Paginator::new(ListShards::new("s"));
        pages
            .handle_page(&shards(r#"{"Shards":[],"NextToken":""}"#))
            .unwrap();
        assert_eq!(pages.next_request(), None);
    }

    #[test]
    fn describe_stream_continues_after_the_last_shard() {
        let mut pages = Paginator::new(DescribeStream::new("s"));
        let page: DescribeStreamOutput = serde_json::from_str(
            r#"{"StreamDescription":{"StreamName":"s",
            "StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s",
            "StreamStatus":"ACTIVE","HasMoreShards":true,"RetentionPeriodHours":24,
            "StreamCreationTimestamp":1700000000,"EnhancedMonitoring":[],
            "Shards":[{"ShardId":"shardId-000000000007",
              "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},
              "SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}}"#,
        )
        .unwrap();
        pages.handle_page(&page).unwrap();
        assert_eq!(
            pages
                .next_request()
                .unwrap()
                .exclusive_start_shard_id
                .as_deref(),
            Some("shardId-000000000007")
        );
    }

    #[test]
    fn a_failed_call_ends_the_pages() {
        let mut pages = Paginator::new(ListStreams::new());
        let page: ListStreamsOutput =
            serde_json::from_str(r#"{"StreamNames":["a"],"HasMoreStreams":true}"#).unwrap();
        pages.handle_page(&page).unwrap();
        assert!(pages.next_request().is_some());
        pages.handle_error();
        assert_eq!(pages.next_request(), None);
    }

    /// The input types `for_each_paginated_operation!` lists.
    macro_rules! listed {
        ($( [$method:ident, $input:ident, $what:literal, $example:literal] ),* $(,)?) => {
            vec![$(stringify!($input)),*]
        };
    }

    #[test]
    fn every_paginated_operation_is_in_the_list() {
        // Every source file under ops/, whatever its layout.
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ops"),
            &mut texts,
        );
        let mut implemented: Vec<&str> = texts
            .iter()
            .flat_map(|s| s.lines())
            .filter_map(|l| l.trim().strip_prefix("impl Paginated for "))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let mut listed: Vec<&str> = crate::for_each_paginated_operation!(listed);
        implemented.sort_unstable();
        listed.sort_unstable();
        assert_eq!(implemented.len(), 7, "{implemented:?}");
        assert_eq!(listed, implemented);
    }

    #[test]
    fn paginators_are_static_and_send() {
        fn check<T: Send + 'static>() {}
        check::<Paginator<ListShards>>();
    }
}
