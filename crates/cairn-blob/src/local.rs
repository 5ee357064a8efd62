//! The default backend: blobs as files in a directory, possibly shared by several nodes.
//!
//! A blob is written in place, at `blobs/<2 hex>/<id>`, then fsynced with its directory. Writing
//! under `tmp/` and renaming cost a second journal commit per PUT on ext4 (the file's fsync, then
//! the rename's); in place, the file's fsync also commits its directory entry and the directory
//! fsync (kept for filesystems where it does not) finds nothing left to do. Nothing refers to a
//! blob before its commit returns: metadata is written only after, and ids are random. A crash
//! mid-write leaves an unreferenced file, which the orphan sweep removes (a lone node sweeps
//! everything from before its start; nodes sharing a directory, files idle for its margin).
//! `tmp/`, where earlier versions staged blobs, is still emptied at open.

use crate::backend::{BlobBackend, BlobReader, BlobStat, ByteStream, StagedBlob};
use std::io::{self, Seek, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::fs;
use tokio_util::io::ReaderStream;

/// Bytes gathered before a write reaches the file.
const WRITE_BUFFER: usize = 1 << 20;
/// Bytes read from the file at a time when streaming out.
const READ_CHUNK: usize = 256 << 10;

/// The blob directories of one Cairn data dir.
#[derive(Debug, Clone)]
pub struct LocalDir {
    blobs: PathBuf,
    tmp: PathBuf,
}

impl LocalDir {
    /// Opens `DIR/blobs` and `DIR/tmp`, creating them, and removes what a crash left in `tmp`.
    /// Only for a data dir this process alone writes.
    pub async fn open(data_dir: &Path) -> io::Result<Self> {
        Self::open_with(data_dir, None).await
    }

    /// Opens a data dir other nodes write too: only `tmp` files idle for longer than `idle`
    /// are leftovers (a live upload keeps touching its file), so another node's upload in
    /// progress is never removed.
    pub async fn open_shared(data_dir: &Path, idle: Duration) -> io::Result<Self> {
        Self::open_with(data_dir, Some(idle)).await
    }

    async fn open_with(data_dir: &Path, idle: Option<Duration>) -> io::Result<Self> {
        let dir = LocalDir {
            blobs: data_dir.join("blobs"),
            tmp: data_dir.join("tmp"),
        };
        fs::create_dir_all(&dir.blobs).await?;
        fs::create_dir_all(&dir.tmp).await?;
        // All 256 fan-out directories up front: a write never has to create one.
        for n in 0..=255u8 {
            fs::create_dir_all(dir.blobs.join(format!("{n:02x}"))).await?;
        }
        let cutoff = idle.and_then(|d| SystemTime::now().checked_sub(d));
        let mut leftovers = fs::read_dir(&dir.tmp).await?;
        while let Some(entry) = leftovers.next_entry().await? {
            let stale = match (idle, cutoff) {
                (None, _) => true,
                (Some(_), Some(cutoff)) => entry
                    .metadata()
                    .await
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < cutoff),
                (Some(_), None) => false,
            };
            if stale {
                let _ = fs::remove_file(entry.path()).await;
            }
        }
        Ok(dir)
    }

    fn path_of(&self, id: &str) -> io::Result<PathBuf> {
        // Ids are ours (hex uuids); anything else is refused rather than joined into a path.
        if id.len() < 3 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad blob id"));
        }
        Ok(self.blobs.join(&id[..2]).join(id))
    }
}

#[async_trait::async_trait]
impl BlobBackend for LocalDir {
    async fn stage(&self, id: &str) -> io::Result<Box<dyn StagedBlob>> {
        let path = self.path_of(id)?;
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        let file = match options.open(&path).await {
            // A fan-out directory removed by hand since start-up.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(path.parent().unwrap_or(&self.blobs)).await?;
                options.open(&path).await?
            }
            r => r?,
        };
        Ok(Box::new(StagedFile {
            file: Some(file.into_std().await),
            path,
            committed: false,
            buf: Vec::new(),
        }))
    }

    async fn open(&self, id: &str) -> io::Result<Box<dyn BlobReader>> {
        let file = fs::File::open(self.path_of(id)?).await?;
        let len = file.metadata().await?.len();
        Ok(Box::new(FileReader {
            file: file.into_std().await,
            len,
        }))
    }

    async fn stat(&self, id: &str) -> io::Result<BlobStat> {
        let meta = fs::metadata(self.path_of(id)?).await?;
        Ok(BlobStat {
            len: meta.len(),
            modified: meta.modified()?,
        })
    }

    async fn delete(&self, id: &str) -> io::Result<()> {
        match fs::remove_file(self.path_of(id)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    async fn list(&self) -> io::Result<Vec<(String, SystemTime)>> {
        let mut out = Vec::new();
        let mut dirs = fs::read_dir(&self.blobs).await?;
        while let Some(dir) = dirs.next_entry().await? {
            if !dir.file_type().await?.is_dir() {
                continue;
            }
            let mut files = fs::read_dir(dir.path()).await?;
            while let Some(file) = files.next_entry().await? {
                let name = file.file_name().to_string_lossy().to_string();
                let modified = file.metadata().await?.modified()?;
                out.push((name, modified));
            }
        }
        Ok(out)
    }
}

/// A blob file being written. Dropped uncommitted, it is removed.
struct StagedFile {
    /// With a write on the blocking pool while it is there.
    file: Option<std::fs::File>,
    path: PathBuf,
    committed: bool,
    /// Small writes gathered into one.
    buf: Vec<u8>,
}

fn lost() -> io::Error {
    io::Error::other("blob file lost to an interrupted write")
}

impl StagedFile {
    fn file(&mut self) -> io::Result<&mut std::fs::File> {
        self.file.as_mut().ok_or_else(lost)
    }

    /// Writes what is buffered, on the blocking pool (the buffer goes there and back, no copy).
    async fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut file = self.file.take().ok_or_else(lost)?;
        let mut buf = std::mem::take(&mut self.buf);
        let (file, buf, result) = tokio::task::spawn_blocking(move || {
            let result = file.write_all(&buf);
            buf.clear();
            (file, buf, result)
        })
        .await
        .map_err(io::Error::other)?;
        self.file = Some(file);
        self.buf = buf;
        result
    }
}

#[async_trait::async_trait]
impl StagedBlob for StagedFile {
    async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= WRITE_BUFFER {
            self.flush().await?;
        }
        Ok(())
    }

    fn write_blocking(&mut self, data: &[u8]) -> io::Result<()> {
        if !self.buf.is_empty() {
            let buf = std::mem::take(&mut self.buf);
            self.file()?.write_all(&buf)?;
        }
        self.file()?.write_all(data)
    }

    async fn commit(mut self: Box<Self>) -> io::Result<()> {
        self.flush().await?;
        let file = self.file.take().ok_or_else(lost)?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            file.sync_all()?;
            drop(file);
            std::fs::File::open(path.parent().unwrap_or(Path::new(".")))?.sync_all()
        })
        .await
        .map_err(io::Error::other)??;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An open blob file.
struct FileReader {
    file: std::fs::File,
    len: u64,
}

impl BlobReader for FileReader {
    fn size(&self) -> u64 {
        self.len
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        FileExt::read_exact_at(&self.file, buf, offset)
    }

    fn stream(self: Box<Self>, offset: u64, len: u64) -> ByteStream {
        let mut file = self.file;
        match file.seek(io::SeekFrom::Start(offset)) {
            Ok(_) => {
                use tokio::io::AsyncReadExt;
                let file = fs::File::from_std(file).take(len);
                Box::pin(ReaderStream::with_capacity(file, READ_CHUNK))
            }
            Err(e) => Box::pin(futures::stream::once(async move { Err(e) })),
        }
    }
}
