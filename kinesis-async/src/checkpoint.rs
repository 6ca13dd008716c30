//! Where a consumer keeps its checkpoints: a store trait, in memory, and a
//! JSON file written atomically.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use kinesis_proto::consumer::{Checkpoint, Checkpoints};
use kinesis_proto::{TransportError, TransportErrorKind};

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
    checkpoints: Arc<Mutex<Checkpoints>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// A copy of what is stored.
    pub fn snapshot(&self) -> Checkpoints {
        self.checkpoints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
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
        self.checkpoints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .set(shard_id, checkpoint.clone());
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
    path: PathBuf,
    checkpoints: Option<Checkpoints>,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl FileStore {
    /// A store in the file at `path` (created at the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore {
            path: path.into(),
            checkpoints: None,
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn read(&mut self) -> Result<Checkpoints, Error> {
        let checkpoints = match async_std::fs::read_to_string(&self.path).await {
            Ok(text) => Checkpoints::from_json(&text)
                .map_err(|e| file_error(&self.path, &format!("not checkpoints: {e}")))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Checkpoints::new(),
            Err(e) => return Err(file_error(&self.path, &format!("read: {e}"))),
        };
        self.checkpoints = Some(checkpoints.clone());
        Ok(checkpoints)
    }

    async fn write(&mut self, shard_id: &str, checkpoint: &Checkpoint) -> Result<(), Error> {
        if self.checkpoints.is_none() {
            self.read().await?;
        }
        let checkpoints = self.checkpoints.get_or_insert_with(Checkpoints::new);
        if !checkpoints.set(shard_id, checkpoint.clone()) {
            return Ok(());
        }
        let text = checkpoints.to_json();
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        let tmp = self.path.with_file_name(name);
        let result = async {
            use async_std::io::WriteExt as _;
            let mut file = async_std::fs::File::create(&tmp).await?;
            file.write_all(text.as_bytes()).await?;
            file.sync_all().await?;
            async_std::fs::rename(&tmp, &self.path).await
        }
        .await;
        result.map_err(|e| file_error(&self.path, &format!("write: {e}")))
    }
}

fn file_error(path: &Path, what: &str) -> Error {
    Error::Transport(TransportError::new(
        TransportErrorKind::Io,
        format!("checkpoint file {}: {what}", path.display()),
    ))
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
