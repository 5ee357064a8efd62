//! [`VersionStore`] on the shared SQL backends.

use crate::model::*;
use crate::sql::{
    OBJECT_COLUMNS, SqlMeta, WriteTx, object_from_row, prefix_successor, replace_object,
};
use crate::version_store::VersionStore;
use crate::{MetaError, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The bucket sub-resource holding `Enabled` / `Suspended`.
const VERSIONING: &str = "versioning";
const VERSION_COLUMNS: &str = "bucket, object_key, version_id, seq, delete_marker, size, etag, last_modified, layout, attrs, tags";

fn status_of(value: Option<&str>) -> Versioning {
    match value {
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        _ => Versioning::Unversioned,
    }
}

fn version_from_row(r: &AnyRow, latest_seq: Option<i64>) -> Result<VersionRecord> {
    let seq: i64 = r.try_get("seq")?;
    Ok(VersionRecord {
        object: object_from_row(r)?,
        delete_marker: r.try_get::<i64, _>("delete_marker")? != 0,
        is_latest: latest_seq.is_none_or(|l| l == seq),
    })
}

impl SqlMeta {
    /// Makes `object` current inside `tx` under the bucket's versioning state; returns garbage.
    pub(crate) async fn write_current(
        &self,
        tx: &mut WriteTx<'_>,
        object: &ObjectRecord,
    ) -> Result<Vec<Segment>> {
        self.lock_object(tx, &object.bucket, &object.key).await?;
        match self.versioning_in(tx, &object.bucket).await? {
            Versioning::Unversioned => replace_object(tx, object, self.for_update()).await,
            state => {
                let mut garbage = Vec::new();
                if state == Versioning::Suspended || object.version_id == "null" {
                    garbage = self
                        .drop_null_version(tx, &object.bucket, &object.key)
                        .await?;
                }
                let seq = self.next_seq(tx, &object.bucket, &object.key).await?;
                self.insert_version(tx, object, seq, false).await?;
                // The mirror of the current version shares its blobs: nothing to collect there.
                replace_object(tx, object, self.for_update()).await?;
                garbage.retain(|s| !object.layout.iter().any(|n| n.blob == s.blob));
                Ok(garbage)
            }
        }
    }

    async fn versioning_in(&self, tx: &mut WriteTx<'_>, bucket: &str) -> Result<Versioning> {
        let row = sqlx::query("SELECT value FROM bucket_configs WHERE bucket = $1 AND kind = $2")
            .bind(bucket)
            .bind(VERSIONING)
            .fetch_optional(&mut *tx.tx)
            .await?;
        let value: Option<String> = row.map(|r| r.try_get(0)).transpose()?;
        Ok(status_of(value.as_deref()))
    }

    async fn next_seq(&self, tx: &mut WriteTx<'_>, bucket: &str, key: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM object_versions WHERE bucket = $1 AND object_key = $2")
            .bind(bucket)
            .bind(key)
            .fetch_one(&mut *tx.tx)
            .await?;
        Ok(row.try_get::<i64, _>(0)? + 1)
    }

    async fn insert_version(
        &self,
        tx: &mut WriteTx<'_>,
        o: &ObjectRecord,
        seq: i64,
        marker: bool,
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO object_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&o.bucket)
        .bind(&o.key)
        .bind(&o.version_id)
        .bind(seq)
        .bind(i64::from(marker))
        .bind(i64::try_from(o.size).unwrap_or(i64::MAX))
        .bind(&o.etag)
        .bind(o.last_modified)
        .bind(serde_json::to_string(&o.layout)?)
        .bind(serde_json::to_string(&o.attrs)?)
        .bind(serde_json::to_string(&o.tags)?)
        .execute(&mut *tx.tx)
        .await?;
        Ok(())
    }

    /// Removes the `null` version of a key (suspended writes replace it); returns its segments.
    async fn drop_null_version(
        &self,
        tx: &mut WriteTx<'_>,
        bucket: &str,
        key: &str,
    ) -> Result<Vec<Segment>> {
        let row = sqlx::query(
            "DELETE FROM object_versions WHERE bucket = $1 AND object_key = $2 AND version_id = 'null' RETURNING layout",
        )
        .bind(bucket)
        .bind(key)
        .fetch_optional(&mut *tx.tx)
        .await?;
        Ok(match row {
            Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)?,
            None => Vec::new(),
        })
    }

    async fn drop_current(
        &self,
        tx: &mut WriteTx<'_>,
        bucket: &str,
        key: &str,
    ) -> Result<Vec<Segment>> {
        let row = sqlx::query(
            "DELETE FROM objects WHERE bucket = $1 AND object_key = $2 RETURNING layout",
        )
        .bind(bucket)
        .bind(key)
        .fetch_optional(&mut *tx.tx)
        .await?;
        Ok(match row {
            Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)?,
            None => Vec::new(),
        })
    }
}

#[async_trait::async_trait]
impl VersionStore for SqlMeta {
    async fn versioning(&self, bucket: &str) -> Result<Versioning> {
        if let Some(view) = self.bucket_view(bucket).await? {
            return Ok(status_of(view.configs.get(VERSIONING).map(String::as_str)));
        }
        let row = sqlx::query("SELECT value FROM bucket_configs WHERE bucket = $1 AND kind = $2")
            .bind(bucket)
            .bind(VERSIONING)
            .fetch_optional(&self.pool)
            .await?;
        let value: Option<String> = row.map(|r| r.try_get(0)).transpose()?;
        Ok(status_of(value.as_deref()))
    }

    async fn set_versioning(&self, bucket: &str, status: Versioning) -> Result<()> {
        let value = match status {
            Versioning::Enabled => "Enabled",
            Versioning::Suspended => "Suspended",
            Versioning::Unversioned => {
                return Err(MetaError::Corrupt(
                    "a bucket cannot become unversioned".into(),
                ));
            }
        };
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, bucket).await?;
        if self.versioning_in(&mut tx, bucket).await? == Versioning::Unversioned {
            // The objects written so far become their keys' `null` versions.
            sqlx::query(&format!(
                "INSERT INTO object_versions ({VERSION_COLUMNS}) SELECT bucket, object_key, 'null', 1, 0, size, etag, \
                 last_modified, layout, attrs, tags FROM objects WHERE bucket = $1"
            ))
            .bind(bucket)
            .execute(&mut *tx.tx)
            .await?;
            sqlx::query("UPDATE objects SET version_id = 'null' WHERE bucket = $1")
                .bind(bucket)
                .execute(&mut *tx.tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO bucket_configs (bucket, kind, value) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, kind) DO UPDATE SET value = excluded.value",
        )
        .bind(bucket)
        .bind(VERSIONING)
        .bind(value)
        .execute(&mut *tx.tx)
        .await?;
        // Forgotten even when only the fsync failed: the change is visible already.
        let committed = tx.commit().await;
        self.bucket_changed(bucket);
        committed?;
        Ok(())
    }

    async fn put_version(&self, object: &ObjectRecord) -> Result<Vec<Segment>> {
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, &object.bucket).await?;
        let garbage = self.write_current(&mut tx, object).await?;
        tx.commit().await?;
        Ok(garbage)
    }

    async fn delete_current(
        &self,
        bucket: &str,
        key: &str,
        marker_id: &str,
        now: i64,
    ) -> Result<(Vec<Segment>, Option<String>)> {
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, bucket).await?;
        self.lock_object(&mut tx, bucket, key).await?;
        let state = self.versioning_in(&mut tx, bucket).await?;
        let result = match state {
            Versioning::Unversioned => (self.drop_current(&mut tx, bucket, key).await?, None),
            _ => {
                let mut garbage = Vec::new();
                let marker_id = if state == Versioning::Suspended {
                    "null"
                } else {
                    marker_id
                };
                if marker_id == "null" {
                    garbage = self.drop_null_version(&mut tx, bucket, key).await?;
                }
                self.drop_current(&mut tx, bucket, key).await?;
                let seq = self.next_seq(&mut tx, bucket, key).await?;
                let marker = ObjectRecord {
                    bucket: bucket.into(),
                    key: key.into(),
                    version_id: marker_id.into(),
                    size: 0,
                    etag: String::new(),
                    last_modified: now,
                    layout: vec![],
                    attrs: ObjectAttrs::default(),
                    tags: vec![],
                };
                self.insert_version(&mut tx, &marker, seq, true).await?;
                (garbage, Some(marker_id.to_string()))
            }
        };
        tx.commit().await?;
        Ok(result)
    }

    async fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<(Vec<Segment>, bool)> {
        let mut tx = self.begin_write().await?;
        self.bucket_exists_locked(&mut tx, bucket).await?;
        self.lock_object(&mut tx, bucket, key).await?;
        if self.versioning_in(&mut tx, bucket).await? == Versioning::Unversioned {
            if version_id != "null" {
                return Err(MetaError::NoSuchKey);
            }
            let garbage = self.drop_current(&mut tx, bucket, key).await?;
            tx.commit().await?;
            return Ok((garbage, false));
        }
        let removed = sqlx::query(
            "DELETE FROM object_versions WHERE bucket = $1 AND object_key = $2 AND version_id = $3 \
             RETURNING seq, delete_marker, layout",
        )
        .bind(bucket)
        .bind(key)
        .bind(version_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(MetaError::NoSuchKey)?;
        let marker = removed.try_get::<i64, _>("delete_marker")? != 0;
        let garbage: Vec<Segment> = serde_json::from_str(&removed.try_get::<String, _>("layout")?)?;
        let newest = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM object_versions WHERE bucket = $1 AND object_key = $2 ORDER BY seq DESC LIMIT 1"
        ))
        .bind(bucket)
        .bind(key)
        .fetch_optional(&mut *tx.tx)
        .await?;
        // Whatever is newest now is the current version (or nothing, behind a delete marker).
        match newest
            .as_ref()
            .map(|r| version_from_row(r, None))
            .transpose()?
        {
            Some(v) if !v.delete_marker => {
                replace_object(&mut tx, &v.object, self.for_update()).await?;
            }
            _ => {
                self.drop_current(&mut tx, bucket, key).await?;
            }
        }
        tx.commit().await?;
        Ok((garbage, marker))
    }

    async fn get_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<Option<VersionRecord>> {
        if self.versioning(bucket).await? == Versioning::Unversioned {
            if version_id != "null" {
                return Ok(None);
            }
            let row = sqlx::query(&format!(
                "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = $1 AND object_key = $2"
            ))
            .bind(bucket)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
            return row
                .as_ref()
                .map(|r| {
                    Ok(VersionRecord {
                        object: object_from_row(r)?,
                        delete_marker: false,
                        is_latest: true,
                    })
                })
                .transpose();
        }
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS}, (SELECT MAX(seq) FROM object_versions m WHERE m.bucket = v.bucket AND m.object_key = v.object_key) AS latest \
             FROM object_versions v WHERE bucket = $1 AND object_key = $2 AND version_id = $3"
        ))
        .bind(bucket)
        .bind(key)
        .bind(version_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(|r| version_from_row(r, Some(r.try_get("latest")?)))
            .transpose()
    }

    async fn set_version_tags(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        tags: &Tags,
    ) -> Result<()> {
        let doc = serde_json::to_string(tags)?;
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        for table in ["objects", "object_versions"] {
            changed += sqlx::query(&format!(
                "UPDATE {table} SET tags = $4 WHERE bucket = $1 AND object_key = $2 AND version_id = $3"
            ))
            .bind(bucket)
            .bind(key)
            .bind(version_id)
            .bind(&doc)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        }
        if changed == 0 {
            return Err(MetaError::NoSuchKey);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_version_attrs(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        attrs: &ObjectAttrs,
    ) -> Result<()> {
        let doc = serde_json::to_string(attrs)?;
        let mut tx = self.begin_write().await?;
        let current = sqlx::query("UPDATE objects SET attrs = $4 WHERE bucket = $1 AND object_key = $2 AND version_id = $3")
            .bind(bucket)
            .bind(key)
            .bind(version_id)
            .bind(&doc)
            .execute(&mut *tx.tx)
            .await?;
        let stored = sqlx::query("UPDATE object_versions SET attrs = $4 WHERE bucket = $1 AND object_key = $2 AND version_id = $3")
            .bind(bucket)
            .bind(key)
            .bind(version_id)
            .bind(&doc)
            .execute(&mut *tx.tx)
            .await?;
        if current.rows_affected() == 0 && stored.rows_affected() == 0 {
            return Err(MetaError::NoSuchKey);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_versions(
        &self,
        bucket: &str,
        prefix: &str,
        key_marker: Option<&str>,
        version_marker: Option<&str>,
        limit: usize,
    ) -> Result<Vec<VersionRecord>> {
        let upper = prefix_successor(prefix);
        // A version marker positions the page inside its key: older versions of it come next.
        let marker_seq: Option<i64> = match (key_marker, version_marker) {
            (Some(k), Some(v)) if !v.is_empty() => sqlx::query(
                "SELECT seq FROM object_versions WHERE bucket = $1 AND object_key = $2 AND version_id = $3",
            )
            .bind(bucket)
            .bind(k)
            .bind(v)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?,
            _ => None,
        };
        let mut sql = format!(
            "SELECT {VERSION_COLUMNS}, (SELECT MAX(seq) FROM object_versions m WHERE m.bucket = v.bucket AND m.object_key = v.object_key) AS latest \
             FROM object_versions v WHERE bucket = $1 AND object_key >= $2"
        );
        let mut n = 2;
        if upper.is_some() {
            n += 1;
            sql.push_str(&format!(" AND object_key < ${n}"));
        }
        if key_marker.is_some() {
            n += 1;
            let k = n;
            match marker_seq {
                Some(_) => {
                    sql.push_str(&format!(
                        " AND (object_key > ${k} OR (object_key = ${k} AND seq < ${}))",
                        k + 1
                    ));
                }
                None => sql.push_str(&format!(" AND object_key > ${k}")),
            }
        }
        sql.push_str(&format!(
            " ORDER BY object_key, seq DESC LIMIT {}",
            limit.max(1)
        ));
        let mut q = sqlx::query(&sql).bind(bucket).bind(prefix);
        if let Some(u) = upper {
            q = q.bind(u);
        }
        if let Some(k) = key_marker {
            q = q.bind(k);
            if let Some(seq) = marker_seq {
                q = q.bind(seq);
            }
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| version_from_row(r, Some(r.try_get("latest")?)))
            .collect()
    }
}
