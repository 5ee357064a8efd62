//! [`LoginStore`] on the shared SQL backends.

use crate::login::{LoginProfile, LoginStore};
use crate::sql::{SqlMeta, is_unique_violation};
use crate::{MetaError, Result};
use sqlx::Row;

#[async_trait::async_trait]
impl LoginStore for SqlMeta {
    async fn create_login_profile(&self, p: &LoginProfile) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(
            "INSERT INTO login_profiles (account_id, user_id, password_hash, reset_required, created) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&p.account_id)
        .bind(&p.user_id)
        .bind(&p.password_hash)
        .bind(i64::from(p.reset_required))
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

    async fn get_login_profile(
        &self,
        account_id: &str,
        user_id: &str,
    ) -> Result<Option<LoginProfile>> {
        let row = sqlx::query(
            "SELECT account_id, user_id, password_hash, reset_required, created FROM login_profiles WHERE account_id = $1 AND user_id = $2",
        )
        .bind(account_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(LoginProfile {
                account_id: r.try_get("account_id")?,
                user_id: r.try_get("user_id")?,
                password_hash: r.try_get("password_hash")?,
                reset_required: r.try_get::<i64, _>("reset_required")? != 0,
                created: r.try_get("created")?,
            })
        })
        .transpose()
    }

    async fn update_login_profile(&self, p: &LoginProfile) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE login_profiles SET password_hash = $3, reset_required = $4 WHERE account_id = $1 AND user_id = $2",
        )
        .bind(&p.account_id)
        .bind(&p.user_id)
        .bind(&p.password_hash)
        .bind(i64::from(p.reset_required))
        .execute(&mut *tx.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn delete_login_profile(&self, account_id: &str, user_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM login_profiles WHERE account_id = $1 AND user_id = $2")
            .bind(account_id)
            .bind(user_id)
            .execute(&mut *tx.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MetaError::NoSuchEntity);
        }
        tx.commit().await?;
        Ok(())
    }
}
