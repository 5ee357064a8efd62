//! [`MetaStore`] on SQL: one implementation, two backends (SQLite, PostgreSQL) chosen by URL.
//!
//! The statements are the same on both; what differs is kept here: SQLite serialises writers
//! in-process (one process owns the file, and SQLite's own lock would answer `SQLITE_BUSY`
//! instead of waiting), PostgreSQL locks rows with `FOR UPDATE` so several nodes can share it.

use crate::bucket_cache::{BucketCache, BucketView};
use crate::group_sync::GroupSync;
use crate::model::*;
use crate::schema::MIGRATIONS;
use crate::store::MetaStore;
use crate::{MetaError, Result};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The SQL metadata store.
pub struct SqlMeta {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite only: one writer at a time.
    write_lock: Option<Mutex<()>>,
    /// SQLite only: buckets' records and sub-resources, forgotten on each change.
    buckets: Option<BucketCache>,
    /// SQLite only: the group fsync of the write-ahead log that makes commits durable.
    wal: Option<GroupSync>,
}

/// A write transaction, holding SQLite's in-process write lock while it lives.
pub(crate) struct WriteTx<'a> {
    pub(crate) tx: Transaction<'static, Any>,
    guard: Option<MutexGuard<'a, ()>>,
    wal: Option<&'a GroupSync>,
}

impl WriteTx<'_> {
    /// Commits; returns once the change is durable. On SQLite the write lock goes first, so the
    /// next writer runs while this one waits for the log's group fsync.
    pub(crate) async fn commit(self) -> Result<()> {
        let WriteTx { tx, guard, wal } = self;
        tx.commit().await?;
        drop(guard);
        if let Some(wal) = wal {
            wal.after_commit().await?;
        }
        Ok(())
    }
}

pub(crate) const OBJECT_COLUMNS: &str =
    "bucket, object_key, version_id, size, etag, last_modified, layout, attrs, tags";
const UPLOAD_COLUMNS: &str = "upload_id, bucket, object_key, initiated, attrs, tags, initiator";
const PART_COLUMNS: &str = "upload_id, part_number, size, etag, blob, checksums, last_modified";

impl SqlMeta {
    /// Opens (creating if needed) the SQLite database `DIR/meta.db`.
    pub async fn open_sqlite(dir: &Path) -> Result<Self> {
        let path = dir.join("meta.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::connect(&url).await
    }

    /// Connects to `sqlite://…` or `postgres://…` and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let mut options = AnyPoolOptions::new();
        options = match backend {
            Backend::Sqlite => options.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    // First, so that the pragmas below wait for a writer instead of failing.
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    // NORMAL: commits do not fsync the log; `WriteTx::commit` does, for many
                    // commits at once (group_sync.rs), before the client hears "200 OK".
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            }),
            // While the database is unreachable a request waits this long for it to come back
            // (sqlx retries refused connections), then fails: the server answers a retryable
            // 503 instead of holding the client for sqlx's default 30 s.
            Backend::Postgres => options
                .max_connections(16)
                .acquire_timeout(std::time::Duration::from_secs(5)),
        };
        let pool = options.connect(url).await?;
        let store = SqlMeta {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Mutex::new(())),
            buckets: (backend == Backend::Sqlite).then(BucketCache::default),
            wal: match backend {
                Backend::Sqlite => Some(GroupSync::new(wal_path(url)?)),
                Backend::Postgres => None,
            },
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Closes every connection (e.g. before the database is dropped).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Nodes starting together migrate one at a time.
            sqlx::query("SELECT pg_advisory_lock(7235146)")
                .execute(&mut *conn)
                .await?;
        }
        let result = async {
            sqlx::query("CREATE TABLE IF NOT EXISTS cairn_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                .execute(&mut *conn)
                .await?;
            let done: Option<String> = sqlx::query("SELECT value FROM cairn_settings WHERE name = 'schema_version'")
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            let done: usize = done.and_then(|v| v.parse().ok()).unwrap_or(0);
            let bytes = match self.backend {
                Backend::Sqlite => "",
                Backend::Postgres => "COLLATE \"C\"",
            };
            for (i, migration) in MIGRATIONS.iter().enumerate().skip(done) {
                for statement in migration.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    sqlx::query(&statement.replace("{BYTES}", bytes)).execute(&mut *conn).await?;
                }
                sqlx::query(
                    "INSERT INTO cairn_settings (name, value) VALUES ('schema_version', $1) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind((i + 1).to_string())
                .execute(&mut *conn)
                .await?;
            }
            Ok::<_, MetaError>(())
        }
        .await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock(7235146)")
                .execute(&mut *conn)
                .await?;
        }
        result
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        // SQLite: take the write lock at BEGIN, where busy_timeout applies. A deferred
        // transaction upgrading to a writer fails at once with SQLITE_BUSY while another
        // connection still finishes a dropped transaction's rollback.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            guard,
            wal: self.wal.as_ref(),
        })
    }

    /// Row-lock suffix for reads inside a write transaction.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// The bucket's record and sub-resources: from memory on SQLite, else `None` (read through).
    pub(crate) async fn bucket_view(&self, name: &str) -> Result<Option<Arc<BucketView>>> {
        let Some(cache) = &self.buckets else {
            return Ok(None);
        };
        if let Some(view) = cache.get(name) {
            return Ok(Some(view));
        }
        let loaded_at = cache.epoch();
        let bucket = self.read_bucket(name).await?;
        let rows = sqlx::query("SELECT kind, value FROM bucket_configs WHERE bucket = $1")
            .bind(name)
            .fetch_all(&self.pool)
            .await?;
        let configs = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
        let view = Arc::new(BucketView { bucket, configs });
        cache.put(name, loaded_at, view.clone());
        Ok(Some(view))
    }

    /// After a change to a bucket's record or sub-resources (or a failed attempt: forgetting
    /// too much costs one read).
    pub(crate) fn bucket_changed(&self, name: &str) {
        if let Some(cache) = &self.buckets {
            cache.forget(name);
        }
    }

    async fn read_bucket(&self, name: &str) -> Result<Option<Bucket>> {
        let row = sqlx::query("SELECT name, account_id, region, created, object_ownership FROM buckets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(bucket_from_row).transpose()
    }

    /// Runs one statement in its own write transaction; `NoSuchEntity` when it touched no row.
    pub(crate) async fn execute_one<'q>(
        &self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if query.execute(&mut *tx.tx).await?.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Serialises writers of one key for the rest of the transaction. SQLite already has a
    /// single writer; on PostgreSQL, concurrent writers of a key (several nodes) would otherwise
    /// both read the same newest version and give two versions one sequence number.
    pub(crate) async fn lock_object(
        &self,
        tx: &mut WriteTx<'_>,
        bucket: &str,
        key: &str,
    ) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("{bucket}/{key}"))
                .execute(&mut *tx.tx)
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn bucket_exists_locked(
        &self,
        tx: &mut WriteTx<'_>,
        bucket: &str,
    ) -> Result<()> {
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR SHARE",
        };
        let found = sqlx::query(&format!("SELECT 1 FROM buckets WHERE name = $1{lock}"))
            .bind(bucket)
            .fetch_optional(&mut *tx.tx)
            .await?;
        found.map(|_| ()).ok_or(MetaError::NoSuchBucket)
    }
}

/// `DIR/meta.db-wal` for `sqlite://DIR/meta.db?…`: where SQLite keeps the write-ahead log.
fn wal_path(url: &str) -> Result<std::path::PathBuf> {
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|f| !f.is_empty() && *f != ":memory:")
        .ok_or_else(|| MetaError::Corrupt(format!("not a SQLite file URL: {url}")))?;
    Ok(std::path::PathBuf::from(format!("{file}-wal")))
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn tags_from_json(s: &str) -> Result<Tags> {
    Ok(serde_json::from_str(s)?)
}

pub(crate) fn object_from_row(row: &AnyRow) -> Result<ObjectRecord> {
    Ok(ObjectRecord {
        bucket: row.try_get("bucket")?,
        key: row.try_get("object_key")?,
        version_id: row.try_get("version_id")?,
        size: to_u64(row.try_get("size")?),
        etag: row.try_get("etag")?,
        last_modified: row.try_get("last_modified")?,
        layout: serde_json::from_str(&row.try_get::<String, _>("layout")?)?,
        attrs: serde_json::from_str(&row.try_get::<String, _>("attrs")?)?,
        tags: tags_from_json(&row.try_get::<String, _>("tags")?)?,
    })
}

fn upload_from_row(row: &AnyRow) -> Result<UploadRecord> {
    Ok(UploadRecord {
        upload_id: row.try_get("upload_id")?,
        bucket: row.try_get("bucket")?,
        key: row.try_get("object_key")?,
        initiated: row.try_get("initiated")?,
        attrs: serde_json::from_str(&row.try_get::<String, _>("attrs")?)?,
        tags: tags_from_json(&row.try_get::<String, _>("tags")?)?,
        initiator: row.try_get("initiator")?,
    })
}

fn part_from_row(row: &AnyRow) -> Result<PartRecord> {
    Ok(PartRecord {
        upload_id: row.try_get("upload_id")?,
        part_number: u32::try_from(row.try_get::<i64, _>("part_number")?).unwrap_or(0),
        size: to_u64(row.try_get("size")?),
        etag: row.try_get("etag")?,
        blob: row.try_get("blob")?,
        checksums: serde_json::from_str(&row.try_get::<String, _>("checksums")?)?,
        last_modified: row.try_get("last_modified")?,
    })
}

pub(crate) fn access_key_from_row(r: &AnyRow) -> Result<AccessKey> {
    Ok(AccessKey {
        access_key_id: r.try_get("access_key_id")?,
        secret_enc: r.try_get("secret_enc")?,
        account_id: r.try_get("account_id")?,
        user_name: r.try_get("user_name")?,
        status: r.try_get("status")?,
        created: r.try_get("created")?,
    })
}

fn bucket_from_row(row: &AnyRow) -> Result<Bucket> {
    Ok(Bucket {
        name: row.try_get("name")?,
        account_id: row.try_get("account_id")?,
        region: row.try_get("region")?,
        created: row.try_get("created")?,
        object_ownership: row.try_get("object_ownership")?,
    })
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The smallest string greater than every string that starts with `prefix`, or `None` when
/// there is none (empty prefix). UTF-8 preserves code-point order, so bumping the last code point
/// gives a bound that is also right for byte order.
pub fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[async_trait::async_trait]
impl MetaStore for SqlMeta {
    async fn first_account(&self) -> Result<Option<Account>> {
        let row =
            sqlx::query("SELECT id, name, created FROM accounts ORDER BY created, id LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(Account {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created: r.try_get("created")?,
            })
        })
        .transpose()
    }

    async fn list_accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query("SELECT id, name, created FROM accounts ORDER BY created, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Account {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created: r.try_get("created")?,
                })
            })
            .collect()
    }

    async fn create_account(&self, account: &Account) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query("INSERT INTO accounts (id, name, created) VALUES ($1, $2, $3)")
            .bind(&account.id)
            .bind(account.name.clone())
            .bind(account.created)
            .execute(&mut *tx.tx)
            .await;
        match res {
            Err(e) if is_unique_violation(&e) => return Err(MetaError::AlreadyExists),
            r => r?,
        };
        tx.commit().await?;
        Ok(())
    }

    async fn put_access_key(&self, key: &AccessKey) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(
            "INSERT INTO access_keys (access_key_id, secret_enc, account_id, user_name, status, created) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.access_key_id)
        .bind(&key.secret_enc)
        .bind(&key.account_id)
        .bind(key.user_name.clone())
        .bind(&key.status)
        .bind(key.created)
        .execute(&mut *tx.tx)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => return Err(MetaError::AlreadyExists),
            r => r?,
        };
        tx.commit().await?;
        Ok(())
    }

    async fn get_access_key(&self, access_key_id: &str) -> Result<Option<AccessKey>> {
        let row = sqlx::query(
            "SELECT access_key_id, secret_enc, account_id, user_name, status, created \
             FROM access_keys WHERE access_key_id = $1",
        )
        .bind(access_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(access_key_from_row).transpose()
    }

    async fn get_setting(&self, name: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM cairn_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn put_setting(&self, name: &str, value: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO cairn_settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_key_use(
        &self,
        access_key_id: &str,
        used_ms: i64,
        service: &str,
        region: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO access_key_usage (access_key_id, used, service, region) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (access_key_id) DO UPDATE SET used = excluded.used, service = excluded.service, \
             region = excluded.region WHERE access_key_usage.used < excluded.used",
        )
        .bind(access_key_id)
        .bind(used_ms)
        .bind(service)
        .bind(region)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn key_use(&self, access_key_id: &str) -> Result<Option<(i64, String, String)>> {
        let row = sqlx::query(
            "SELECT used, service, region FROM access_key_usage WHERE access_key_id = $1",
        )
        .bind(access_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .transpose()
    }

    async fn claim_setting(&self, name: &str, value: &str) -> Result<String> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO cairn_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx.tx)
        .await?;
        let row = sqlx::query("SELECT value FROM cairn_settings WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(row.try_get(0)?)
    }

    async fn try_lease(&self, name: &str, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<bool> {
        let key = format!("lease:{name}");
        let mut tx = self.begin_write().await?;
        let current: Option<String> = sqlx::query(&format!(
            "SELECT value FROM cairn_settings WHERE name = $1{}",
            self.for_update()
        ))
        .bind(&key)
        .fetch_optional(&mut *tx.tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        // Stored as `EXPIRES_MS HOLDER`.
        let free = match current.as_deref().and_then(|v| v.split_once(' ')) {
            None => true,
            Some((expires, owner)) => {
                owner == holder || expires.parse::<i64>().map_or(true, |e| e < now_ms)
            }
        };
        if !free {
            return Ok(false);
        }
        let value = format!("{} {holder}", now_ms.saturating_add(ttl_ms));
        let taken = match current {
            // Compare-and-set: another node's renewal in between makes this a no-op.
            Some(old) => {
                sqlx::query("UPDATE cairn_settings SET value = $2 WHERE name = $1 AND value = $3")
                    .bind(&key)
                    .bind(&value)
                    .bind(&old)
                    .execute(&mut *tx.tx)
                    .await?
                    .rows_affected()
                    == 1
            }
            None => {
                let res = sqlx::query("INSERT INTO cairn_settings (name, value) VALUES ($1, $2)")
                    .bind(&key)
                    .bind(&value)
                    .execute(&mut *tx.tx)
                    .await;
                match res {
                    // Another node took the first lease at the same moment.
                    Err(e) if is_unique_violation(&e) => false,
                    r => r.map(|_| true)?,
                }
            }
        };
        if taken {
            tx.commit().await?;
        }
        Ok(taken)
    }

    async fn counter(&self, name: &str) -> Result<u64> {
        let key = format!("counter:{name}");
        let value = self.get_setting(&key).await?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    async fn bump_counter(&self, name: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO cairn_settings (name, value) VALUES ($1, '1') \
             ON CONFLICT (name) DO UPDATE SET value = CAST(CAST(cairn_settings.value AS BIGINT) + 1 AS TEXT) \
             RETURNING value",
        )
        .bind(format!("counter:{name}"))
        .fetch_one(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        let value: String = row.try_get(0)?;
        value
            .parse()
            .map_err(|_| MetaError::Corrupt(format!("counter {name}: {value}")))
    }

    async fn create_bucket_with(&self, bucket: &Bucket, configs: &[(&str, &str)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT account_id FROM buckets WHERE name = $1")
            .bind(&bucket.name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if let Some(row) = existing {
            return Err(MetaError::BucketExists {
                owner: row.try_get(0)?,
            });
        }
        let res = sqlx::query(
            "INSERT INTO buckets (name, account_id, region, created, object_ownership) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&bucket.name)
        .bind(&bucket.account_id)
        .bind(&bucket.region)
        .bind(bucket.created)
        .bind(&bucket.object_ownership)
        .execute(&mut *tx.tx)
        .await;
        match res {
            // Another node won the race for the name.
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let owner = self
                    .get_bucket(&bucket.name)
                    .await?
                    .map(|b| b.account_id)
                    .unwrap_or_default();
                return Err(MetaError::BucketExists { owner });
            }
            r => r?,
        };
        for (kind, value) in configs {
            sqlx::query("INSERT INTO bucket_configs (bucket, kind, value) VALUES ($1, $2, $3)")
                .bind(&bucket.name)
                .bind(*kind)
                .bind(*value)
                .execute(&mut *tx.tx)
                .await?;
        }
        // Forgotten even when only the fsync failed: the change is visible already.
        let committed = tx.commit().await;
        self.bucket_changed(&bucket.name);
        committed?;
        Ok(())
    }

    async fn get_bucket(&self, name: &str) -> Result<Option<Bucket>> {
        match self.bucket_view(name).await? {
            Some(view) => Ok(view.bucket.clone()),
            None => self.read_bucket(name).await,
        }
    }

    async fn list_buckets(&self, account_id: &str) -> Result<Vec<Bucket>> {
        let rows = sqlx::query(
            "SELECT name, account_id, region, created, object_ownership FROM buckets WHERE account_id = $1 ORDER BY name",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(bucket_from_row).collect()
    }

    async fn delete_bucket(&self, name: &str) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        let found = sqlx::query(&format!(
            "SELECT 1 FROM buckets WHERE name = $1{}",
            self.for_update()
        ))
        .bind(name)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if found.is_none() {
            return Err(MetaError::NoSuchBucket);
        }
        let busy = sqlx::query(
            "SELECT 1 FROM objects WHERE bucket = $1 \
             UNION ALL SELECT 1 FROM object_versions WHERE bucket = $1 LIMIT 1",
        )
        .bind(name)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if busy.is_some() {
            return Err(MetaError::BucketNotEmpty);
        }
        let parts = sqlx::query(
            "DELETE FROM upload_parts WHERE upload_id IN \
             (SELECT upload_id FROM uploads WHERE bucket = $1) RETURNING blob, size",
        )
        .bind(name)
        .fetch_all(&mut *tx.tx)
        .await?;
        sqlx::query("DELETE FROM uploads WHERE bucket = $1")
            .bind(name)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM bucket_configs WHERE bucket = $1")
            .bind(name)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM buckets WHERE name = $1")
            .bind(name)
            .execute(&mut *tx.tx)
            .await?;
        // Forgotten even when only the fsync failed: the change is visible already.
        let committed = tx.commit().await;
        self.bucket_changed(name);
        committed?;
        parts
            .iter()
            .map(|r| {
                Ok(Segment {
                    blob: r.try_get("blob")?,
                    size: to_u64(r.try_get("size")?),
                })
            })
            .collect()
    }

    async fn get_bucket_config(&self, bucket: &str, kind: &str) -> Result<Option<String>> {
        if let Some(view) = self.bucket_view(bucket).await? {
            return Ok(view.configs.get(kind).cloned());
        }
        let row = sqlx::query("SELECT value FROM bucket_configs WHERE bucket = $1 AND kind = $2")
            .bind(bucket)
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn put_bucket_config(&self, bucket: &str, kind: &str, value: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, bucket).await?;
        match value {
            Some(value) => {
                sqlx::query(
                    "INSERT INTO bucket_configs (bucket, kind, value) VALUES ($1, $2, $3) \
                     ON CONFLICT (bucket, kind) DO UPDATE SET value = excluded.value",
                )
                .bind(bucket)
                .bind(kind)
                .bind(value)
                .execute(&mut *tx.tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM bucket_configs WHERE bucket = $1 AND kind = $2")
                    .bind(bucket)
                    .bind(kind)
                    .execute(&mut *tx.tx)
                    .await?;
            }
        }
        // Forgotten even when only the fsync failed: the change is visible already.
        let committed = tx.commit().await;
        self.bucket_changed(bucket);
        committed?;
        Ok(())
    }

    async fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = $1 AND object_key = $2"
        ))
        .bind(bucket)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(object_from_row).transpose()
    }

    async fn put_object(&self, object: &ObjectRecord) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, &object.bucket).await?;
        let old = replace_object(&mut tx, object, self.for_update()).await?;
        tx.commit().await?;
        Ok(old)
    }

    async fn delete_object(&self, bucket: &str, key: &str) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "DELETE FROM objects WHERE bucket = $1 AND object_key = $2 RETURNING layout",
        )
        .bind(bucket)
        .bind(key)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let old = match row {
            Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)?,
            None => Vec::new(),
        };
        tx.commit().await?;
        Ok(old)
    }

    async fn put_object_tags(&self, bucket: &str, key: &str, tags: &Tags) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE objects SET tags = $3 WHERE bucket = $1 AND object_key = $2")
                .bind(bucket)
                .bind(key)
                .bind(serde_json::to_string(tags)?)
                .execute(&mut *tx.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchKey);
        }
        // Keep the stored copy of the current version in step.
        sqlx::query(
            "UPDATE object_versions SET tags = $3 WHERE bucket = $1 AND object_key = $2 AND version_id = \
             (SELECT version_id FROM objects WHERE bucket = $1 AND object_key = $2)",
        )
        .bind(bucket)
        .bind(key)
        .bind(serde_json::to_string(tags)?)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_objects(
        &self,
        bucket: &str,
        from: &ListFrom,
        limit: usize,
    ) -> Result<Vec<ObjectRecord>> {
        let lower = match &from.at_or_after {
            Some(k) if k.as_str() > from.prefix.as_str() => k.clone(),
            _ => from.prefix.clone(),
        };
        let upper = prefix_successor(&from.prefix);
        let mut sql =
            format!("SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = $1 AND object_key >= $2");
        let mut n = 2;
        if from.after.is_some() {
            n += 1;
            sql.push_str(&format!(" AND object_key > ${n}"));
        }
        if upper.is_some() {
            n += 1;
            sql.push_str(&format!(" AND object_key < ${n}"));
        }
        sql.push_str(&format!(" ORDER BY object_key LIMIT {}", limit.max(1)));
        let mut query = sqlx::query(&sql).bind(bucket).bind(lower);
        if let Some(after) = &from.after {
            query = query.bind(after.clone());
        }
        if let Some(upper) = upper {
            query = query.bind(upper);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(object_from_row).collect()
    }

    async fn referenced_blobs(&self) -> Result<std::collections::HashSet<String>> {
        let mut all = std::collections::HashSet::new();
        let layouts =
            sqlx::query("SELECT layout FROM objects UNION ALL SELECT layout FROM object_versions")
                .fetch_all(&self.pool)
                .await?;
        for row in layouts {
            let segments: Vec<Segment> = serde_json::from_str(&row.try_get::<String, _>(0)?)?;
            all.extend(segments.into_iter().map(|s| s.blob));
        }
        let parts = sqlx::query("SELECT blob FROM upload_parts")
            .fetch_all(&self.pool)
            .await?;
        for row in parts {
            all.insert(row.try_get::<String, _>(0)?);
        }
        Ok(all)
    }

    async fn create_upload(&self, upload: &UploadRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, &upload.bucket).await?;
        sqlx::query(&format!(
            "INSERT INTO uploads ({UPLOAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(&upload.upload_id)
        .bind(&upload.bucket)
        .bind(&upload.key)
        .bind(upload.initiated)
        .bind(serde_json::to_string(&upload.attrs)?)
        .bind(serde_json::to_string(&upload.tags)?)
        .bind(&upload.initiator)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_upload(&self, upload_id: &str) -> Result<Option<UploadRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE upload_id = $1"
        ))
        .bind(upload_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(upload_from_row).transpose()
    }

    async fn put_part(&self, part: &PartRecord) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        let lock = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR SHARE",
        };
        let upload = sqlx::query(&format!("SELECT 1 FROM uploads WHERE upload_id = $1{lock}"))
            .bind(&part.upload_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if upload.is_none() {
            return Err(MetaError::NoSuchUpload);
        }
        let old = sqlx::query(&format!(
            "SELECT blob, size FROM upload_parts WHERE upload_id = $1 AND part_number = $2{}",
            self.for_update()
        ))
        .bind(&part.upload_id)
        .bind(i64::from(part.part_number))
        .fetch_optional(&mut *tx.tx)
        .await?;
        let old = match old {
            Some(r) => vec![Segment {
                blob: r.try_get("blob")?,
                size: to_u64(r.try_get("size")?),
            }],
            None => Vec::new(),
        };
        sqlx::query(&format!(
            "INSERT INTO upload_parts ({PART_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag, \
             blob = excluded.blob, checksums = excluded.checksums, last_modified = excluded.last_modified"
        ))
        .bind(&part.upload_id)
        .bind(i64::from(part.part_number))
        .bind(to_i64(part.size))
        .bind(&part.etag)
        .bind(&part.blob)
        .bind(serde_json::to_string(&part.checksums)?)
        .bind(part.last_modified)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(old)
    }

    async fn list_parts(
        &self,
        upload_id: &str,
        after: u32,
        limit: usize,
    ) -> Result<Vec<PartRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {PART_COLUMNS} FROM upload_parts WHERE upload_id = $1 AND part_number > $2 \
             ORDER BY part_number LIMIT {}",
            limit.max(1)
        ))
        .bind(upload_id)
        .bind(i64::from(after))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(part_from_row).collect()
    }

    async fn list_uploads(
        &self,
        bucket: &str,
        prefix: &str,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UploadRecord>> {
        // Position after the marker: later keys, or the same key with a later (initiated, id).
        let marker_initiated = match (key_marker, upload_id_marker) {
            (Some(_), Some(id)) => self.get_upload(id).await?.map(|u| u.initiated),
            _ => None,
        };
        let mut sql =
            format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE bucket = $1 AND object_key >= $2");
        let upper = prefix_successor(prefix);
        let mut n = 2;
        if upper.is_some() {
            n += 1;
            sql.push_str(&format!(" AND object_key < ${n}"));
        }
        if key_marker.is_some() {
            n += 1;
            let k = n;
            match (marker_initiated, upload_id_marker) {
                (Some(_), Some(_)) => {
                    sql.push_str(&format!(
                        " AND (object_key > ${k} OR (object_key = ${k} AND (initiated > ${} OR (initiated = ${} AND upload_id > ${}))))",
                        k + 1,
                        k + 1,
                        k + 2
                    ));
                }
                _ => sql.push_str(&format!(" AND object_key > ${k}")),
            }
        }
        sql.push_str(&format!(
            " ORDER BY object_key, initiated, upload_id LIMIT {}",
            limit.max(1)
        ));
        let mut query = sqlx::query(&sql).bind(bucket).bind(prefix);
        if let Some(upper) = upper {
            query = query.bind(upper);
        }
        if let Some(marker) = key_marker {
            query = query.bind(marker);
            if let (Some(initiated), Some(id)) = (marker_initiated, upload_id_marker) {
                query = query.bind(initiated).bind(id);
            }
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(upload_from_row).collect()
    }

    async fn complete_upload(
        &self,
        upload_id: &str,
        object: &ObjectRecord,
    ) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        let upload = sqlx::query(&format!(
            "SELECT 1 FROM uploads WHERE upload_id = $1{}",
            self.for_update()
        ))
        .bind(upload_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if upload.is_none() {
            return Err(MetaError::NoSuchUpload);
        }
        self.bucket_exists_locked(&mut tx, &object.bucket).await?;
        let parts =
            sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1 RETURNING blob, size")
                .bind(upload_id)
                .fetch_all(&mut *tx.tx)
                .await?;
        sqlx::query("DELETE FROM uploads WHERE upload_id = $1")
            .bind(upload_id)
            .execute(&mut *tx.tx)
            .await?;
        let mut garbage = self.write_current(&mut tx, object).await?;
        for row in parts {
            let blob: String = row.try_get("blob")?;
            if !object.layout.iter().any(|s| s.blob == blob) {
                garbage.push(Segment {
                    blob,
                    size: to_u64(row.try_get("size")?),
                });
            }
        }
        tx.commit().await?;
        Ok(garbage)
    }

    async fn abort_upload(&self, upload_id: &str) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM uploads WHERE upload_id = $1")
            .bind(upload_id)
            .execute(&mut *tx.tx)
            .await?;
        if gone.rows_affected() == 0 {
            return Err(MetaError::NoSuchUpload);
        }
        let parts =
            sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1 RETURNING blob, size")
                .bind(upload_id)
                .fetch_all(&mut *tx.tx)
                .await?;
        tx.commit().await?;
        parts
            .iter()
            .map(|r| {
                Ok(Segment {
                    blob: r.try_get("blob")?,
                    size: to_u64(r.try_get("size")?),
                })
            })
            .collect()
    }
}

/// Upserts the object row inside `tx`; returns the replaced row's segments.
pub(crate) async fn replace_object(
    tx: &mut WriteTx<'_>,
    object: &ObjectRecord,
    for_update: &str,
) -> Result<Vec<Segment>> {
    let old = sqlx::query(&format!(
        "SELECT layout FROM objects WHERE bucket = $1 AND object_key = $2{for_update}"
    ))
    .bind(&object.bucket)
    .bind(&object.key)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let old: Vec<Segment> = match old {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)?,
        None => Vec::new(),
    };
    sqlx::query(&format!(
        "INSERT INTO objects ({OBJECT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (bucket, object_key) DO UPDATE SET version_id = excluded.version_id, size = excluded.size, \
         etag = excluded.etag, last_modified = excluded.last_modified, layout = excluded.layout, \
         attrs = excluded.attrs, tags = excluded.tags"
    ))
    .bind(&object.bucket)
    .bind(&object.key)
    .bind(&object.version_id)
    .bind(to_i64(object.size))
    .bind(&object.etag)
    .bind(object.last_modified)
    .bind(serde_json::to_string(&object.layout)?)
    .bind(serde_json::to_string(&object.attrs)?)
    .bind(serde_json::to_string(&object.tags)?)
    .execute(&mut *tx.tx)
    .await?;
    // A blob still used by the new version (a copy onto itself) is not garbage.
    Ok(old
        .into_iter()
        .filter(|s| !object.layout.iter().any(|n| n.blob == s.blob))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::prefix_successor;

    #[test]
    fn successor_bounds_every_key_with_the_prefix() {
        assert_eq!(prefix_successor(""), None);
        assert_eq!(prefix_successor("a/").as_deref(), Some("a0"));
        assert_eq!(
            prefix_successor("photos/2024/").as_deref(),
            Some("photos/20240")
        );
        assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_successor("x\u{10FFFF}").as_deref(), Some("y"));
        let s = prefix_successor("abc").unwrap_or_default();
        for k in ["abc", "abc\u{10FFFF}", "abcz", "abc/def"] {
            assert!(k.as_bytes() < s.as_bytes());
        }
    }
}
