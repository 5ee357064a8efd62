//! Group commit for SQLite: many transactions, one fsync of the write-ahead log.
//!
//! SQLite runs with `synchronous = NORMAL`: a commit appends its frames to `meta.db-wal` without
//! syncing. `synchronous = FULL` would add one fsync of that file per commit, made while the
//! writer still holds the database's write lock, so writers queued behind each other's fsyncs
//! (one disk flush per PUT). Here a committed writer releases the lock first and then waits for
//! an fsync of the WAL that *started* after its commit: while one fsync runs, every writer that
//! commits meanwhile waits for the next one, which covers them all. A write is acknowledged only
//! after such an fsync, so an acknowledged write survives power loss as with FULL.
//!
//! The WAL file is opened afresh for each fsync: SQLite removes it when its last connection
//! closes (after checkpointing it into the synced database file) and creates a new one later.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Mutex;

pub(crate) struct GroupSync {
    wal: PathBuf,
    /// Commits counted so far; a writer takes its number right after its commit returned.
    committed: AtomicU64,
    /// The highest commit number an fsync is known to cover; held while an fsync runs.
    synced: Mutex<u64>,
}

impl GroupSync {
    pub fn new(wal: PathBuf) -> Self {
        GroupSync {
            wal,
            committed: AtomicU64::new(0),
            synced: Mutex::new(0),
        }
    }

    /// Returns once an fsync of the WAL that began after the caller's commit has finished.
    pub async fn after_commit(&self) -> io::Result<()> {
        let mine = self.committed.fetch_add(1, Ordering::SeqCst) + 1;
        let mut synced = self.synced.lock().await;
        if *synced >= mine {
            return Ok(());
        }
        // Every commit counted by now is in the WAL: this fsync covers them all.
        let upto = self.committed.load(Ordering::SeqCst);
        let wal = self.wal.clone();
        tokio::task::spawn_blocking(move || match std::fs::File::open(&wal) {
            Ok(f) => f.sync_data(),
            // No WAL: the last connection closed and checkpointed it into the database file,
            // which SQLite synced before removing the log.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        })
        .await
        .map_err(io::Error::other)??;
        *synced = upto;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn concurrent_commits_share_fsyncs_and_all_return() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("meta.db-wal");
        std::fs::write(&wal, b"frames").unwrap();
        let sync = Arc::new(GroupSync::new(wal));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let s = sync.clone();
                tokio::spawn(async move { s.after_commit().await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(
            *sync.synced.lock().await,
            64,
            "the last fsync covers every commit"
        );
    }

    #[tokio::test]
    async fn a_missing_log_needs_no_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let sync = GroupSync::new(dir.path().join("meta.db-wal"));
        sync.after_commit().await.unwrap();
    }
}
