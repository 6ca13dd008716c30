//! Service limits that validation checks before any request is built.

/// The service limits that validation enforces. The defaults are the
/// service's defaults; raise them for streams configured for larger records.
///
/// ```
/// // A stream configured for 10 MiB records:
/// let limits = kinesis_proto::Limits::default()
///     .with_max_record_bytes(10 * 1024 * 1024)
///     .with_max_put_records_request_bytes(10 * 1024 * 1024);
/// assert_eq!(limits.max_put_records_entries, 500);
/// let config = kinesis_proto::Config::new("us-east-1").with_limits(limits);
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest data blob of one record, before base64 (default 1 MiB).
    pub max_record_bytes: usize,
    /// Largest PutRecords request: data plus partition keys of every entry
    /// (default 5 MiB).
    pub max_put_records_request_bytes: usize,
    /// Most entries in one PutRecords request (default 500).
    pub max_put_records_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 1024 * 1024,
            max_put_records_request_bytes: 5 * 1024 * 1024,
            max_put_records_entries: 500,
        }
    }
}

impl Limits {
    /// Sets the largest data blob of one record.
    pub fn with_max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }
    /// Sets the largest PutRecords request (data plus partition keys).
    pub fn with_max_put_records_request_bytes(mut self, bytes: usize) -> Self {
        self.max_put_records_request_bytes = bytes;
        self
    }
    /// Sets the most entries in one PutRecords request.
    pub fn with_max_put_records_entries(mut self, entries: usize) -> Self {
        self.max_put_records_entries = entries;
        self
    }
}
