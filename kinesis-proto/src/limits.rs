//! Service limits that validation checks before any request is built.

/// The service limits that validation enforces. The defaults are the
/// service's defaults; raise them for streams configured for larger records.
///
/// ```
/// let limits = kinesis_proto::Limits { max_record_bytes: 10 * 1024 * 1024, ..Default::default() };
/// assert_eq!(limits.max_put_records_entries, 500);
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
