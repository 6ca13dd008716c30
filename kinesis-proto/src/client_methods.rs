//! The methods every transport's `Client` offers beside the operations —
//! `new`, `from_env`, `config`, `call`, and the waiters'
//! ([`waiter_methods!`](crate::waiter_methods)) — with their docs, written
//! once here and expanded by each client with one
//! [`client_methods!`](crate::client_methods).

/// Writes a client's `new`, `from_env`, `config`, `call`, `wait` and
/// `wait_for_*` methods (an
/// `impl Client { … }` at the call site) on the client's own
/// `with_transport_options` and `drive` (its loop running one
/// [`Call`](crate::call::Call)), docs and examples included.
/// For the clients: `crate` names the client crate in the examples;
/// `async`, `await` and the example's `run`/`end` lines make `call` async,
/// `call_doc` adds a line to its docs.
#[doc(hidden)]
#[macro_export]
macro_rules! client_methods {
    (crate: $krate:literal, call_doc: $call_doc:literal
        $(, async: $async_kw:tt, await: $dot:tt $await_kw:tt, run: $run:literal, end: $end:literal)? $(,)?) => {
        /// Making a client, and calling any operation.
        impl Client {
            /// A client for `settings`, with the default connection pool.
            ///
            /// Fails with [`Error::Usage`] only when an extra root certificate is
            /// not a PEM certificate. Nothing is sent until the first call.
            ///
            /// ```
            #[doc = concat!("use ", $krate, "::{Client, Config, Credentials, Settings};")]
            ///
            /// let config = Config::new("us-east-1").with_endpoint_url("http://127.0.0.1:4568")?;
            /// let client = Client::new(Settings::new(config, Credentials::new("AKID", "SECRET", None)))?;
            /// assert_eq!(client.config().region(), "us-east-1");
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn new(settings: $crate::Settings) -> Result<Client, Error> {
                Client::with_transport_options(settings, $crate::TransportOptions::default())
            }

            /// A client set up as the AWS CLI and SDKs would be: region,
            /// credentials, endpoint and retry settings from `AWS_*` variables
            /// (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_PROFILE`,
            /// `AWS_ENDPOINT_URL_KINESIS`…) and the profile files they point to
            /// (`~/.aws/config` and `~/.aws/credentials` by default). The
            /// precedence rules are [`Settings::from_sources`](crate::Settings::from_sources)'.
            ///
            /// ```no_run
            #[doc = concat!("let client = ", $krate, "::Client::from_env()?;")]
            /// # let _ = client;
            #[doc = concat!("# Ok::<(), ", $krate, "::Error>(())")]
            /// ```
            pub fn from_env() -> Result<Client, Error> {
                let settings = $crate::Settings::from_env_with(
                    |v| std::env::var(v).ok(),
                    |f| std::fs::read_to_string(f),
                );
                Client::new(settings.map_err(Error::Usage)?)
            }

            /// Region, endpoint, limits and retry settings of this client.
            pub fn config(&self) -> &$crate::Config {
                self.inner.proto.config()
            }

            /// Sends any operation and waits for its output, retrying as the
            /// retry settings allow, within the call time limit if one is set.
            ///
            /// Every operation method of this client is this call with a fixed
            /// input type. Input the service would refuse fails with
            /// [`Error::Usage`] before anything is sent.
            #[doc = $call_doc]
            ///
            /// ```no_run
            #[doc = concat!("use ", $krate, "::{ops::DescribeStreamSummary, Client, Error};")]
            ///
            $(#[doc = $run])?
            /// let client = Client::from_env()?;
            #[doc = concat!(
                "match client.call(&DescribeStreamSummary::new(\"my-stream\"))",
                $(stringify!($dot), stringify!($await_kw),)? " {"
            )]
            ///     Ok(summary) => println!("{summary:?}"),
            ///     Err(Error::Service(e)) => println!("the service said no: {e}"),
            ///     Err(e) => return Err(e),
            /// }
            #[doc = concat!("# Ok::<(), ", $krate, "::Error>(())")]
            $(#[doc = $end])?
            /// ```
            pub $($async_kw)? fn call<O: $crate::Operation>(&self, op: &O) -> Result<O::Output, Error> {
                self.call_until(op, None) $($dot $await_kw)?
            }

            /// [`Client::call`], ended by `deadline` too (a waiter's time limit)
            /// as [`Call::with_deadline`](kinesis_proto::call::Call::with_deadline) says.
            pub(crate) $($async_kw)? fn call_until<O: $crate::Operation>(
                &self,
                op: &O,
                deadline: Option<std::time::Instant>,
            ) -> Result<O::Output, Error> {
                let inner = &*self.inner;
                let mut call =
                    $crate::call::Call::new(&inner.proto, op.clone(), inner.credentials.clone());
                if let Some(at) = deadline {
                    call = call.with_deadline(at);
                }
                self.drive(call) $($dot $await_kw)?
            }
        }

        $crate::waiter_methods!(
            crate: $krate $(, async: $async_kw, await: $dot $await_kw, run: $run, end: $end)?
        );
    };
}
