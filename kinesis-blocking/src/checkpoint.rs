//! Where a consumer keeps its checkpoints: a store trait, in memory, and a
//! JSON file written atomically.

use std::fmt;
use std::path::{Path, PathBuf};

use kinesis_proto::consumer::{Checkpoint, CheckpointFile, Checkpoints, SharedCheckpoints};

use crate::Error;

/// Keeps a consumer's checkpoints between runs.
///
/// `load` gives what was stored (empty the first time); `save` stores one
/// shard's checkpoint and returns once it is durable. A store for a
/// DynamoDB lease table fits the same two calls.
///
/// ```
/// use kinesis_blocking::consumer::{CheckpointStore, MemoryStore};
/// use kinesis_blocking::kinesis_proto::consumer::Checkpoint;
///
/// let mut store = MemoryStore::new();
/// store.save("shardId-000000000000", &Checkpoint::after("42", 0))?;
/// assert_eq!(store.load()?.get("shardId-000000000000"), Some(&Checkpoint::after("42", 0)));
/// # Ok::<(), kinesis_blocking::Error>(())
/// ```
pub trait CheckpointStore: Send {
    /// Every checkpoint stored.
    fn load(&mut self) -> Result<Checkpoints, Error>;
    /// Stores `checkpoint` for `shard_id` (one that goes back is ignored).
    fn save(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Result<(), Error>;
}

/// Checkpoints in memory, shared by its clones (so a test can look at
/// what a consumer stored).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    checkpoints: SharedCheckpoints,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// A store holding `checkpoints` already.
    ///
    /// ```
    /// use kinesis_blocking::consumer::MemoryStore;
    /// use kinesis_blocking::kinesis_proto::consumer::{Checkpoint, Checkpoints};
    /// let mut checkpoints = Checkpoints::new();
    /// checkpoints.set("shardId-000000000000", Checkpoint::ShardEnd);
    /// assert_eq!(MemoryStore::holding(checkpoints.clone()).snapshot(), checkpoints);
    /// ```
    pub fn holding(checkpoints: Checkpoints) -> Self {
        MemoryStore {
            checkpoints: checkpoints.into(),
        }
    }

    /// A copy of what is stored.
    pub fn snapshot(&self) -> Checkpoints {
        self.checkpoints.snapshot()
    }
}

impl CheckpointStore for MemoryStore {
    fn load(&mut self) -> Result<Checkpoints, Error> {
        Ok(self.snapshot())
    }
    fn save(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Result<(), Error> {
        self.checkpoints.set(shard_id, checkpoint);
        Ok(())
    }
}

/// Checkpoints in a JSON file ([`Checkpoints::to_json`]), rewritten whole
/// at each save: written to a temporary file beside it, flushed to disk,
/// then renamed over it, so a crash leaves the old file or the new one,
/// never half of one.
///
/// ```no_run
/// use kinesis_blocking::consumer::{CheckpointStore, FileStore};
/// let mut store = FileStore::new("/var/lib/my-app/checkpoints.json");
/// let stored = store.load()?; // empty if the file does not exist yet
/// # let _ = stored;
/// # Ok::<(), kinesis_blocking::Error>(())
/// ```
pub struct FileStore {
    file: CheckpointFile,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.file.path())
            .finish_non_exhaustive()
    }
}

impl FileStore {
    /// A store in the file at `path` (created at the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore {
            file: CheckpointFile::new(path),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

impl CheckpointStore for FileStore {
    fn load(&mut self) -> Result<Checkpoints, Error> {
        let read = std::fs::read_to_string(self.file.path());
        self.file.handle_read(read)
    }

    fn save(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Result<(), Error> {
        if !self.file.is_read() {
            self.load()?;
        }
        let Some(text) = self.file.set(shard_id, checkpoint) else {
            return Ok(());
        };
        let tmp = self.file.temporary();
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, self.file.path())
        };
        write().map_err(|e| self.file.write_error(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_and_never_goes_back() {
        let dir = std::env::temp_dir().join(format!("kinesis-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("cp.json");
        let _ = std::fs::remove_file(&path);
        let mut store = FileStore::new(&path);
        assert!(store.load().expect("no file yet").is_empty());
        store.save("a", &Checkpoint::after("20", 1)).expect("saved");
        store
            .save("a", &Checkpoint::after("10", 0))
            .expect("ignored");
        store.save("b", &Checkpoint::ShardEnd).expect("saved");
        let mut again = FileStore::new(&path);
        let loaded = again.load().expect("read back");
        assert_eq!(loaded.get("a"), Some(&Checkpoint::after("20", 1)));
        assert_eq!(loaded.get("b"), Some(&Checkpoint::ShardEnd));
        assert!(!CheckpointFile::new(&path).temporary().exists());
        std::fs::write(&path, "not json").expect("write");
        assert!(FileStore::new(&path).load().is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
