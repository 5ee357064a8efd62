//! Bucket policies: Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus, validated as S3 does.

use super::CairnS3;
use super::public_access::is_public;
use crate::access::BUCKET_POLICY;
use crate::s3::error::meta_err;
use cairn_policy::{ActionBlock, Policy, PolicyError, PolicyKind, ResourceBlock};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

/// S3 accepts bucket policies up to 20 KB.
const MAX_POLICY_BYTES: usize = 20 * 1024;

fn malformed(message: impl Into<String>) -> s3s::S3Error {
    s3_error!(MalformedPolicy, "{}", message.into())
}

/// S3's checks beyond the grammar: every action exists, every resource is in this bucket.
fn check_bucket_policy(policy: &Policy, bucket: &str) -> S3Result<()> {
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    for st in &policy.statements {
        let actions = match &st.action {
            ActionBlock::Action(a) | ActionBlock::NotAction(a) => a,
        };
        for action in actions {
            let known = if action == "*" {
                true
            } else if action.contains('*') || action.contains('?') {
                cairn_policy::catalog::matching_actions(action)
                    .next()
                    .is_some()
            } else {
                match action.split_once(':') {
                    Some((service, name)) => {
                        cairn_policy::catalog::is_known_action(&service.to_ascii_lowercase(), name)
                    }
                    None => false,
                }
            };
            if !known {
                return Err(malformed("Policy has invalid action"));
            }
        }
        let resources = match &st.resource {
            Some(ResourceBlock::Resource(r)) | Some(ResourceBlock::NotResource(r)) => r.as_slice(),
            None => &[],
        };
        for r in resources {
            let inside = r == &bucket_arn
                || r.strip_prefix(&bucket_arn)
                    .is_some_and(|rest| rest.starts_with('/'));
            let wildcard_covering = r.contains('*') && r.starts_with("arn:aws:s3:::") && {
                let prefix = r.split('*').next().unwrap_or_default();
                bucket_arn.starts_with(prefix) || prefix.starts_with(&bucket_arn)
            };
            if !inside && !wildcard_covering {
                return Err(malformed("Policy has invalid resource"));
            }
        }
    }
    Ok(())
}

impl CairnS3 {
    pub(super) async fn do_put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        let input = req.input;
        self.bucket(&input.bucket).await?;
        if input.policy.len() > MAX_POLICY_BYTES {
            return Err(crate::s3::error::custom(
                "PolicyTooLarge",
                http::StatusCode::BAD_REQUEST,
                "Policy exceeds the maximum allowed document size.",
            ));
        }
        let policy =
            cairn_policy::parse(&input.policy, PolicyKind::Resource).map_err(|e| match e {
                PolicyError::Malformed(m) if m == "Syntax errors in policy." => {
                    malformed("This policy contains invalid Json")
                }
                other => malformed(other.to_string()),
            })?;
        check_bucket_policy(&policy, &input.bucket)?;
        if is_public(&policy) && self.bpa(&input.bucket).await?.block_public_policy {
            return Err(s3_error!(
                AccessDenied,
                "User is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::{}\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
                input.bucket
            ));
        }
        self.state
            .meta
            .put_bucket_config(&input.bucket, BUCKET_POLICY, Some(&input.policy))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutBucketPolicyOutput {}))
    }

    pub(super) async fn do_get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        self.bucket(&req.input.bucket).await?;
        let doc = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, BUCKET_POLICY)
            .await
            .map_err(meta_err)?
            .ok_or_else(|| s3_error!(NoSuchBucketPolicy, "The bucket policy does not exist"))?;
        Ok(S3Response::new(GetBucketPolicyOutput { policy: Some(doc) }))
    }

    pub(super) async fn do_delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, BUCKET_POLICY, None)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteBucketPolicyOutput {}))
    }

    pub(super) async fn do_get_bucket_policy_status(
        &self,
        req: S3Request<GetBucketPolicyStatusInput>,
    ) -> S3Result<S3Response<GetBucketPolicyStatusOutput>> {
        self.bucket(&req.input.bucket).await?;
        let doc = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, BUCKET_POLICY)
            .await
            .map_err(meta_err)?
            .ok_or_else(|| s3_error!(NoSuchBucketPolicy, "The bucket policy does not exist"))?;
        let public = self
            .state
            .policies
            .parse(&doc, PolicyKind::Resource)
            .map(|p| is_public(&p))
            .unwrap_or(false);
        Ok(S3Response::new(GetBucketPolicyStatusOutput {
            policy_status: Some(PolicyStatus {
                is_public: Some(public),
            }),
        }))
    }
}
