//! The IAM half of the metadata interface.

use crate::Result;
use crate::iam_model::*;
use crate::model::AccessKey;

/// Users, groups, roles, their policies and keys. Names are unique per account and kind,
/// case-insensitively, as in IAM. Each method is one transaction.
#[async_trait::async_trait]
pub trait IamStore: Send + Sync + 'static {
    /// `AlreadyExists` if the name is taken.
    async fn create_entity(&self, entity: &IamEntity) -> Result<()>;
    async fn get_entity(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<Option<IamEntity>>;
    /// All entities of a kind whose path starts with `path_prefix`, by name.
    async fn list_entities(
        &self,
        account_id: &str,
        kind: EntityKind,
        path_prefix: &str,
    ) -> Result<Vec<IamEntity>>;
    /// Replaces the entity found under `old_name` (a rename carries its policies, keys and
    /// memberships along). `NoSuchEntity` / `AlreadyExists`.
    async fn update_entity(&self, old_name: &str, entity: &IamEntity) -> Result<()>;
    /// `DeleteConflict` while it has keys, policies, attachments, members or groups.
    async fn delete_entity(&self, account_id: &str, kind: EntityKind, name: &str) -> Result<()>;

    async fn put_inline_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        policy: &str,
        doc: &str,
    ) -> Result<()>;
    async fn get_inline_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        policy: &str,
    ) -> Result<Option<String>>;
    async fn list_inline_policies(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<String>>;
    /// `NoSuchEntity` if absent.
    async fn delete_inline_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        policy: &str,
    ) -> Result<()>;

    /// Idempotent, as in IAM.
    async fn attach_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        arn: &str,
    ) -> Result<()>;
    /// `NoSuchEntity` if not attached.
    async fn detach_policy(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
        arn: &str,
    ) -> Result<()>;
    async fn list_attached(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<String>>;
    /// `(kind, entity name)` of everything a policy is attached to.
    async fn policy_attachments(&self, arn: &str) -> Result<Vec<(EntityKind, String)>>;

    async fn add_to_group(&self, account_id: &str, group: &str, user: &str) -> Result<()>;
    /// `NoSuchEntity` if the user is not a member.
    async fn remove_from_group(&self, account_id: &str, group: &str, user: &str) -> Result<()>;
    async fn groups_of_user(&self, account_id: &str, user: &str) -> Result<Vec<IamEntity>>;
    async fn members_of_group(&self, account_id: &str, group: &str) -> Result<Vec<IamEntity>>;

    /// Creates the policy with version `v1` as default.
    async fn create_managed_policy(&self, policy: &ManagedPolicy, document: &str) -> Result<()>;
    async fn get_managed_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>>;
    async fn list_managed_policies(&self, account_id: &str) -> Result<Vec<ManagedPolicy>>;
    /// `DeleteConflict` while attached or while non-default versions remain.
    async fn delete_managed_policy(&self, arn: &str) -> Result<()>;
    /// Adds the next version; `LimitExceeded` past 5 versions. Returns its id.
    async fn create_policy_version(
        &self,
        arn: &str,
        document: &str,
        set_default: bool,
        now: i64,
    ) -> Result<String>;
    async fn get_policy_version(
        &self,
        arn: &str,
        version_id: &str,
    ) -> Result<Option<PolicyVersion>>;
    async fn list_policy_versions(&self, arn: &str) -> Result<Vec<PolicyVersion>>;
    /// `DeleteConflict` for the default version, `NoSuchEntity` if absent.
    async fn delete_policy_version(&self, arn: &str, version_id: &str) -> Result<()>;
    async fn set_default_policy_version(&self, arn: &str, version_id: &str, now: i64)
    -> Result<()>;

    async fn list_access_keys(
        &self,
        account_id: &str,
        user: Option<&str>,
    ) -> Result<Vec<AccessKey>>;
    async fn set_access_key_status(&self, access_key_id: &str, status: &str) -> Result<()>;
    async fn delete_access_key(&self, access_key_id: &str) -> Result<()>;

    /// Every policy that applies to a user (with its groups') or a role.
    async fn applied_policies(
        &self,
        account_id: &str,
        kind: EntityKind,
        name: &str,
    ) -> Result<AppliedPolicies>;
}
