//! [`SessionStore`] on the shared SQL backends.

use crate::session_model::*;
use crate::session_store::SessionStore;
use crate::sql::{SqlMeta, is_unique_violation};
use crate::{MetaError, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

const SESSION_COLUMNS: &str = "access_key_id, secret_enc, token_hash, account_id, kind, subject, subject_id, session_name, created, expires, attrs";

fn session_from_row(r: &AnyRow) -> Result<StsSession> {
    let kind: String = r.try_get("kind")?;
    Ok(StsSession {
        access_key_id: r.try_get("access_key_id")?,
        secret_enc: r.try_get("secret_enc")?,
        token_hash: r.try_get("token_hash")?,
        account_id: r.try_get("account_id")?,
        kind: SessionKind::parse(&kind)
            .ok_or_else(|| MetaError::Corrupt(format!("session kind {kind}")))?,
        subject: r.try_get("subject")?,
        subject_id: r.try_get("subject_id")?,
        session_name: r.try_get("session_name")?,
        created: r.try_get("created")?,
        expires: r.try_get("expires")?,
        attrs: r.try_get("attrs")?,
    })
}

/// Client ids, thumbprints and tags travel as one JSON column.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct ProviderAttrs {
    client_ids: Vec<String>,
    thumbprints: Vec<String>,
    #[serde(default)]
    tags: Vec<(String, String)>,
}

fn provider_attrs(p: &OidcProvider) -> Result<String> {
    Ok(serde_json::to_string(&ProviderAttrs {
        client_ids: p.client_ids.clone(),
        thumbprints: p.thumbprints.clone(),
        tags: p.tags.clone(),
    })?)
}

fn provider_from_row(r: &AnyRow) -> Result<OidcProvider> {
    let attrs: ProviderAttrs = serde_json::from_str(&r.try_get::<String, _>("attrs")?)?;
    Ok(OidcProvider {
        arn: r.try_get("arn")?,
        account_id: r.try_get("account_id")?,
        url: r.try_get("url")?,
        client_ids: attrs.client_ids,
        thumbprints: attrs.thumbprints,
        tags: attrs.tags,
        created: r.try_get("created")?,
    })
}

#[async_trait::async_trait]
impl SessionStore for SqlMeta {
    async fn put_session(&self, s: &StsSession) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(&format!(
            "INSERT INTO sts_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&s.access_key_id)
        .bind(&s.secret_enc)
        .bind(&s.token_hash)
        .bind(&s.account_id)
        .bind(s.kind.as_str())
        .bind(&s.subject)
        .bind(&s.subject_id)
        .bind(&s.session_name)
        .bind(s.created)
        .bind(s.expires)
        .bind(&s.attrs)
        .execute(&mut *tx.tx)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => return Err(MetaError::AlreadyExists),
            r => r?,
        };
        tx.commit().await?;
        Ok(())
    }

    async fn get_session(&self, access_key_id: &str) -> Result<Option<StsSession>> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sts_sessions WHERE access_key_id = $1"
        ))
        .bind(access_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM sts_sessions WHERE expires < $1")
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn create_oidc_provider(&self, p: &OidcProvider) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(
            "INSERT INTO oidc_providers (arn, account_id, url, attrs, created) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&p.arn)
        .bind(&p.account_id)
        .bind(&p.url)
        .bind(provider_attrs(p)?)
        .bind(p.created)
        .execute(&mut *tx.tx)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => return Err(MetaError::AlreadyExists),
            r => r?,
        };
        tx.commit().await?;
        Ok(())
    }

    async fn get_oidc_provider(&self, arn: &str) -> Result<Option<OidcProvider>> {
        let row = sqlx::query(
            "SELECT arn, account_id, url, attrs, created FROM oidc_providers WHERE arn = $1",
        )
        .bind(arn)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(provider_from_row).transpose()
    }

    async fn list_oidc_providers(&self, account_id: &str) -> Result<Vec<OidcProvider>> {
        let rows = sqlx::query(
            "SELECT arn, account_id, url, attrs, created FROM oidc_providers WHERE account_id = $1 ORDER BY arn",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(provider_from_row).collect()
    }

    async fn update_oidc_provider(&self, p: &OidcProvider) -> Result<()> {
        self.execute_one(
            sqlx::query("UPDATE oidc_providers SET attrs = $2 WHERE arn = $1")
                .bind(&p.arn)
                .bind(provider_attrs(p)?),
        )
        .await
    }

    async fn delete_oidc_provider(&self, arn: &str) -> Result<()> {
        self.execute_one(sqlx::query("DELETE FROM oidc_providers WHERE arn = $1").bind(arn))
            .await
    }
}
