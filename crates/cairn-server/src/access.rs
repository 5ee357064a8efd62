//! The IAM-authorization step of the S3 request path: maps the operation s3s resolved to an
//! action and resource, asks [`crate::authz::authorize`], and leaves the caller in the request
//! extensions for the handler.

use crate::auth::resolve_key;
use crate::authz::s3_actions::{self, Target};
use crate::authz::{AuthzRequest, authorize};
use crate::principal::Principal;
use crate::s3::error::meta_err;
use crate::state::State;
use s3s::access::{S3Access, S3AccessContext};
use s3s::path::S3Path;
use s3s::{S3Result, s3_error};

pub struct CairnAccess {
    pub state: State,
}

/// The ARN S3 policies use for a bucket or object.
pub fn s3_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// Checks one more action a handler needs (e.g. reading a copy source) through the same path.
pub async fn check_action(
    state: &State,
    principal: &Principal,
    action: &str,
    bucket: &str,
    key: Option<&str>,
) -> S3Result<()> {
    let owner = state
        .meta
        .get_bucket(bucket)
        .await
        .map_err(meta_err)?
        .map(|b| b.account_id);
    let resource = s3_arn(bucket, key);
    let decision = authorize(&AuthzRequest {
        principal,
        action,
        resource: &resource,
        resource_owner: owner.as_deref(),
    });
    if decision.is_allowed() {
        Ok(())
    } else {
        tracing::debug!(?decision, "denied");
        Err(s3_error!(AccessDenied, "Access Denied"))
    }
}

#[async_trait::async_trait]
impl S3Access for CairnAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let principal = match cx.credentials() {
            None => Principal::Anonymous,
            Some(creds) => resolve_key(&self.state, &creds.access_key).await?.0,
        };
        let (action, target) = s3_actions::lookup(cx.s3_op().name());
        match (cx.s3_path(), target) {
            (_, Target::Account) | (S3Path::Root, _) => {
                let decision = authorize(&AuthzRequest {
                    principal: &principal,
                    action: &action,
                    resource: "*",
                    resource_owner: None,
                });
                if !decision.is_allowed() {
                    return Err(s3_error!(AccessDenied, "Access Denied"));
                }
            }
            (S3Path::Bucket { bucket }, _) => {
                check_action(&self.state, &principal, &action, bucket, None).await?
            }
            (S3Path::Object { bucket, key }, Target::Object) => {
                check_action(&self.state, &principal, &action, bucket, Some(key)).await?
            }
            (S3Path::Object { bucket, .. }, _) => {
                check_action(&self.state, &principal, &action, bucket, None).await?
            }
        }
        cx.extensions_mut().insert(principal);
        Ok(())
    }
}
