//! Block Public Access (bucket level) and what "public" means for a bucket policy, as AWS
//! documents it (S3 User Guide, "The meaning of public").

use super::CairnS3;
use crate::s3::error::meta_err;
use cairn_policy::{Effect, Policy, Principal, PrincipalBlock};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result};
use serde::{Deserialize, Serialize};

/// The bucket sub-resource holding the four settings.
pub const PUBLIC_ACCESS_BLOCK: &str = "public-access-block";

/// The four Block Public Access settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bpa {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl Bpa {
    /// What new buckets start with, as on AWS since April 2023.
    pub const ALL_ON: Bpa = Bpa {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    pub fn to_json(self) -> String {
        serde_json::to_string(&self).unwrap_or_default()
    }
}

/// Condition keys whose fixed values make an `"*"` grant non-public (AWS's list).
const NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgpaths",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// A condition that pins the request to known parties: a narrowing key compared with fixed values
/// (no wildcards), or a source IP range other than everything.
fn narrows(c: &cairn_policy::ConditionClause) -> bool {
    let key = c.key.to_ascii_lowercase();
    let op = format!("{:?}", c.operator.base).to_ascii_lowercase();
    let negated = op.contains("not");
    if negated || c.operator.if_exists {
        return false;
    }
    if key == "aws:sourceip" {
        return c.values.iter().all(|v| v != "0.0.0.0/0" && v != "::/0");
    }
    NARROWING_KEYS.contains(&key.as_str())
        && c.values
            .iter()
            .all(|v| !v.contains('*') && !v.contains('?'))
}

fn grants_everyone(principal: &Option<PrincipalBlock>) -> bool {
    match principal {
        Some(PrincipalBlock::Principal(Principal::Any)) => true,
        Some(PrincipalBlock::Principal(Principal::Ids(ids))) => {
            ids.iter().any(|id| id.value == "*")
        }
        // NotPrincipal with Allow grants everyone but the listed principals.
        Some(PrincipalBlock::NotPrincipal(_)) => true,
        None => false,
    }
}

/// Whether a bucket policy is public: some Allow statement grants `*` and none of its
/// conditions pins it to known parties.
pub fn is_public(policy: &Policy) -> bool {
    policy.statements.iter().any(|st| {
        st.effect == Effect::Allow
            && grants_everyone(&st.principal)
            && !st.condition.iter().any(narrows)
    })
}

/// The bucket's Block Public Access settings (all off when none are configured).
pub async fn load(state: &crate::state::State, bucket: &str) -> S3Result<Bpa> {
    let doc = state
        .meta
        .get_bucket_config(bucket, PUBLIC_ACCESS_BLOCK)
        .await
        .map_err(meta_err)?;
    let own: Bpa = doc
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_default();
    let Some(b) = state.meta.get_bucket(bucket).await.map_err(meta_err)? else {
        return Ok(own);
    };
    let account = crate::s3::account_bpa::load(state, &b.account_id).await;
    // Either level turns a setting on.
    Ok(Bpa {
        block_public_acls: own.block_public_acls || account.block_public_acls,
        ignore_public_acls: own.ignore_public_acls || account.ignore_public_acls,
        block_public_policy: own.block_public_policy || account.block_public_policy,
        restrict_public_buckets: own.restrict_public_buckets || account.restrict_public_buckets,
    })
}

impl CairnS3 {
    pub(crate) async fn bpa(&self, bucket: &str) -> S3Result<Bpa> {
        load(&self.state, bucket).await
    }

    pub(super) async fn do_put_public_access_block(
        &self,
        req: S3Request<PutPublicAccessBlockInput>,
    ) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
        let c = req.input.public_access_block_configuration;
        let bpa = Bpa {
            block_public_acls: c.block_public_acls.unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
            block_public_policy: c.block_public_policy.unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
        };
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, PUBLIC_ACCESS_BLOCK, Some(&bpa.to_json()))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutPublicAccessBlockOutput {}))
    }

    pub(super) async fn do_get_public_access_block(
        &self,
        req: S3Request<GetPublicAccessBlockInput>,
    ) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
        self.bucket(&req.input.bucket).await?;
        let doc = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, PUBLIC_ACCESS_BLOCK)
            .await
            .map_err(meta_err)?
            .ok_or_else(|| {
                crate::s3::error::custom(
                    "NoSuchPublicAccessBlockConfiguration",
                    http::StatusCode::NOT_FOUND,
                    "The public access block configuration was not found",
                )
            })?;
        let b: Bpa = serde_json::from_str(&doc).unwrap_or_default();
        Ok(S3Response::new(GetPublicAccessBlockOutput {
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_acls: Some(b.block_public_acls),
                ignore_public_acls: Some(b.ignore_public_acls),
                block_public_policy: Some(b.block_public_policy),
                restrict_public_buckets: Some(b.restrict_public_buckets),
            }),
        }))
    }

    pub(super) async fn do_delete_public_access_block(
        &self,
        req: S3Request<DeletePublicAccessBlockInput>,
    ) -> S3Result<S3Response<DeletePublicAccessBlockOutput>> {
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, PUBLIC_ACCESS_BLOCK, None)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeletePublicAccessBlockOutput {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_policy::PolicyKind;

    fn public(doc: &str) -> bool {
        is_public(&cairn_policy::parse(doc, PolicyKind::Resource).unwrap())
    }

    // Examples from the S3 User Guide, "The meaning of public".
    #[test]
    fn public_means_granting_everyone_without_pinning_conditions() {
        let stmt = |principal: &str, cond: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"{cond}}}]}}"#
            )
        };
        assert!(public(&stmt(r#""*""#, "")));
        assert!(public(&stmt(r#"{"AWS":"*"}"#, "")));
        assert!(!public(&stmt(
            r#"{"AWS":"arn:aws:iam::111111111111:root"}"#,
            ""
        )));
        assert!(!public(&stmt(
            r#""*""#,
            r#","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}"#
        )));
        assert!(!public(&stmt(
            r#""*""#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#
        )));
        assert!(public(&stmt(
            r#""*""#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#
        )));
        assert!(public(&stmt(
            r#""*""#,
            r#","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}"#
        )));
        assert!(public(&stmt(
            r#""*""#,
            r#","Condition":{"StringEquals":{"aws:UserAgent":"curl"}}"#
        )));
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(!public(deny));
    }
}
