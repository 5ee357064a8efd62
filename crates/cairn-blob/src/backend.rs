//! Where blob bytes live: the one interface a storage backend implements.
//!
//! Everything above it (ids, SSE-S3 sealing, the S3 request path) is the same whatever the
//! backend; [`crate::LocalDir`] (a directory, possibly shared by several nodes) is the one
//! implementation and the default. Another backend — an object store through Apache OpenDAL,
//! say — implements these three traits and is handed to [`crate::BlobStore::new`].
//!
//! The contract every backend keeps:
//! - Once [`StagedBlob::commit`] has returned the whole blob is durable: metadata is committed
//!   only after that, so a blob that metadata points at is always complete. Before, nothing asks
//!   for it (ids are random and unreferenced), and a backend may already show it under its id
//!   (the local directory writes in place). A staged blob dropped uncommitted leaves nothing
//!   behind; after a crash, an unreferenced blob that the orphan sweep removes.
//! - Ids are chosen by [`crate::BlobStore`] (hex), never by clients; a backend may refuse
//!   anything else.
//! - Deleting a missing blob succeeds (deletes are retried after crashes).

use bytes::Bytes;
use futures::Stream;
use std::io;
use std::pin::Pin;
use std::time::SystemTime;

/// Bytes streamed out of a blob; an error is the last item.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + Sync + 'static>>;

/// What a backend knows about one committed blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobStat {
    /// Stored bytes (for a sealed blob: header, ciphertext and tags).
    pub len: u64,
    /// When it was last written (the orphan sweep spares recent blobs).
    pub modified: SystemTime,
}

/// A place that keeps blobs by id.
#[async_trait::async_trait]
pub trait BlobBackend: Send + Sync + std::fmt::Debug + 'static {
    /// Starts writing blob `id`.
    async fn stage(&self, id: &str) -> io::Result<Box<dyn StagedBlob>>;
    /// Opens blob `id` for reads at any offset. `NotFound` if absent.
    async fn open(&self, id: &str) -> io::Result<Box<dyn BlobReader>>;
    /// Size and last write of blob `id`. `NotFound` if absent.
    async fn stat(&self, id: &str) -> io::Result<BlobStat>;
    /// Removes blob `id`; a missing one is not an error.
    async fn delete(&self, id: &str) -> io::Result<()>;
    /// Every blob with its last write (for the orphan sweep, which spares recent ones).
    async fn list(&self) -> io::Result<Vec<(String, SystemTime)>>;
}

/// A blob being written. Dropping it uncommitted discards it.
#[async_trait::async_trait]
pub trait StagedBlob: Send {
    /// Appends bytes (the backend may buffer them).
    async fn write(&mut self, data: &[u8]) -> io::Result<()>;
    /// Appends bytes from a thread of the blocking pool, after anything buffered. Sealed blobs
    /// seal each 1 MiB batch and write it in one blocking call: one hand-off per batch, no copy.
    fn write_blocking(&mut self, data: &[u8]) -> io::Result<()>;
    /// Makes the blob durable.
    async fn commit(self: Box<Self>) -> io::Result<()>;
}

/// A committed blob opened for reading.
pub trait BlobReader: Send + Sync {
    /// Stored length.
    fn size(&self) -> u64;
    /// Fills all of `buf` from `offset` (`UnexpectedEof` if the blob ends first). Blocking:
    /// called on the blocking pool, where a sealed read also decrypts what it read, in the same
    /// hand-off (a backend with only an async client can wait on it there).
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Streams `len` bytes from `offset`, in chunks of the backend's choosing.
    fn stream(self: Box<Self>, offset: u64, len: u64) -> ByteStream;
}
