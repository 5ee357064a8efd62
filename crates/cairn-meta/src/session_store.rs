//! The STS half of the metadata interface: sessions and OIDC providers.

use crate::Result;
use crate::session_model::*;

/// Temporary credentials and web-identity providers. Each method is one transaction.
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// `AlreadyExists` if the access key id is taken.
    async fn put_session(&self, session: &StsSession) -> Result<()>;
    /// The session, expired or not (the caller tells expired from unknown).
    async fn get_session(&self, access_key_id: &str) -> Result<Option<StsSession>>;
    /// Forgets sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: i64) -> Result<u64>;

    /// `AlreadyExists` if the ARN is taken.
    async fn create_oidc_provider(&self, provider: &OidcProvider) -> Result<()>;
    async fn get_oidc_provider(&self, arn: &str) -> Result<Option<OidcProvider>>;
    /// An account's providers, by ARN.
    async fn list_oidc_providers(&self, account_id: &str) -> Result<Vec<OidcProvider>>;
    /// Replaces client ids, thumbprints and tags. `NoSuchEntity` when absent.
    async fn update_oidc_provider(&self, provider: &OidcProvider) -> Result<()>;
    /// `NoSuchEntity` when absent.
    async fn delete_oidc_provider(&self, arn: &str) -> Result<()>;
}
