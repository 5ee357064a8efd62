//! Bucket lifecycle configuration (Put/Get/DeleteBucketLifecycleConfiguration): validated as S3
//! validates it and stored as S3's own XML (s3s's serializer, so what Get returns is what Put
//! was given, field for field). A missing rule ID gets a generated one, as on AWS. The rules are
//! applied in the background by `lifecycle_run.rs` (expiration, noncurrent expiration, lone
//! delete markers, stale multipart uploads; transitions have nowhere to go and are ignored).

use super::CairnS3;
use crate::s3::error::meta_err;
use s3s::dto::*;
use s3s::xml::{Deserialize, Deserializer, Serialize, Serializer};
use s3s::{S3Request, S3Response, S3Result, s3_error};

pub(super) const LIFECYCLE: &str = "lifecycle";

/// S3's limits and rules for a configuration (PutBucketLifecycleConfiguration).
fn validate(rules: &mut [LifecycleRule]) -> S3Result<()> {
    if rules.is_empty() || rules.len() > 1000 {
        return Err(s3_error!(
            MalformedXML,
            "A lifecycle configuration has 1 to 1000 rules"
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for rule in rules.iter_mut() {
        match rule.status.as_str() {
            ExpirationStatus::ENABLED | ExpirationStatus::DISABLED => {}
            _ => {
                return Err(s3_error!(
                    MalformedXML,
                    "The XML you provided was not well-formed or did not validate against our published schema"
                ));
            }
        }
        let id = rule
            .id
            .get_or_insert_with(|| uuid::Uuid::new_v4().simple().to_string());
        if id.len() > 255 {
            return Err(s3_error!(
                InvalidArgument,
                "ID length should not exceed allowed limit of 255"
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(s3_error!(
                InvalidArgument,
                "Rule ID must be unique. Found same ID for more than one rule"
            ));
        }
        let positive = |days: Option<i32>| days.is_none_or(|d| d > 0);
        if let Some(e) = &rule.expiration
            && !positive(e.days)
        {
            return Err(s3_error!(
                InvalidArgument,
                "'Days' for Expiration action must be a positive integer"
            ));
        }
        let dates = rule
            .expiration
            .iter()
            .filter_map(|e| e.date.as_ref())
            .chain(
                rule.transitions
                    .iter()
                    .flatten()
                    .filter_map(|t| t.date.as_ref()),
            );
        for date in dates {
            if !at_midnight_utc(date) {
                return Err(s3_error!(InvalidArgument, "'Date' must be at midnight GMT"));
            }
        }
        if let Some(e) = &rule.noncurrent_version_expiration
            && !positive(e.noncurrent_days)
        {
            return Err(s3_error!(
                InvalidArgument,
                "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"
            ));
        }
    }
    Ok(())
}

/// Lifecycle dates name a day: S3 accepts only midnight UTC.
fn at_midnight_utc(date: &Date) -> bool {
    let at = time::OffsetDateTime::from(date.clone()).to_offset(time::UtcOffset::UTC);
    at.time() == time::Time::MIDNIGHT
}

fn to_xml(config: &BucketLifecycleConfiguration) -> S3Result<String> {
    let mut buf = Vec::new();
    config
        .serialize(&mut Serializer::new(&mut buf))
        .map_err(|_| s3_error!(InternalError))?;
    String::from_utf8(buf).map_err(|_| s3_error!(InternalError))
}

pub(super) fn from_xml(doc: &str) -> S3Result<BucketLifecycleConfiguration> {
    BucketLifecycleConfiguration::deserialize(&mut Deserializer::new(doc.as_bytes())).map_err(
        |_| {
            s3_error!(
                InternalError,
                "stored lifecycle configuration is unreadable"
            )
        },
    )
}

impl CairnS3 {
    pub(super) async fn do_put_bucket_lifecycle_configuration(
        &self,
        req: S3Request<PutBucketLifecycleConfigurationInput>,
    ) -> S3Result<S3Response<PutBucketLifecycleConfigurationOutput>> {
        let input = req.input;
        self.bucket(&input.bucket).await?;
        let mut config = input
            .lifecycle_configuration
            .ok_or_else(|| s3_error!(MalformedXML, "Missing LifecycleConfiguration"))?;
        validate(&mut config.rules)?;
        let doc = to_xml(&config)?;
        self.state
            .meta
            .put_bucket_config(&input.bucket, LIFECYCLE, Some(&doc))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(
            PutBucketLifecycleConfigurationOutput::default(),
        ))
    }

    pub(super) async fn do_get_bucket_lifecycle_configuration(
        &self,
        req: S3Request<GetBucketLifecycleConfigurationInput>,
    ) -> S3Result<S3Response<GetBucketLifecycleConfigurationOutput>> {
        self.bucket(&req.input.bucket).await?;
        let doc = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, LIFECYCLE)
            .await
            .map_err(meta_err)?
            .ok_or_else(|| {
                s3_error!(
                    NoSuchLifecycleConfiguration,
                    "The lifecycle configuration does not exist"
                )
            })?;
        Ok(S3Response::new(GetBucketLifecycleConfigurationOutput {
            rules: Some(from_xml(&doc)?.rules),
            ..Default::default()
        }))
    }

    pub(super) async fn do_delete_bucket_lifecycle(
        &self,
        req: S3Request<DeleteBucketLifecycleInput>,
    ) -> S3Result<S3Response<DeleteBucketLifecycleOutput>> {
        self.bucket(&req.input.bucket).await?;
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, LIFECYCLE, None)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteBucketLifecycleOutput::default()))
    }
}
