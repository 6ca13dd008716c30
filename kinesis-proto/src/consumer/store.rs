//! What both drivers' checkpoint stores share, without their I/O: the
//! memory store's shared map, and the checkpoint file's contents, its
//! temporary name and its errors (the drivers only read, write, sync and
//! rename).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::checkpoint::{Checkpoint, Checkpoints};
use crate::{Error, TransportError, TransportErrorKind};

/// Checkpoints in memory, shared by its clones (a memory store's state).
///
/// ```
/// use kinesis_proto::consumer::{Checkpoint, SharedCheckpoints};
/// let shared = SharedCheckpoints::default();
/// shared.clone().set("shardId-000000000000", &Checkpoint::ShardEnd);
/// assert_eq!(shared.snapshot().get("shardId-000000000000"), Some(&Checkpoint::ShardEnd));
/// ```
#[derive(Debug, Clone, Default)]
pub struct SharedCheckpoints(Arc<Mutex<Checkpoints>>);

impl From<Checkpoints> for SharedCheckpoints {
    fn from(checkpoints: Checkpoints) -> Self {
        SharedCheckpoints(Arc::new(Mutex::new(checkpoints)))
    }
}

impl SharedCheckpoints {
    fn lock(&self) -> MutexGuard<'_, Checkpoints> {
        // A panic while holding the lock leaves a valid map behind.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of what is stored.
    pub fn snapshot(&self) -> Checkpoints {
        self.lock().clone()
    }

    /// Stores `checkpoint` for `shard_id` (one that goes back is ignored).
    pub fn set(&self, shard_id: &str, checkpoint: &Checkpoint) {
        self.lock().set(shard_id, checkpoint.clone());
    }
}

/// A checkpoint file's state: its path, what it holds, and what to write
/// next. A save is: [`CheckpointFile::set`] gives the new text (or nothing
/// when the checkpoint changes nothing), the driver writes it to
/// [`CheckpointFile::temporary`], syncs it and renames it over
/// [`CheckpointFile::path`], so a crash leaves the old file or the new one.
///
/// ```
/// use kinesis_proto::consumer::{Checkpoint, CheckpointFile};
/// let mut file = CheckpointFile::new("/var/lib/app/checkpoints.json");
/// let stored = file.handle_read(Err(std::io::ErrorKind::NotFound.into()))?;
/// assert!(stored.is_empty());
/// let text = file.set("shardId-000000000000", &Checkpoint::after("42", 0)).expect("changed");
/// assert!(text.contains("42"));
/// assert_eq!(file.temporary().to_str(), Some("/var/lib/app/checkpoints.json.tmp"));
/// # Ok::<(), kinesis_proto::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    path: PathBuf,
    checkpoints: Option<Checkpoints>,
}

impl CheckpointFile {
    /// The file at `path` (created at the first save), not read yet.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CheckpointFile {
            path: path.into(),
            checkpoints: None,
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file a save writes before renaming it to [`Self::path`].
    pub fn temporary(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        self.path.with_file_name(name)
    }

    /// Whether the file was read (a save reads it first).
    pub fn is_read(&self) -> bool {
        self.checkpoints.is_some()
    }

    /// Takes what reading the file gave: its checkpoints (none if it does
    /// not exist), or the error.
    pub fn handle_read(&mut self, read: io::Result<String>) -> Result<Checkpoints, Error> {
        let checkpoints = match read {
            Ok(text) => Checkpoints::from_json(&text)
                .map_err(|e| self.error(&format!("not checkpoints: {e}")))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Checkpoints::new(),
            Err(e) => return Err(self.error(&format!("read: {e}"))),
        };
        self.checkpoints = Some(checkpoints.clone());
        Ok(checkpoints)
    }

    /// Stores `checkpoint` for `shard_id`; the file's new text, or `None`
    /// when it changes nothing (one that goes back is ignored).
    #[must_use]
    pub fn set(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Option<String> {
        let checkpoints = self.checkpoints.get_or_insert_with(Checkpoints::new);
        checkpoints
            .set(shard_id, checkpoint.clone())
            .then(|| checkpoints.to_json())
    }

    /// The error of a failed write.
    pub fn write_error(&self, e: &io::Error) -> Error {
        self.error(&format!("write: {e}"))
    }

    fn error(&self, what: &str) -> Error {
        Error::Transport(TransportError::new(
            TransportErrorKind::Io,
            format!("checkpoint file {}: {what}", self.path.display()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_state_reads_sets_and_never_goes_back() {
        let mut file = CheckpointFile::new("dir/cp.json");
        assert!(!file.is_read());
        assert_eq!(file.temporary(), Path::new("dir/cp.json.tmp"));
        let text = file.set("a", &Checkpoint::after("20", 1)).expect("new");
        assert_eq!(file.set("a", &Checkpoint::after("10", 0)), None, "back");
        let mut again = CheckpointFile::new("dir/cp.json");
        let read = again.handle_read(Ok(text)).expect("its own text");
        assert_eq!(read.get("a"), Some(&Checkpoint::after("20", 1)));
        assert!(again.is_read());
        assert!(again.handle_read(Ok("not json".into())).is_err());
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(again.handle_read(Err(denied)).is_err());
    }
}
