//! Where a consumer keeps its checkpoints: a store trait, in memory, and a
//! JSON file written atomically.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use kinesis_proto::consumer::{Checkpoint, CheckpointFile, Checkpoints, SharedCheckpoints};

use crate::Error;

/// What a store's calls return: a future that may be sent between tasks.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Keeps a consumer's checkpoints between runs.
///
/// `load` gives what was stored (empty the first time); `save` stores one
/// shard's checkpoint and completes once it is durable. A store for a
/// DynamoDB lease table fits the same two calls.
///
/// ```
/// use kinesis_async::consumer::{CheckpointStore, MemoryStore};
/// use kinesis_async::kinesis_proto::consumer::Checkpoint;
///
/// # async_std::task::block_on(async {
/// let mut store = MemoryStore::new();
/// store.save("shardId-000000000000", &Checkpoint::after("42", 0)).await?;
/// assert_eq!(store.load().await?.get("shardId-000000000000"), Some(&Checkpoint::after("42", 0)));
/// # Ok::<(), kinesis_async::Error>(())
/// # });
/// ```
pub trait CheckpointStore: Send {
    /// Every checkpoint stored.
    fn load(&mut self) -> StoreFuture<'_, Checkpoints>;
    /// Stores `checkpoint` for `shard_id` (one that goes back is ignored).
    fn save<'a>(&'a mut self, shard_id: &'a str, checkpoint: &'a Checkpoint)
        -> StoreFuture<'a, ()>;
}

/// Checkpoints in memory, shared by its clones.
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
    /// use kinesis_async::consumer::MemoryStore;
    /// use kinesis_async::kinesis_proto::consumer::{Checkpoint, Checkpoints};
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
    fn load(&mut self) -> StoreFuture<'_, Checkpoints> {
        let snapshot = self.snapshot();
        Box::pin(async move { Ok(snapshot) })
    }
    fn save<'a>(
        &'a mut self,
        shard_id: &'a str,
        checkpoint: &'a Checkpoint,
    ) -> StoreFuture<'a, ()> {
        self.checkpoints.set(shard_id, checkpoint);
        Box::pin(async { Ok(()) })
    }
}

/// Checkpoints in a JSON file ([`Checkpoints::to_json`]), rewritten whole
/// at each save: written to a temporary file beside it, flushed to disk,
/// then renamed over it, so a crash leaves the old file or the new one.
///
/// ```no_run
/// use kinesis_async::consumer::{CheckpointStore, FileStore};
/// # async_std::task::block_on(async {
/// let mut store = FileStore::new("/var/lib/my-app/checkpoints.json");
/// let stored = store.load().await?; // empty if the file does not exist yet
/// # let _ = stored;
/// # Ok::<(), kinesis_async::Error>(())
/// # });
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

    async fn read(&mut self) -> Result<Checkpoints, Error> {
        let read = async_std::fs::read_to_string(self.file.path()).await;
        self.file.handle_read(read)
    }

    async fn write(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Result<(), Error> {
        if !self.file.is_read() {
            self.read().await?;
        }
        let Some(text) = self.file.set(shard_id, checkpoint) else {
            return Ok(());
        };
        let tmp = self.file.temporary();
        let result = async {
            use async_std::io::WriteExt as _;
            let mut file = async_std::fs::File::create(&tmp).await?;
            file.write_all(text.as_bytes()).await?;
            file.sync_all().await?;
            async_std::fs::rename(&tmp, self.file.path()).await
        }
        .await;
        result.map_err(|e| self.file.write_error(&e))
    }
}

impl CheckpointStore for FileStore {
    fn load(&mut self) -> StoreFuture<'_, Checkpoints> {
        Box::pin(self.read())
    }
    fn save<'a>(
        &'a mut self,
        shard_id: &'a str,
        checkpoint: &'a Checkpoint,
    ) -> StoreFuture<'a, ()> {
        Box::pin(self.write(shard_id, checkpoint))
    }
}
