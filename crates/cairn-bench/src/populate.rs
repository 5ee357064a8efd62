//! `cairn-bench populate`: fills a stopped server's SQLite data dir with many objects quickly,
//! for the cost-growth runs (a million PUTs through S3 would take the better part of an hour).
//!
//! Each new object is a copy of a template object that the server itself wrote (through S3,
//! unencrypted, into an unversioned bucket): the same row in `objects` but for its key and its
//! blob id, and its own blob — a hard link to the template's file under a fresh id, so each
//! object can be overwritten or deleted on its own like any other. The rows are inserted in
//! batched transactions on the store's own schema (opened, and migrated if needed, by
//! `cairn_meta::SqlMeta` first), then read back through `SqlMeta` to check them. Sealed
//! (SSE-S3/SSE-C) templates are refused: a sealed blob's key wrap is bound to its id.

use cairn_meta::{ListFrom, MetaStore, Segment, SqlMeta, VersionStore};
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct PopulateArgs {
    /// The data dir of a stopped `cairn server` (SQLite metadata).
    #[arg(long)]
    pub data_dir: PathBuf,
    #[arg(long)]
    pub bucket: String,
    /// An unencrypted object in that bucket to copy.
    #[arg(long, default_value = "template")]
    pub template: String,
    /// New keys are PREFIX + an 8-digit number, from `--from` (inclusive) to `--to`.
    #[arg(long, default_value = "p/")]
    pub prefix: String,
    #[arg(long, default_value_t = 0)]
    pub from: u64,
    #[arg(long)]
    pub to: u64,
}

fn blob_path(dir: &Path, id: &str) -> PathBuf {
    dir.join("blobs").join(&id[..2]).join(id)
}

pub async fn populate(args: PopulateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let meta = SqlMeta::open_sqlite(&args.data_dir).await?;
    let template = meta
        .get_object(&args.bucket, &args.template)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no object {}/{}", args.bucket, args.template))?;
    anyhow::ensure!(
        template.attrs.server_side_encryption.is_none(),
        "the template is sealed; write it to a server started with --no-default-encryption"
    );
    anyhow::ensure!(
        meta.versioning(&args.bucket).await? == cairn_meta::Versioning::Unversioned,
        "the bucket must be unversioned (objects only, no version rows)"
    );
    let [segment] = template.layout.as_slice() else {
        anyhow::bail!("the template must be a single-part object");
    };
    let source = blob_path(&args.data_dir, &segment.blob);
    anyhow::ensure!(
        source.is_file(),
        "template blob {} missing",
        source.display()
    );
    meta.close().await;

    let url = format!("sqlite://{}", args.data_dir.join("meta.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    sqlx::query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .await?;
    let attrs = serde_json::to_string(&template.attrs)?;
    let tags = serde_json::to_string(&template.tags)?;
    const BATCH: u64 = 20_000;
    let mut n = args.from;
    while n < args.to {
        let end = (n + BATCH).min(args.to);
        let ids: Vec<String> = (n..end)
            .map(|_| uuid::Uuid::new_v4().simple().to_string())
            .collect();
        // Blobs first: a row never points at a missing file (a crash leaves orphans only).
        let (dir, mut src, links) = (args.data_dir.clone(), source.clone(), ids.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            for id in &links {
                let dest = blob_path(&dir, id);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                match std::fs::hard_link(&src, &dest) {
                    // ext4 allows 65,000 links per inode: past that, a copy is the next template.
                    Err(e) if e.raw_os_error() == Some(31) => {
                        std::fs::copy(&src, &dest)?;
                        src = dest;
                    }
                    other => other?,
                }
            }
            Ok(())
        })
        .await??;
        let mut tx = conn.begin().await?;
        for (i, id) in (n..end).zip(&ids) {
            let layout = serde_json::to_string(&[Segment {
                blob: id.clone(),
                size: segment.size,
            }])?;
            sqlx::query(
                "INSERT INTO objects (bucket, object_key, version_id, size, etag, last_modified, layout, attrs, tags) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&args.bucket)
            .bind(format!("{}{i:08}", args.prefix))
            .bind(&template.version_id)
            .bind(template.size as i64)
            .bind(&template.etag)
            .bind(template.last_modified)
            .bind(&layout)
            .bind(&attrs)
            .bind(&tags)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        n = end;
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;

    // Read back through the store: the last key, and a page at the start of the prefix.
    let meta = SqlMeta::open_sqlite(&args.data_dir).await?;
    if args.to > args.from {
        let last = format!("{}{:08}", args.prefix, args.to - 1);
        let obj = meta
            .get_object(&args.bucket, &last)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{last} not found after populating"))?;
        anyhow::ensure!(obj.etag == template.etag && obj.size == template.size);
        let [seg] = obj.layout.as_slice() else {
            anyhow::bail!("{last}: unexpected layout");
        };
        anyhow::ensure!(blob_path(&args.data_dir, &seg.blob).is_file());
        let page = meta
            .list_objects(
                &args.bucket,
                &ListFrom {
                    prefix: args.prefix.clone(),
                    after: None,
                    at_or_after: None,
                },
                1000,
            )
            .await?;
        anyhow::ensure!(!page.is_empty(), "listing {} is empty", args.prefix);
    }
    meta.close().await;
    println!(
        "populated {}/{}{:08}..{:08} ({} objects of {} bytes) in {:.1} s",
        args.bucket,
        args.prefix,
        args.from,
        args.to,
        args.to.saturating_sub(args.from),
        template.size,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
