//! Orphan clean-up: a crash between writing a blob and committing its metadata (or between a
//! commit and deleting the blobs it replaced) leaves a file no metadata refers to. After start-up
//! Cairn removes such files — only ones older than a safety margin, so a blob written just now
//! whose commit is still on its way is never touched.

use crate::state::State;
use std::time::{Duration, SystemTime};

/// Files younger than this are never swept.
pub const MARGIN: Duration = Duration::from_secs(10 * 60);

/// Removes unreferenced blobs last modified before `cutoff`; returns how many went.
pub async fn sweep(state: &State, cutoff: SystemTime) -> anyhow::Result<usize> {
    // List first, then read the references: a blob committed in between is referenced.
    let files = state.blobs.list().await?;
    let referenced = state.meta.referenced_blobs().await?;
    let mut removed = 0;
    for (id, modified) in files {
        if modified < cutoff && !referenced.contains(&id) {
            state.blobs.delete(&id).await?;
            removed += 1;
        }
    }
    Ok(removed)
}
