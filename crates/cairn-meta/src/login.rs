//! Console passwords of IAM users (IAM's LoginProfile): the record and its store.

use crate::Result;

/// A user's console password, keyed by the user's id (so a rename keeps it and a re-created
/// namesake does not inherit it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginProfile {
    pub account_id: String,
    /// The user's `AIDA…` id.
    pub user_id: String,
    /// A PHC string from a memory-hard hash (the server's choice); never the password.
    pub password_hash: String,
    /// The user must pick a new password at the next sign-in.
    pub reset_required: bool,
    /// Milliseconds since the epoch, like the entities' creation dates.
    pub created: i64,
}

/// Login profiles. Each method is one transaction.
#[async_trait::async_trait]
pub trait LoginStore: Send + Sync + 'static {
    /// `AlreadyExists` if the user has one.
    async fn create_login_profile(&self, profile: &LoginProfile) -> Result<()>;
    async fn get_login_profile(
        &self,
        account_id: &str,
        user_id: &str,
    ) -> Result<Option<LoginProfile>>;
    /// Replaces hash and reset flag (the creation date stays). `NoSuchEntity` when absent.
    async fn update_login_profile(&self, profile: &LoginProfile) -> Result<()>;
    /// `NoSuchEntity` when absent.
    async fn delete_login_profile(&self, account_id: &str, user_id: &str) -> Result<()>;
}
