//! [`IamStore`] on the shared SQL backends.

use crate::iam_model::*;
use crate::iam_store::IamStore;
use crate::model::AccessKey;
use crate::sql::{SqlMeta, WriteTx, access_key_from_row, is_unique_violation};
use crate::{MetaError, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

/// IAM names are unique regardless of case.
fn key(name: &str) -> String {
    name.to_lowercase()
}

const ENTITY_COLUMNS: &str = "account_id, kind, name, id, path, created, attrs";
const POLICY_COLUMNS: &str =
    "arn, account_id, name, id, path, description, default_version, created, updated";
/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;

fn entity_from_row(r: &AnyRow) -> Result<IamEntity> {
    let kind: String = r.try_get("kind")?;
    Ok(IamEntity {
        account_id: r.try_get("account_id")?,
        kind: EntityKind::parse(&kind)
            .ok_or_else(|| MetaError::Corrupt(format!("entity kind {kind}")))?,
        name: r.try_get("name")?,
        id: r.try_get("id")?,
        path: r.try_get("path")?,
        created: r.try_get("created")?,
        attrs: serde_json::from_str(&r.try_get::<String, _>("attrs")?)?,
    })
}

fn policy_from_row(r: &AnyRow) -> Result<ManagedPolicy> {
    Ok(ManagedPolicy {
        arn: r.try_get("arn")?,
        account_id: r.try_get("account_id")?,
        name: r.try_get("name")?,
        id: r.try_get("id")?,
        path: r.try_get("path")?,
        description: r.try_get("description")?,
        default_version: r.try_get("default_version")?,
        created: r.try_get("created")?,
        updated: r.try_get("updated")?,
    })
}

fn version_from_row(r: &AnyRow) -> Result<PolicyVersion> {
    Ok(PolicyVersion {
        arn: r.try_get("arn")?,
        version_id: r.try_get("version_id")?,
        document: r.try_get("document")?,
        created: r.try_get("created")?,
    })
}

impl SqlMeta {
    async fn entity_exists(
        &self,
        tx: &mut WriteTx<'_>,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<()> {
        let found = sqlx::query(&format!(
            "SELECT 1 FROM iam_entities WHERE account_id = $1 AND kind = $2 AND name_key = $3{}",
            self.for_update()
        ))
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .fetch_optional(&mut *tx.tx)
        .await?;
        found.map(|_| ()).ok_or(MetaError::NoSuchEntity)
    }

    async fn count(&self, tx: &mut WriteTx<'_>, sql: &str, binds: &[&str]) -> Result<i64> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        let row = q.fetch_one(&mut *tx.tx).await?;
        Ok(row.try_get(0)?)
    }
}

#[async_trait::async_trait]
impl IamStore for SqlMeta {
    async fn create_entity(&self, e: &IamEntity) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(
            "INSERT INTO iam_entities (account_id, kind, name_key, name, id, path, created, attrs) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&e.account_id)
        .bind(e.kind.as_str())
        .bind(key(&e.name))
        .bind(&e.name)
        .bind(&e.id)
        .bind(&e.path)
        .bind(e.created)
        .bind(serde_json::to_string(&e.attrs)?)
        .execute(&mut *tx.tx)
        .await;
        match res {
            Err(err) if is_unique_violation(&err) => return Err(MetaError::AlreadyExists),
            r => r?,
        };
        tx.commit().await?;
        Ok(())
    }

    async fn get_entity(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<Option<IamEntity>> {
        let row = sqlx::query(&format!(
            "SELECT {ENTITY_COLUMNS} FROM iam_entities WHERE account_id = $1 AND kind = $2 AND name_key = $3"
        ))
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(entity_from_row).transpose()
    }

    async fn list_entities(
        &self,
        account_id: &str,
        kind: EntityKind,
        path_prefix: &str,
    ) -> Result<Vec<IamEntity>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTITY_COLUMNS} FROM iam_entities WHERE account_id = $1 AND kind = $2 ORDER BY name_key"
        ))
        .bind(account_id)
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        let all: Result<Vec<IamEntity>> = rows.iter().map(entity_from_row).collect();
        Ok(all?
            .into_iter()
            .filter(|e| e.path.starts_with(path_prefix))
            .collect())
    }

    async fn update_entity(&self, old_name: &str, e: &IamEntity) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.entity_exists(&mut tx, &e.account_id, e.kind, old_name)
            .await?;
        let (old_key, new_key) = (key(old_name), key(&e.name));
        if old_key != new_key {
            let taken = self
                .count(
                    &mut tx,
                    "SELECT COUNT(*) FROM iam_entities WHERE account_id = $1 AND kind = $2 AND name_key = $3",
                    &[&e.account_id, e.kind.as_str(), &new_key],
                )
                .await?;
            if taken > 0 {
                return Err(MetaError::AlreadyExists);
            }
            for table in ["iam_inline_policies", "iam_attachments"] {
                sqlx::query(&format!(
                    "UPDATE {table} SET name_key = $4 WHERE account_id = $1 AND kind = $2 AND name_key = $3"
                ))
                .bind(&e.account_id)
                .bind(e.kind.as_str())
                .bind(&old_key)
                .bind(&new_key)
                .execute(&mut *tx.tx)
                .await?;
            }
            let column = match e.kind {
                EntityKind::User => Some("user_key"),
                EntityKind::Group => Some("group_key"),
                EntityKind::Role => None,
            };
            if let Some(column) = column {
                sqlx::query(&format!(
                    "UPDATE iam_group_members SET {column} = $3 WHERE account_id = $1 AND {column} = $2"
                ))
                .bind(&e.account_id)
                .bind(&old_key)
                .bind(&new_key)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        if e.kind == EntityKind::User {
            sqlx::query("UPDATE access_keys SET user_name = $3 WHERE account_id = $1 AND lower(user_name) = $2")
                .bind(&e.account_id)
                .bind(&old_key)
                .bind(&e.name)
                .execute(&mut *tx.tx)
                .await?;
        }
        sqlx::query(
            "UPDATE iam_entities SET name_key = $4, name = $5, path = $6, attrs = $7 \
             WHERE account_id = $1 AND kind = $2 AND name_key = $3",
        )
        .bind(&e.account_id)
        .bind(e.kind.as_str())
        .bind(&old_key)
        .bind(&new_key)
        .bind(&e.name)
        .bind(&e.path)
        .bind(serde_json::to_string(&e.attrs)?)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_entity(&self, account_id: &str, kind: EntityKind, name: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.entity_exists(&mut tx, account_id, kind, name).await?;
        let k = key(name);
        let conflict = |what: &str| Err(MetaError::DeleteConflict(what.to_string()));
        let scoped = [account_id, kind.as_str(), k.as_str()];
        if self
            .count(&mut tx, "SELECT COUNT(*) FROM iam_inline_policies WHERE account_id = $1 AND kind = $2 AND name_key = $3", &scoped)
            .await?
            > 0
        {
            return conflict("Cannot delete entity, must delete policies first.");
        }
        if self
            .count(&mut tx, "SELECT COUNT(*) FROM iam_attachments WHERE account_id = $1 AND kind = $2 AND name_key = $3", &scoped)
            .await?
            > 0
        {
            return conflict("Cannot delete entity, must detach all policies first.");
        }
        match kind {
            EntityKind::User => {
                if self
                    .count(&mut tx, "SELECT COUNT(*) FROM access_keys WHERE account_id = $1 AND lower(user_name) = $2", &[account_id, &k])
                    .await?
                    > 0
                {
                    return conflict("Cannot delete entity, must delete access keys first.");
                }
                if self
                    .count(&mut tx, "SELECT COUNT(*) FROM iam_group_members WHERE account_id = $1 AND user_key = $2", &[account_id, &k])
                    .await?
                    > 0
                {
                    return conflict("Cannot delete entity, must remove users from group first.");
                }
                if self
                    .count(&mut tx, "SELECT COUNT(*) FROM login_profiles WHERE account_id = $1 AND user_id IN (SELECT id FROM iam_entities WHERE account_id = $1 AND kind = 'user' AND name_key = $2)", &[account_id, &k])
                    .await?
                    > 0
                {
                    return conflict("Cannot delete entity, must delete login profile first.");
                }
            }
            EntityKind::Group => {
                if self
                    .count(&mut tx, "SELECT COUNT(*) FROM iam_group_members WHERE account_id = $1 AND group_key = $2", &[account_id, &k])
                    .await?
                    > 0
                {
                    return conflict("Cannot delete entity, must remove users from group first.");
                }
            }
            EntityKind::Role => {}
        }
        sqlx::query(
            "DELETE FROM iam_entities WHERE account_id = $1 AND kind = $2 AND name_key = $3",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(&k)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn put_inline_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        policy: &str,
        doc: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.entity_exists(&mut tx, account_id, kind, name).await?;
        sqlx::query(
            "INSERT INTO iam_inline_policies (account_id, kind, name_key, policy_name, document) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (account_id, kind, name_key, policy_name) DO UPDATE SET document = excluded.document",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .bind(policy)
        .bind(doc)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_inline_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        policy: &str,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT document FROM iam_inline_policies WHERE account_id = $1 AND kind = $2 AND name_key = $3 AND policy_name = $4",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .bind(policy)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    async fn list_inline_policies(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT policy_name FROM iam_inline_policies WHERE account_id = $1 AND kind = $2 AND name_key = $3 ORDER BY policy_name",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    async fn delete_inline_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        policy: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM iam_inline_policies WHERE account_id = $1 AND kind = $2 AND name_key = $3 AND policy_name = $4",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .bind(policy)
        .execute(&mut *tx.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn attach_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        arn: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.entity_exists(&mut tx, account_id, kind, name).await?;
        sqlx::query(
            "INSERT INTO iam_attachments (account_id, kind, name_key, policy_arn) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, kind, name_key, policy_arn) DO NOTHING",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .bind(arn)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn detach_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        arn: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM iam_attachments WHERE account_id = $1 AND kind = $2 AND name_key = $3 AND policy_arn = $4",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .bind(arn)
        .execute(&mut *tx.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_attached(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT policy_arn FROM iam_attachments WHERE account_id = $1 AND kind = $2 AND name_key = $3 ORDER BY policy_arn",
        )
        .bind(account_id)
        .bind(kind.as_str())
        .bind(key(name))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    async fn policy_attachments(&self, arn: &str) -> Result<Vec<(EntityKind, String)>> {
        let rows = sqlx::query(
            "SELECT e.kind, e.name FROM iam_attachments a JOIN iam_entities e \
             ON e.account_id = a.account_id AND e.kind = a.kind AND e.name_key = a.name_key \
             WHERE a.policy_arn = $1 ORDER BY e.kind, e.name_key",
        )
        .bind(arn)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get(0)?;
                let kind =
                    EntityKind::parse(&kind).ok_or_else(|| MetaError::Corrupt(kind.clone()))?;
                Ok((kind, r.try_get(1)?))
            })
            .collect()
    }

    async fn add_to_group(&self, account_id: &str, group: &str, user: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.entity_exists(&mut tx, account_id, EntityKind::Group, group)
            .await?;
        self.entity_exists(&mut tx, account_id, EntityKind::User, user)
            .await?;
        sqlx::query(
            "INSERT INTO iam_group_members (account_id, group_key, user_key) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, group_key, user_key) DO NOTHING",
        )
        .bind(account_id)
        .bind(key(group))
        .bind(key(user))
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_from_group(&self, account_id: &str, group: &str, user: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM iam_group_members WHERE account_id = $1 AND group_key = $2 AND user_key = $3")
            .bind(account_id)
            .bind(key(group))
            .bind(key(user))
            .execute(&mut *tx.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn groups_of_user(&self, account_id: &str, user: &str) -> Result<Vec<IamEntity>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM iam_entities e JOIN iam_group_members m \
             ON m.account_id = e.account_id AND m.group_key = e.name_key \
             WHERE e.account_id = $1 AND e.kind = 'group' AND m.user_key = $2 ORDER BY e.name_key",
            ENTITY_COLUMNS
                .split(", ")
                .map(|c| format!("e.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(account_id)
        .bind(key(user))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entity_from_row).collect()
    }

    async fn members_of_group(&self, account_id: &str, group: &str) -> Result<Vec<IamEntity>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM iam_entities e JOIN iam_group_members m \
             ON m.account_id = e.account_id AND m.user_key = e.name_key \
             WHERE e.account_id = $1 AND e.kind = 'user' AND m.group_key = $2 ORDER BY e.name_key",
            ENTITY_COLUMNS
                .split(", ")
                .map(|c| format!("e.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(account_id)
        .bind(key(group))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entity_from_row).collect()
    }

    async fn create_managed_policy(&self, p: &ManagedPolicy, document: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(&format!(
            "INSERT INTO iam_policies ({POLICY_COLUMNS}, next_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 2)"
        ))
        .bind(&p.arn)
        .bind(&p.account_id)
        .bind(&p.name)
        .bind(&p.id)
        .bind(&p.path)
        .bind(p.description.clone())
        .bind("v1")
        .bind(p.created)
        .bind(p.updated)
        .execute(&mut *tx.tx)
        .await;
        match res {
            Err(err) if is_unique_violation(&err) => return Err(MetaError::AlreadyExists),
            r => r?,
        };
        sqlx::query("INSERT INTO iam_policy_versions (arn, version_id, document, created) VALUES ($1, 'v1', $2, $3)")
            .bind(&p.arn)
            .bind(document)
            .bind(p.created)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_managed_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>> {
        let row = sqlx::query(&format!(
            "SELECT {POLICY_COLUMNS} FROM iam_policies WHERE arn = $1"
        ))
        .bind(arn)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(policy_from_row).transpose()
    }

    async fn list_managed_policies(&self, account_id: &str) -> Result<Vec<ManagedPolicy>> {
        let rows = sqlx::query(&format!(
            "SELECT {POLICY_COLUMNS} FROM iam_policies WHERE account_id = $1 ORDER BY name"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(policy_from_row).collect()
    }

    async fn delete_managed_policy(&self, arn: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let found = sqlx::query(&format!(
            "SELECT 1 FROM iam_policies WHERE arn = $1{}",
            self.for_update()
        ))
        .bind(arn)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if found.is_none() {
            return Err(MetaError::NoSuchEntity);
        }
        if self
            .count(
                &mut tx,
                "SELECT COUNT(*) FROM iam_attachments WHERE policy_arn = $1",
                &[arn],
            )
            .await?
            > 0
        {
            return Err(MetaError::DeleteConflict(
                "Cannot delete a policy attached to entities.".into(),
            ));
        }
        if self
            .count(
                &mut tx,
                "SELECT COUNT(*) FROM iam_policy_versions WHERE arn = $1",
                &[arn],
            )
            .await?
            > 1
        {
            return Err(MetaError::DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.".into(),
            ));
        }
        sqlx::query("DELETE FROM iam_policy_versions WHERE arn = $1")
            .bind(arn)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM iam_policies WHERE arn = $1")
            .bind(arn)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_policy_version(
        &self,
        arn: &str,
        document: &str,
        set_default: bool,
        now: i64,
    ) -> Result<String> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "SELECT next_version FROM iam_policies WHERE arn = $1{}",
            self.for_update()
        ))
        .bind(arn)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(MetaError::NoSuchEntity)?;
        let next: i64 = row.try_get(0)?;
        let count = self
            .count(
                &mut tx,
                "SELECT COUNT(*) FROM iam_policy_versions WHERE arn = $1",
                &[arn],
            )
            .await?;
        if count as usize >= MAX_POLICY_VERSIONS {
            return Err(MetaError::LimitExceeded(format!(
                "A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version."
            )));
        }
        let version = format!("v{next}");
        sqlx::query("INSERT INTO iam_policy_versions (arn, version_id, document, created) VALUES ($1, $2, $3, $4)")
            .bind(arn)
            .bind(&version)
            .bind(document)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        let default_sql = if set_default {
            ", default_version = $3"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE iam_policies SET next_version = next_version + 1, updated = $2{default_sql} WHERE arn = $1"
        );
        let mut q = sqlx::query(&sql).bind(arn).bind(now);
        if set_default {
            q = q.bind(&version);
        }
        q.execute(&mut *tx.tx).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn get_policy_version(
        &self,
        arn: &str,
        version_id: &str,
    ) -> Result<Option<PolicyVersion>> {
        let row = sqlx::query("SELECT arn, version_id, document, created FROM iam_policy_versions WHERE arn = $1 AND version_id = $2")
            .bind(arn)
            .bind(version_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(version_from_row).transpose()
    }

    async fn list_policy_versions(&self, arn: &str) -> Result<Vec<PolicyVersion>> {
        let rows = sqlx::query("SELECT arn, version_id, document, created FROM iam_policy_versions WHERE arn = $1 ORDER BY created DESC, version_id DESC")
            .bind(arn)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_from_row).collect()
    }

    async fn delete_policy_version(&self, arn: &str, version_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "SELECT default_version FROM iam_policies WHERE arn = $1{}",
            self.for_update()
        ))
        .bind(arn)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(MetaError::NoSuchEntity)?;
        let default: String = row.try_get(0)?;
        if default == version_id {
            return Err(MetaError::DeleteConflict(
                "Cannot delete the default version of a policy.".into(),
            ));
        }
        let done =
            sqlx::query("DELETE FROM iam_policy_versions WHERE arn = $1 AND version_id = $2")
                .bind(arn)
                .bind(version_id)
                .execute(&mut *tx.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_default_policy_version(
        &self,
        arn: &str,
        version_id: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self
            .count(
                &mut tx,
                "SELECT COUNT(*) FROM iam_policy_versions WHERE arn = $1 AND version_id = $2",
                &[arn, version_id],
            )
            .await?
            == 0
        {
            return Err(MetaError::NoSuchEntity);
        }
        sqlx::query("UPDATE iam_policies SET default_version = $2, updated = $3 WHERE arn = $1")
            .bind(arn)
            .bind(version_id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_access_keys(
        &self,
        account_id: &str,
        user: Option<&str>,
    ) -> Result<Vec<AccessKey>> {
        let cols = "access_key_id, secret_enc, account_id, user_name, status, created";
        let rows = match user {
            Some(user) => {
                sqlx::query(&format!(
                    "SELECT {cols} FROM access_keys WHERE account_id = $1 AND lower(user_name) = $2 ORDER BY created, access_key_id"
                ))
                .bind(account_id)
                .bind(key(user))
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {cols} FROM access_keys WHERE account_id = $1 AND user_name IS NULL ORDER BY created, access_key_id"
                ))
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(access_key_from_row).collect()
    }

    async fn set_access_key_status(&self, access_key_id: &str, status: &str) -> Result<()> {
        self.execute_one(
            sqlx::query("UPDATE access_keys SET status = $2 WHERE access_key_id = $1")
                .bind(access_key_id)
                .bind(status),
        )
        .await
    }

    async fn delete_access_key(&self, access_key_id: &str) -> Result<()> {
        self.execute_one(
            sqlx::query("DELETE FROM access_keys WHERE access_key_id = $1").bind(access_key_id),
        )
        .await
    }

    async fn applied_policies(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<AppliedPolicies> {
        let mut applied = AppliedPolicies::default();
        let Some(entity) = self.get_entity(account_id, kind, name).await? else {
            return Ok(applied);
        };
        applied.permissions_boundary = entity.attrs.permissions_boundary.clone();
        let mut holders = vec![(kind, entity.name.clone())];
        if kind == EntityKind::User {
            holders.extend(
                self.groups_of_user(account_id, name)
                    .await?
                    .into_iter()
                    .map(|g| (EntityKind::Group, g.name)),
            );
        }
        for (k, n) in holders {
            let rows = sqlx::query(
                "SELECT policy_name, document FROM iam_inline_policies WHERE account_id = $1 AND kind = $2 AND name_key = $3 ORDER BY policy_name",
            )
            .bind(account_id)
            .bind(k.as_str())
            .bind(key(&n))
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                let policy: String = r.try_get(0)?;
                applied.inline.push((
                    format!("{} {n} inline policy {policy}", k.as_str()),
                    r.try_get(1)?,
                ));
            }
            applied
                .attached
                .extend(self.list_attached(account_id, k, &n).await?);
        }
        applied.attached.sort();
        applied.attached.dedup();
        Ok(applied)
    }
}
