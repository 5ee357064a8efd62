//! Object bytes on the local filesystem.
//!
//! A blob is written under `tmp/`, fsynced, then renamed to `blobs/<2 hex>/<id>` and the directory
//! fsynced: a blob in `blobs/` is always whole. Metadata points at a blob only after that, so a
//! crash mid-write leaves only a file in `tmp/`, which [`BlobStore::open`] removes.
//!
//! Invariant: this crate knows nothing of buckets or keys; a blob is an id and bytes.

use bytes::Bytes;
use futures::Stream;
use std::io;
use std::path::{Path, PathBuf};
use tokio::fs;
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};
use tokio_util::io::ReaderStream;

/// Bytes buffered before a write reaches the file.
const WRITE_BUFFER: usize = 1 << 20;
/// Bytes read from the file at a time when streaming out.
const READ_CHUNK: usize = 256 << 10;

/// The blob directory of one Cairn data dir.
#[derive(Debug, Clone)]
pub struct BlobStore {
    blobs: PathBuf,
    tmp: PathBuf,
}

/// A blob being written. Dropping it without [`BlobWriter::commit`] removes the partial file.
pub struct BlobWriter {
    id: String,
    tmp_path: PathBuf,
    file: Option<BufWriter<fs::File>>,
    written: u64,
    store: BlobStore,
}

impl BlobStore {
    /// Opens `DIR/blobs` and `DIR/tmp`, creating them, and removes what a crash left in `tmp`.
    pub async fn open(data_dir: &Path) -> io::Result<Self> {
        let store = BlobStore {
            blobs: data_dir.join("blobs"),
            tmp: data_dir.join("tmp"),
        };
        fs::create_dir_all(&store.blobs).await?;
        fs::create_dir_all(&store.tmp).await?;
        let mut leftovers = fs::read_dir(&store.tmp).await?;
        while let Some(entry) = leftovers.next_entry().await? {
            let _ = fs::remove_file(entry.path()).await;
        }
        Ok(store)
    }

    fn path_of(&self, id: &str) -> io::Result<PathBuf> {
        // Ids are ours (hex uuids); anything else is refused rather than joined into a path.
        if id.len() < 3 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad blob id"));
        }
        Ok(self.blobs.join(&id[..2]).join(id))
    }

    /// Starts a new blob.
    pub async fn create(&self) -> io::Result<BlobWriter> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let tmp_path = self.tmp.join(&id);
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp_path)
            .await?;
        Ok(BlobWriter {
            id,
            tmp_path,
            file: Some(BufWriter::with_capacity(WRITE_BUFFER, file)),
            written: 0,
            store: self.clone(),
        })
    }

    /// Streams `len` bytes of blob `id` from `offset`.
    pub async fn read(
        &self,
        id: &str,
        offset: u64,
        len: u64,
    ) -> io::Result<impl Stream<Item = io::Result<Bytes>> + Send + Sync + 'static + use<>> {
        use tokio::io::AsyncReadExt;
        let mut file = fs::File::open(self.path_of(id)?).await?;
        if offset > 0 {
            file.seek(io::SeekFrom::Start(offset)).await?;
        }
        Ok(ReaderStream::with_capacity(file.take(len), READ_CHUNK))
    }

    /// Removes a blob; a missing one is not an error (deletes are retried after crashes).
    pub async fn delete(&self, id: &str) -> io::Result<()> {
        match fs::remove_file(self.path_of(id)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

impl BlobWriter {
    /// The id this blob will have once committed.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.written
    }

    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    pub async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("blob writer already committed"))?;
        file.write_all(data).await?;
        self.written += data.len() as u64;
        Ok(())
    }

    /// Makes the blob durable and visible under its id; returns `(id, size)`.
    pub async fn commit(mut self) -> io::Result<(String, u64)> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("blob writer already committed"))?;
        file.flush().await?;
        let file = file.into_inner();
        file.sync_all().await?;
        drop(file);
        let dest = self.store.path_of(&self.id)?;
        let dir = dest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.store.blobs.clone());
        fs::create_dir_all(&dir).await?;
        fs::rename(&self.tmp_path, &dest).await?;
        fs::File::open(&dir).await?.sync_all().await?;
        self.tmp_path = PathBuf::new();
        Ok((std::mem::take(&mut self.id), self.written))
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if !self.tmp_path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    async fn read_all(store: &BlobStore, id: &str, off: u64, len: u64) -> Vec<u8> {
        let chunks: Vec<Bytes> = store
            .read(id, off, len)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        chunks.concat()
    }

    #[tokio::test]
    async fn committed_blob_reads_back_whole_and_in_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let mut w = store.create().await.unwrap();
        w.write(b"hello ").await.unwrap();
        w.write(b"world").await.unwrap();
        let (id, size) = w.commit().await.unwrap();
        assert_eq!(size, 11);
        assert_eq!(read_all(&store, &id, 0, 11).await, b"hello world");
        assert_eq!(read_all(&store, &id, 6, 3).await, b"wor");
        store.delete(&id).await.unwrap();
        store.delete(&id).await.unwrap();
        assert!(store.read(&id, 0, 1).await.is_err());
    }

    #[tokio::test]
    async fn abandoned_and_crashed_writes_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let mut w = store.create().await.unwrap();
        w.write(b"partial").await.unwrap();
        drop(w);
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
        // A crash leaves a temp file behind; the next open clears it.
        std::fs::write(dir.path().join("tmp").join("deadbeef"), b"x").unwrap();
        BlobStore::open(dir.path()).await.unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[tokio::test]
    async fn ids_that_are_not_ours_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        assert!(store.read("../../etc/passwd", 0, 1).await.is_err());
        assert!(store.delete("..").await.is_err());
    }
}
