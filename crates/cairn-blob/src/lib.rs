//! Object bytes: blobs by id, plain or sealed, over a storage backend.
//!
//! [`BlobStore`] is what the server uses; where the bytes live is a [`BlobBackend`]
//! ([`LocalDir`], a directory, is the one implementation and the default). Ids and SSE-S3
//! sealing are decided here, above the backend, so every backend stores only opaque bytes and
//! plaintext of a sealed blob never reaches one.
//!
//! Metadata points at a blob only after [`BlobWriter::commit`], and a committed blob is always
//! whole (the backend's contract), so a crash mid-write leaves nothing metadata refers to.
//!
//! Blobs are plain (the bytes as given) or sealed (SSE-S3: see [`sealed`]); the caller keeps
//! which one in its metadata, because a plain blob may begin with any bytes at all.
//!
//! Invariant: this crate knows nothing of buckets or keys; a blob is an id and bytes.

pub mod backend;
mod local;
pub mod sealed;
mod sealed_read;
mod sealed_write;

pub use backend::{BlobBackend, BlobReader, BlobStat, ByteStream, StagedBlob};
pub use local::LocalDir;
pub use sealed::{KeyDeriver, KeyWrap};

use std::io;
use std::path::Path;
use std::sync::Arc;

/// Blobs over one backend. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BlobStore {
    backend: Arc<dyn BlobBackend>,
}

/// A blob being written. Dropping it without [`BlobWriter::commit`] discards it.
pub struct BlobWriter {
    id: String,
    written: u64,
    /// A plain blob's staged bytes.
    plain: Option<Box<dyn StagedBlob>>,
    /// A sealed blob's: its plaintext only ever reaches the backend encrypted.
    seal: Option<sealed_write::SealedWrite>,
}

impl BlobStore {
    pub fn new(backend: Arc<dyn BlobBackend>) -> Self {
        BlobStore { backend }
    }

    /// Blobs in `DIR` written by this process alone (see [`LocalDir::open`]).
    pub async fn open(data_dir: &Path) -> io::Result<Self> {
        Ok(Self::new(Arc::new(LocalDir::open(data_dir).await?)))
    }

    /// Blobs in `DIR` shared with other nodes (see [`LocalDir::open_shared`]).
    pub async fn open_shared(data_dir: &Path, idle: std::time::Duration) -> io::Result<Self> {
        Ok(Self::new(Arc::new(
            LocalDir::open_shared(data_dir, idle).await?,
        )))
    }

    /// Starts a new plain blob.
    pub async fn create(&self) -> io::Result<BlobWriter> {
        self.create_with(None).await
    }

    /// Starts a new sealed blob: a fresh data key, wrapped by `wrap` into the blob's header.
    pub async fn create_sealed(&self, wrap: &KeyWrap) -> io::Result<BlobWriter> {
        self.create_with(Some(wrap)).await
    }

    async fn create_with(&self, wrap: Option<&KeyWrap>) -> io::Result<BlobWriter> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let staged = self.backend.stage(&id).await?;
        let (plain, seal) = match wrap {
            Some(wrap) => {
                let (header, keys) = sealed::new_header(wrap, &id)?;
                (
                    None,
                    Some(sealed_write::SealedWrite::new(staged, header, keys)),
                )
            }
            None => (Some(staged), None),
        };
        Ok(BlobWriter {
            id,
            written: 0,
            plain,
            seal,
        })
    }

    /// Streams `len` plaintext bytes of sealed blob `id` from `offset`, decrypting only the
    /// segments the range touches. Any altered, missing or moved byte is an `InvalidData` error,
    /// either here (header, key) or as an item of the stream — never different bytes.
    pub async fn read_sealed(
        &self,
        id: &str,
        wrap: &KeyWrap,
        offset: u64,
        len: u64,
    ) -> io::Result<ByteStream> {
        let reader = self.backend.open(id).await?;
        let (reader, header) = tokio::task::spawn_blocking(move || {
            let mut header = vec![0u8; sealed::HEADER_LEN];
            reader
                .read_exact_at(0, &mut header)
                .map(|()| (reader, header))
                .map_err(sealed_read::eof_is_truncation)
        })
        .await
        .map_err(io::Error::other)??;
        let keys = sealed::open_header(wrap, id, &header)?;
        let geo = sealed::Geometry::of(reader.size(), keys.segment_size)?;
        if offset
            .checked_add(len)
            .is_none_or(|end| end > geo.plain_len)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "range past blob end",
            ));
        }
        let read = sealed_read::SealedRead::new(reader, keys, geo, offset, len);
        Ok(Box::pin(read.into_stream()))
    }

    /// Streams `len` bytes of blob `id` from `offset`.
    pub async fn read(&self, id: &str, offset: u64, len: u64) -> io::Result<ByteStream> {
        Ok(self.backend.open(id).await?.stream(offset, len))
    }

    /// Size and commit time of a blob.
    pub async fn stat(&self, id: &str) -> io::Result<BlobStat> {
        self.backend.stat(id).await
    }

    /// Every committed blob with its modification time (for the orphan sweep).
    pub async fn list(&self) -> io::Result<Vec<(String, std::time::SystemTime)>> {
        self.backend.list().await
    }

    /// Removes a blob; a missing one is not an error (deletes are retried after crashes).
    pub async fn delete(&self, id: &str) -> io::Result<()> {
        self.backend.delete(id).await
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
        match (&mut self.seal, &mut self.plain) {
            (Some(seal), _) => seal.write(data).await?,
            (None, Some(plain)) => plain.write(data).await?,
            (None, None) => return Err(committed()),
        }
        self.written += data.len() as u64;
        Ok(())
    }

    /// Makes the blob durable and visible under its id; returns `(id, size)`.
    pub async fn commit(mut self) -> io::Result<(String, u64)> {
        let staged = match (self.seal.take(), self.plain.take()) {
            (Some(seal), _) => seal.finish().await?,
            (None, Some(plain)) => plain,
            (None, None) => return Err(committed()),
        };
        staged.commit().await?;
        Ok((std::mem::take(&mut self.id), self.written))
    }
}

fn committed() -> io::Error {
    io::Error::other("blob writer already committed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    use bytes::Bytes;
    use std::path::Path;

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

    /// Files under `blobs/` (every fan-out directory).
    fn blob_files(dir: &Path) -> usize {
        std::fs::read_dir(dir.join("blobs"))
            .unwrap()
            .map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
            .sum()
    }

    #[tokio::test]
    async fn abandoned_and_crashed_writes_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let mut w = store.create().await.unwrap();
        w.write(b"partial").await.unwrap();
        assert_eq!(blob_files(dir.path()), 1, "written in place");
        drop(w);
        assert_eq!(blob_files(dir.path()), 0);
        // Earlier versions staged under tmp/: what a crash left there goes at the next open.
        std::fs::write(dir.path().join("tmp").join("deadbeef"), b"x").unwrap();
        BlobStore::open(dir.path()).await.unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[tokio::test]
    async fn a_shared_open_keeps_other_nodes_uploads_in_progress() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let mut w = store.create().await.unwrap();
        w.write(b"another node is writing this").await.unwrap();
        BlobStore::open_shared(dir.path(), std::time::Duration::from_secs(600))
            .await
            .unwrap();
        let (id, _) = w.commit().await.unwrap();
        assert_eq!(read_all(&store, &id, 0, 7).await, b"another");
        // A tmp/ file idle for longer than the margin is a crashed node's leftover.
        let tmp = |d: &Path| std::fs::read_dir(d.join("tmp")).unwrap().count();
        std::fs::write(dir.path().join("tmp").join("deadbeef"), b"x").unwrap();
        BlobStore::open_shared(dir.path(), std::time::Duration::from_secs(600))
            .await
            .unwrap();
        assert_eq!(tmp(dir.path()), 1, "not idle long enough");
        BlobStore::open_shared(dir.path(), std::time::Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(tmp(dir.path()), 0);
    }

    #[tokio::test]
    async fn stat_and_list_report_written_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        assert_eq!(
            store.stat("abcdef").await.unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        let mut w = store.create().await.unwrap();
        w.write(&[7u8; 3000]).await.unwrap();
        let (id, _) = w.commit().await.unwrap();
        let stat = store.stat(&id).await.unwrap();
        assert_eq!(stat.len, 3000);
        assert!(stat.modified <= std::time::SystemTime::now());
        let listed = store.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].0, id);
    }

    #[tokio::test]
    async fn ids_that_are_not_ours_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        assert!(store.read("../../etc/passwd", 0, 1).await.is_err());
        assert!(store.delete("..").await.is_err());
    }
}

#[cfg(test)]
mod sealed_tests {
    use super::*;
    use bytes::Bytes;
    use futures::TryStreamExt;
    use std::path::{Path, PathBuf};

    const SEG: u64 = sealed::SEGMENT_SIZE as u64;

    fn wrap() -> KeyWrap {
        KeyWrap::derive(&[7u8; 32])
    }

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    async fn read(store: &BlobStore, id: &str, off: u64, len: u64) -> io::Result<Vec<u8>> {
        let chunks: Vec<Bytes> = store
            .read_sealed(id, &wrap(), off, len)
            .await?
            .try_collect()
            .await?;
        Ok(chunks.concat())
    }

    async fn put(store: &BlobStore, data: &[u8], chunk: usize) -> String {
        let mut w = store.create_sealed(&wrap()).await.unwrap();
        for c in data.chunks(chunk.max(1)) {
            w.write(c).await.unwrap();
        }
        let (id, size) = w.commit().await.unwrap();
        assert_eq!(size, data.len() as u64);
        id
    }

    fn file_of(dir: &Path, id: &str) -> PathBuf {
        dir.join("blobs").join(&id[..2]).join(id)
    }

    #[tokio::test]
    async fn round_trips_at_every_interesting_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        for n in [
            0,
            1,
            SEG as usize - 1,
            SEG as usize,
            SEG as usize + 1,
            3 * SEG as usize + 5,
            // Writes go 16 segments at a time.
            16 * SEG as usize,
            16 * SEG as usize + 1,
            32 * SEG as usize - 1,
            32 * SEG as usize,
        ] {
            let data = pattern(n);
            let id = put(&store, &data, 10_000).await;
            assert_eq!(
                read(&store, &id, 0, n as u64).await.unwrap(),
                data,
                "size {n}"
            );
            let stored = std::fs::read(file_of(dir.path(), &id)).unwrap();
            let segs = (n as u64).div_ceil(SEG).max(1);
            assert_eq!(
                stored.len() as u64,
                sealed::HEADER_LEN as u64 + n as u64 + 16 * segs
            );
        }
    }

    #[tokio::test]
    async fn ranges_decrypt_only_what_they_need_and_are_exact() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let data = pattern(3 * SEG as usize + 100);
        let id = put(&store, &data, 7777).await;
        for (off, len) in [
            (0, 1),
            (SEG - 6, 16),
            (SEG, SEG),
            (SEG - 1, SEG + 2),
            (3 * SEG, 100),
            (3 * SEG + 99, 1),
            (5, 0),
        ] {
            let got = read(&store, &id, off, len).await.unwrap();
            assert_eq!(
                got,
                &data[off as usize..(off + len) as usize],
                "{off}+{len}"
            );
        }
        assert!(read(&store, &id, 3 * SEG + 100, 1).await.is_err());
    }

    #[tokio::test]
    async fn ranges_across_read_batches_are_exact() {
        // Reads go 16 segments at a time: ranges here start, end and cross batch boundaries.
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let n = 35 * SEG + 100;
        let data = pattern(n as usize);
        let id = put(&store, &data, 100_000).await;
        for (off, len) in [
            (0, n),
            (1, n - 1),
            (0, 16 * SEG),
            (16 * SEG - 1, 2),
            (15 * SEG + 5, 2 * SEG),
            (SEG / 2, 33 * SEG),
            (32 * SEG, 3 * SEG + 100),
            (n - 1, 1),
        ] {
            let got = read(&store, &id, off, len).await.unwrap();
            assert!(
                got == data[off as usize..(off + len) as usize],
                "{off}+{len}"
            );
        }
    }

    #[tokio::test]
    async fn plaintext_never_reaches_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let marker = b"PLAINTEXT-MARKER-5f1c9a7e-do-not-store".repeat(40_000);
        let mut w = store.create_sealed(&wrap()).await.unwrap();
        w.write(&marker).await.unwrap();
        // Mid-write (whatever batches have reached it), the file holds no plaintext either.
        let staged = std::fs::read(file_of(dir.path(), w.id())).unwrap();
        assert!(!staged.windows(16).any(|w| w == b"PLAINTEXT-MARKER"));
        let (id, _) = w.commit().await.unwrap();
        let bytes = std::fs::read(file_of(dir.path(), &id)).unwrap();
        assert!(!bytes.windows(16).any(|w| w == b"PLAINTEXT-MARKER"));
    }

    #[tokio::test]
    async fn any_flipped_byte_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let data = pattern(2 * SEG as usize + 10);
        let id = put(&store, &data, 50_000).await;
        let path = file_of(dir.path(), &id);
        let good = std::fs::read(&path).unwrap();
        for pos in [
            0,
            5,
            9,
            20,
            40,
            sealed::HEADER_LEN - 1,
            sealed::HEADER_LEN,
            good.len() / 2,
            good.len() - 1,
        ] {
            let mut bad = good.clone();
            bad[pos] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            assert!(
                read(&store, &id, 0, data.len() as u64).await.is_err(),
                "flip at {pos}"
            );
        }
    }

    #[tokio::test]
    async fn truncation_reorder_and_swaps_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let data = pattern(3 * SEG as usize);
        let id = put(&store, &data, 65_536).await;
        let path = file_of(dir.path(), &id);
        let good = std::fs::read(&path).unwrap();
        let h = sealed::HEADER_LEN;
        let stored = SEG as usize + 16;
        // Cut at a segment boundary: the new final segment was not sealed as the last.
        std::fs::write(&path, &good[..h + 2 * stored]).unwrap();
        assert!(read(&store, &id, 0, 2 * SEG).await.is_err());
        // Cut mid-segment.
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert!(read(&store, &id, 0, 3 * SEG - 3).await.is_err());
        // Segments 0 and 1 swapped.
        let mut swapped = good[..h].to_vec();
        swapped.extend_from_slice(&good[h + stored..h + 2 * stored]);
        swapped.extend_from_slice(&good[h..h + stored]);
        swapped.extend_from_slice(&good[h + 2 * stored..]);
        std::fs::write(&path, &swapped).unwrap();
        assert!(read(&store, &id, 0, SEG).await.is_err());
        // A segment taken from another blob.
        let other = put(&store, &data, 65_536).await;
        let other_bytes = std::fs::read(file_of(dir.path(), &other)).unwrap();
        let mut mixed = good.clone();
        mixed[h..h + stored].copy_from_slice(&other_bytes[h..h + stored]);
        std::fs::write(&path, &mixed).unwrap();
        assert!(read(&store, &id, 0, SEG).await.is_err());
        // A whole blob file moved over another id.
        std::fs::write(&path, &other_bytes).unwrap();
        assert!(read(&store, &id, 0, SEG).await.is_err());
        // A different master key cannot read it.
        std::fs::write(&path, &good).unwrap();
        assert!(read(&store, &id, 0, SEG).await.is_ok());
        let chunks = store
            .read_sealed(&id, &KeyWrap::derive(&[8u8; 32]), 0, 1)
            .await;
        assert!(chunks.is_err());
    }
}

#[cfg(test)]
mod speed {
    use super::*;
    use futures::StreamExt;

    fn cpu_seconds() -> f64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let rest = stat.rsplit(')').next().unwrap_or_default();
        let f: Vec<f64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
    }

    /// `cargo test --release -p cairn-blob -- --ignored --nocapture read_speed`: a 256 MiB blob
    /// read whole, plain and sealed, with no network: MiB/s and CPU seconds per GiB.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore]
    async fn read_speed() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).await.unwrap();
        let wrap = KeyWrap::derive(&[3; 32]);
        let n: u64 = 256 << 20;
        let chunk = vec![0x5au8; 1 << 20];
        let mut ids = Vec::new();
        for sealed in [false, true] {
            let mut w = if sealed {
                store.create_sealed(&wrap).await.unwrap()
            } else {
                store.create().await.unwrap()
            };
            for _ in 0..n >> 20 {
                w.write(&chunk).await.unwrap();
            }
            ids.push(w.commit().await.unwrap().0);
        }
        let rounds = 8;
        let (mut wall, mut cpu) = ([0f64; 2], [0f64; 2]);
        for _ in 0..rounds {
            for (k, id) in ids.iter().enumerate() {
                let (t, c) = (std::time::Instant::now(), cpu_seconds());
                let mut s = if k == 1 {
                    store.read_sealed(id, &wrap, 0, n).await.unwrap().boxed()
                } else {
                    store.read(id, 0, n).await.unwrap().boxed()
                };
                let mut got = 0u64;
                while let Some(b) = s.next().await {
                    got += b.unwrap().len() as u64;
                }
                assert_eq!(got, n);
                wall[k] += t.elapsed().as_secs_f64();
                cpu[k] += cpu_seconds() - c;
            }
        }
        let gib = (rounds * n) as f64 / f64::from(1u32 << 30);
        for (k, name) in ["plain", "sealed"].iter().enumerate() {
            println!(
                "{name:6}: {:6.0} MiB/s  CPU {:.3} s/GiB",
                gib * 1024.0 / wall[k],
                cpu[k] / gib
            );
        }
    }
}
