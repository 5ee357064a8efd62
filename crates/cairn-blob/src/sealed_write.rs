//! Writing a sealed blob: plaintext is gathered into a batch of whole segments laid out as they
//! will be stored (each followed by room for its tag), and a full batch is sealed in place and
//! written to the backend on the blocking pool while the next one fills.
//!
//! Why: a PUT's task is busy hashing the body (MD5, checksums); sealing there, then copying the
//! ciphertext through a write buffer and `tokio::fs`'s own buffer, put the encryption and two
//! copies on that one busy thread. Here the body is copied once, into the batch, and sealing
//! overlaps receiving and hashing the next batch.
//!
//! A full batch is shipped only once more bytes arrive, so that whatever segment ends the blob
//! is sealed as the last one (an empty blob is one empty final segment).

use crate::backend::StagedBlob;
use crate::sealed::{Opened, TAG_LEN};
use std::io;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Segments per batch: 1 MiB of plaintext with the default segment size.
const BATCH_SEGMENTS: usize = 16;

/// A batch being sealed and written; gives back the staged blob and the buffer for reuse.
type Writing = JoinHandle<io::Result<(Box<dyn StagedBlob>, Vec<u8>)>>;

pub(crate) struct SealedWrite {
    keys: Arc<Opened>,
    segment: usize,
    /// The header, until the first batch writes it.
    header: Option<Vec<u8>>,
    /// The filling batch: plaintext at `k * (segment + 16)` for segment `k`, tag room after each.
    batch: Vec<u8>,
    /// Plaintext bytes in `batch`.
    plain: usize,
    /// Index of `batch`'s first segment.
    first: u32,
    /// The staged blob, unless the batch being written holds it.
    file: Option<Box<dyn StagedBlob>>,
    writing: Option<Writing>,
}

impl SealedWrite {
    pub fn new(file: Box<dyn StagedBlob>, header: Vec<u8>, keys: Opened) -> Self {
        let segment = keys.segment_size as usize;
        SealedWrite {
            keys: Arc::new(keys),
            segment,
            header: Some(header),
            batch: Vec::new(),
            plain: 0,
            first: 0,
            file: Some(file),
            writing: None,
        }
    }

    fn capacity(&self) -> usize {
        BATCH_SEGMENTS * self.segment
    }

    /// Takes plaintext in.
    pub async fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            if self.plain == self.capacity() {
                self.ship(false).await?;
            }
            let (k, fill) = (self.plain / self.segment, self.plain % self.segment);
            let take = (self.segment - fill)
                .min(self.capacity() - self.plain)
                .min(data.len());
            let at = k * (self.segment + TAG_LEN) + fill;
            if self.batch.len() < at + take + TAG_LEN {
                self.batch.resize(at + take + TAG_LEN, 0);
            }
            self.batch[at..at + take].copy_from_slice(&data[..take]);
            self.plain += take;
            data = &data[take..];
        }
        Ok(())
    }

    /// Seals and writes what is left (its final segment as the last one) and hands the staged
    /// blob back, all of it written but not yet committed.
    pub async fn finish(mut self) -> io::Result<Box<dyn StagedBlob>> {
        self.ship(true).await?;
        self.wait().await?;
        self.file
            .take()
            .ok_or_else(|| io::Error::other("sealed blob file lost"))
    }

    /// Waits for the batch being written, taking back the file and a spare buffer.
    async fn wait(&mut self) -> io::Result<Option<Vec<u8>>> {
        let Some(writing) = self.writing.take() else {
            return Ok(None);
        };
        let (file, spare) = writing.await.map_err(io::Error::other)??;
        self.file = Some(file);
        Ok(Some(spare))
    }

    /// Hands the batch to the blocking pool to be sealed and written, once the previous one is.
    async fn ship(&mut self, last: bool) -> io::Result<()> {
        let spare = self.wait().await?.unwrap_or_default();
        let mut batch = std::mem::replace(&mut self.batch, spare);
        let plain = std::mem::take(&mut self.plain);
        // Segment lengths; the empty blob is one empty segment.
        let count = plain.div_ceil(self.segment).max(1);
        let lens: Vec<usize> = (0..count)
            .map(|k| (plain - k * self.segment).min(self.segment))
            .collect();
        let stored = (count - 1) * (self.segment + TAG_LEN) + lens[count - 1] + TAG_LEN;
        batch.resize(stored, 0);
        let first = self.first;
        self.first = u32::try_from(count)
            .ok()
            .and_then(|n| first.checked_add(n))
            .ok_or_else(|| io::Error::other("blob has too many segments"))?;
        let (keys, segment, header) = (Arc::clone(&self.keys), self.segment, self.header.take());
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("sealed blob file lost"))?;
        self.writing = Some(tokio::task::spawn_blocking(move || {
            for (k, &len) in lens.iter().enumerate() {
                let at = k * (segment + TAG_LEN);
                let index = first + k as u32;
                keys.seal(
                    index,
                    last && k + 1 == count,
                    &mut batch[at..at + len + TAG_LEN],
                )?;
            }
            if let Some(header) = header {
                file.write_blocking(&header)?;
            }
            file.write_blocking(&batch)?;
            Ok((file, batch))
        }));
        Ok(())
    }
}
