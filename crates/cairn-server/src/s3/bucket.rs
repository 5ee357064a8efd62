//! Bucket operations: create, head, location, list, delete, tagging.

use super::{CairnS3, caller};
use crate::s3::attrs::{owner, tags_from_dto, tags_to_dto};
use crate::s3::error::meta_err;
use crate::time::{now_ms, to_timestamp};
use cairn_meta::{Bucket, MetaError, Tags};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

const US_EAST_1: &str = "us-east-1";

const OWNERSHIP: [&str; 3] = [
    "BucketOwnerEnforced",
    "BucketOwnerPreferred",
    "ObjectWriter",
];

impl CairnS3 {
    /// The bucket, or NoSuchBucket.
    pub(super) async fn bucket(&self, name: &str) -> S3Result<Bucket> {
        self.state
            .meta
            .get_bucket(name)
            .await
            .map_err(meta_err)?
            .ok_or_else(|| meta_err(MetaError::NoSuchBucket))
    }

    pub(super) async fn do_create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let principal = caller(&req)?;
        let account_id = principal
            .account_id()
            .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))?
            .to_string();
        let input = req.input;
        let region = input
            .create_bucket_configuration
            .and_then(|c| c.location_constraint)
            .map(|l| l.as_str().to_string())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| self.state.region.clone());
        // "EU" is the legacy name of eu-west-1.
        let region = if region == "EU" {
            "eu-west-1".to_string()
        } else {
            region
        };
        let ownership = match input.object_ownership {
            None if self.state.legacy_bucket_defaults => "ObjectWriter".to_string(),
            None => super::acl::ENFORCED.to_string(),
            Some(o) if OWNERSHIP.contains(&o.as_str()) => o.as_str().to_string(),
            Some(o) => {
                return Err(s3_error!(
                    InvalidArgument,
                    "Invalid x-amz-object-ownership header: {}",
                    o.as_str()
                ));
            }
        };
        let bucket = Bucket {
            name: input.bucket.clone(),
            account_id: account_id.clone(),
            region,
            created: now_ms(),
            object_ownership: ownership,
        };
        // ACLs on a new bucket only where ownership allows them, as AWS checks at creation.
        let acl = input.acl.as_ref().map(|a| a.as_str().to_string());
        let has_grants = input.grant_full_control.is_some()
            || input.grant_read.is_some()
            || input.grant_read_acp.is_some()
            || input.grant_write.is_some()
            || input.grant_write_acp.is_some();
        if bucket.object_ownership == super::acl::ENFORCED
            && (has_grants || acl.as_deref().is_some_and(|a| a != "private"))
        {
            return Err(s3_error!(
                InvalidBucketAclWithObjectOwnership,
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
            ));
        }
        let bpa = super::public_access::Bpa::ALL_ON.to_json();
        let lock = super::object_lock::LockConfig::default().to_json();
        let mut configs: Vec<(&str, &str)> = Vec::new();
        if !self.state.legacy_bucket_defaults {
            configs.push((super::public_access::PUBLIC_ACCESS_BLOCK, &bpa));
        }
        let acl_doc = self
            .create_bucket_acl(
                acl.as_deref(),
                &[
                    ("FULL_CONTROL", input.grant_full_control.as_ref()),
                    ("READ", input.grant_read.as_ref()),
                    ("READ_ACP", input.grant_read_acp.as_ref()),
                    ("WRITE", input.grant_write.as_ref()),
                    ("WRITE_ACP", input.grant_write_acp.as_ref()),
                ],
            )
            .await?;
        if let Some(doc) = &acl_doc {
            configs.push((super::acl::BUCKET_ACL, doc));
        }
        // Object Lock needs versioning, so a bucket created with it starts versioned.
        if input.object_lock_enabled_for_bucket == Some(true) {
            configs.push((super::object_lock::OBJECT_LOCK, &lock));
            configs.push(("versioning", "Enabled"));
        }
        match self.state.meta.create_bucket_with(&bucket, &configs).await {
            Ok(()) => {}
            // us-east-1 keeps S3's legacy answer (CreateBucket, "BucketAlreadyOwnedByYou"):
            // re-creating a bucket you own there succeeds and resets its ACL to the request's;
            // every other region says BucketAlreadyOwnedByYou.
            Err(MetaError::BucketExists { owner })
                if owner == account_id
                    && bucket.region == US_EAST_1
                    && self
                        .state
                        .meta
                        .get_bucket(&bucket.name)
                        .await
                        .map_err(meta_err)?
                        .is_some_and(|b| b.region == US_EAST_1) =>
            {
                if self.ownership(&bucket.name).await? != super::acl::ENFORCED {
                    self.state
                        .meta
                        .put_bucket_config(&bucket.name, super::acl::BUCKET_ACL, acl_doc.as_deref())
                        .await
                        .map_err(meta_err)?;
                }
            }
            Err(MetaError::BucketExists { owner }) if owner == account_id => {
                return Err(s3_error!(
                    BucketAlreadyOwnedByYou,
                    "Your previous request to create the named bucket succeeded and you already own it."
                ));
            }
            Err(MetaError::BucketExists { .. }) => {
                return Err(s3_error!(
                    BucketAlreadyExists,
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."
                ));
            }
            Err(e) => return Err(meta_err(e)),
        }
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{}", input.bucket)),
        }))
    }

    pub(super) async fn do_head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let bucket = self.bucket(&req.input.bucket).await?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(bucket.region),
            ..Default::default()
        }))
    }

    pub(super) async fn do_get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let bucket = self.bucket(&req.input.bucket).await?;
        // AWS reports us-east-1 as an empty constraint.
        let location_constraint =
            (bucket.region != "us-east-1").then(|| BucketLocationConstraint::from(bucket.region));
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint,
        }))
    }

    pub(super) async fn do_list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let principal = caller(&req)?;
        let account_id = principal
            .account_id()
            .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))?;
        let input = req.input;
        let max = input.max_buckets.unwrap_or(10_000).clamp(1, 10_000) as usize;
        let all = self
            .state
            .meta
            .list_buckets(account_id)
            .await
            .map_err(meta_err)?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let mut selected = all.into_iter().filter(|b| {
            b.name.starts_with(&prefix)
                && input.bucket_region.as_ref().is_none_or(|r| &b.region == r)
                && input
                    .continuation_token
                    .as_ref()
                    .is_none_or(|t| &b.name > t)
        });
        let page: Vec<Bucket> = selected.by_ref().take(max).collect();
        let more = selected.next().is_some();
        let continuation_token = if more {
            page.last().map(|b| b.name.clone())
        } else {
            None
        };
        let buckets = page
            .into_iter()
            .map(|b| s3s::dto::Bucket {
                name: Some(b.name),
                creation_date: Some(to_timestamp(b.created)),
                bucket_region: Some(b.region),
            })
            .collect();
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(buckets),
            owner: Some(owner(account_id)),
            prefix: input.prefix,
            continuation_token,
        }))
    }

    pub(super) async fn do_delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        // Uploads in progress are discarded with the bucket, as on AWS.
        let garbage = self
            .state
            .meta
            .delete_bucket(&req.input.bucket)
            .await
            .map_err(meta_err)?;
        self.collect_garbage(garbage).await;
        Ok(S3Response::new(DeleteBucketOutput {}))
    }

    pub(super) async fn do_put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        let tags = tags_from_dto(req.input.tagging.tag_set, 50)?;
        let doc = serde_json::to_string(&tags).map_err(|_| s3_error!(InternalError))?;
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, "tagging", Some(&doc))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutBucketTaggingOutput {}))
    }

    pub(super) async fn do_get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        self.bucket(&req.input.bucket).await?;
        let doc = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, "tagging")
            .await
            .map_err(meta_err)?
            .ok_or_else(|| s3_error!(NoSuchTagSet, "The TagSet does not exist"))?;
        let tags: Tags = serde_json::from_str(&doc).map_err(|_| s3_error!(InternalError))?;
        Ok(S3Response::new(GetBucketTaggingOutput {
            tag_set: tags_to_dto(&tags),
        }))
    }

    pub(super) async fn do_delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, "tagging", None)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteBucketTaggingOutput {}))
    }
}
