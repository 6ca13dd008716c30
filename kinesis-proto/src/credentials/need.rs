//! What a [`Fetch`](super::Fetch) asks its driver for, and what the driver
//! brings back.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::TransportError;

use super::process::ProcessOutput;

/// One piece of I/O a credentials source needs before it can go on.
///
/// `Debug` shows the method and URI of a request, never its headers or
/// body (they carry tokens).
// One Need is alive at a time; boxing the request would only add an
// allocation per exchange.
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum Need {
    /// Send this request and hand back the whole answer, within `timeout`.
    Http {
        /// The request, signed where it needs to be.
        request: http::Request<Vec<u8>>,
        /// How long the exchange may take, connecting included.
        timeout: Duration,
    },
    /// Read this file whole.
    File {
        /// Where it is.
        path: PathBuf,
    },
    /// Replace this file's contents with `contents` (the SSO token cache
    /// after a refresh); a failure is logged, not fatal.
    WriteFile {
        /// Where it is.
        path: PathBuf,
        /// What to write.
        contents: Vec<u8>,
    },
    /// Run this command through the platform's shell (`sh -c` on Unix,
    /// `cmd /C` on Windows) with the caller's environment, and hand back
    /// its exit status and standard output, within `timeout` (kill it
    /// then).
    Process {
        /// The command line, as written in the profile.
        command: String,
        /// How long it may run.
        timeout: Duration,
    },
}

impl fmt::Debug for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Http { request, timeout } => f
                .debug_struct("Http")
                .field("method", request.method())
                .field("uri", &request.uri().to_string())
                .field("timeout", timeout)
                .finish_non_exhaustive(),
            Need::File { path } => f.debug_struct("File").field("path", path).finish(),
            Need::WriteFile { path, contents } => f
                .debug_struct("WriteFile")
                .field("path", path)
                .field("bytes", &contents.len())
                .finish(),
            Need::Process { timeout, .. } => f
                .debug_struct("Process")
                .field("timeout", timeout)
                .finish_non_exhaustive(),
        }
    }
}

/// What the driver brings back for a [`Need`], in the same order.
///
/// `Debug` shows only what kind of answer it is and its size.
pub enum Answer {
    /// The answer to [`Need::Http`], or why there was none.
    Http(Result<http::Response<Vec<u8>>, TransportError>),
    /// The contents of the file of [`Need::File`], or why it could not be
    /// read (the I/O error's text; `NotFound` as [`FileError::NotFound`]).
    File(Result<Vec<u8>, FileError>),
    /// What the process of [`Need::Process`] did, or why it could not run.
    Process(Result<ProcessOutput, String>),
    /// Whether [`Need::WriteFile`] wrote its file.
    Written(Result<(), FileError>),
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// It does not exist.
    NotFound,
    /// Any other I/O failure, as text.
    Other(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound => f.write_str("no such file"),
            FileError::Other(e) => f.write_str(e),
        }
    }
}

impl FileError {
    /// The error a failed `std::fs::read` gives, sorted.
    ///
    /// ```
    /// use kinesis_proto::credentials::FileError;
    /// let e = std::io::Error::from(std::io::ErrorKind::NotFound);
    /// assert_eq!(FileError::from_io(&e), FileError::NotFound);
    /// ```
    pub fn from_io(e: &std::io::Error) -> FileError {
        if e.kind() == std::io::ErrorKind::NotFound {
            FileError::NotFound
        } else {
            FileError::Other(e.to_string())
        }
    }
}

impl Answer {
    /// The answer to [`Need::File`] from what `std::fs::read` (or an async
    /// equivalent) gave.
    ///
    /// ```
    /// use kinesis_proto::credentials::{Answer, FileError};
    /// let a = Answer::read(Err(std::io::ErrorKind::NotFound.into()));
    /// assert!(matches!(a, Answer::File(Err(FileError::NotFound))));
    /// ```
    pub fn read(result: std::io::Result<Vec<u8>>) -> Answer {
        Answer::File(result.map_err(|e| FileError::from_io(&e)))
    }

    /// The answer to [`Need::WriteFile`] from what `std::fs::write` (or an
    /// async equivalent) gave.
    ///
    /// ```
    /// use kinesis_proto::credentials::Answer;
    /// assert!(matches!(Answer::written(Ok(())), Answer::Written(Ok(()))));
    /// ```
    pub fn written(result: std::io::Result<()>) -> Answer {
        Answer::Written(result.map_err(|e| FileError::from_io(&e)))
    }

    /// The answer a driver gives to a [`Need`] it does not know how to do
    /// (`Need` grows): a file error naming the driver and the need.
    ///
    /// ```
    /// use kinesis_proto::credentials::{Answer, Need};
    /// let need = Need::File { path: "x".into() };
    /// let a = Answer::unsupported("my-driver", &need);
    /// assert!(format!("{a:?}").contains("my-driver cannot do"));
    /// ```
    pub fn unsupported(driver: &str, need: &Need) -> Answer {
        Answer::File(Err(FileError::Other(format!(
            "{driver} cannot do {need:?}"
        ))))
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Http(Ok(r)) => write!(
                f,
                "Http(HTTP {}, {} bytes)",
                r.status().as_u16(),
                r.body().len()
            ),
            Answer::Http(Err(e)) => write!(f, "Http({e})"),
            Answer::File(Ok(b)) => write!(f, "File({} bytes)", b.len()),
            Answer::File(Err(e)) => write!(f, "File({e})"),
            Answer::Process(Ok(p)) => write!(f, "Process({p:?})"),
            Answer::Process(Err(e)) => write!(f, "Process({e})"),
            Answer::Written(r) => write!(f, "Written({r:?})"),
        }
    }
}
