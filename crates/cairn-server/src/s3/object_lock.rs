//! Object Lock: a bucket's default retention, per-version retention (GOVERNANCE / COMPLIANCE)
//! and legal holds. A protected version cannot be deleted by anyone, root included; GOVERNANCE
//! yields only to `x-amz-bypass-governance-retention` with s3:BypassGovernanceRetention.

use super::{CairnS3, caller};
use crate::principal::Principal;
use crate::s3::error::meta_err;
use crate::time::{now_ms, to_timestamp};
use cairn_meta::ObjectRecord;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

pub const OBJECT_LOCK: &str = "object-lock";
const DAY_MS: i64 = 86_400_000;

/// A bucket's Object Lock configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockConfig {
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub days: Option<i32>,
    #[serde(default)]
    pub years: Option<i32>,
}

impl LockConfig {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A retention mode exactly as S3 spells it. s3s accepts any string for the mode enums, and a
/// misspelled mode (`governance`) stored as such would lock a version with no way to bypass it.
fn retention_mode(mode: &str, bad: fn(&str) -> s3s::S3Error) -> S3Result<String> {
    match mode {
        ObjectLockRetentionMode::GOVERNANCE | ObjectLockRetentionMode::COMPLIANCE => {
            Ok(mode.to_string())
        }
        other => Err(bad(other)),
    }
}

/// In an XML body (PutObjectRetention, PutObjectLockConfiguration) S3 answers MalformedXML.
fn malformed_mode(_: &str) -> s3s::S3Error {
    s3_error!(
        MalformedXML,
        "The XML you provided was not well-formed or did not validate against our published schema"
    )
}

/// In the `x-amz-object-lock-mode` header S3 answers InvalidArgument.
fn invalid_mode_header(_: &str) -> s3s::S3Error {
    s3_error!(InvalidArgument, "Unknown wormMode directive.")
}

fn denied(reason: &str) -> s3s::S3Error {
    s3_error!(
        AccessDenied,
        "Access Denied because object protected by {reason}"
    )
}

impl CairnS3 {
    /// `Some` when the bucket has Object Lock enabled.
    pub(crate) async fn lock_config(&self, bucket: &str) -> S3Result<Option<LockConfig>> {
        let doc = self
            .state
            .meta
            .get_bucket_config(bucket, OBJECT_LOCK)
            .await
            .map_err(meta_err)?;
        Ok(doc.map(|d| serde_json::from_str(&d).unwrap_or_default()))
    }

    /// Retention and legal hold of a new version: from the request's headers, else the bucket's
    /// default retention.
    pub(crate) async fn initial_lock(
        &self,
        bucket: &str,
        mode: Option<&ObjectLockMode>,
        until: Option<&Timestamp>,
        hold: Option<&ObjectLockLegalHoldStatus>,
    ) -> S3Result<(Option<(String, i64)>, bool)> {
        let config = self.lock_config(bucket).await?;
        let asked = mode.is_some() || until.is_some() || hold.is_some();
        let Some(config) = config else {
            if asked {
                return Err(s3_error!(
                    InvalidRequest,
                    "Bucket is missing Object Lock Configuration"
                ));
            }
            return Ok((None, false));
        };
        let hold = hold.is_some_and(|h| h.as_str() == ObjectLockLegalHoldStatus::ON);
        let retention = match (mode, until) {
            (Some(m), Some(u)) => {
                let until = to_ms(u);
                if until <= now_ms() {
                    return Err(s3_error!(
                        InvalidArgument,
                        "The retain until date must be in the future!"
                    ));
                }
                Some((retention_mode(m.as_str(), invalid_mode_header)?, until))
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(s3_error!(
                    InvalidArgument,
                    "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
                ));
            }
            (None, None) => match (&config.mode, config.days, config.years) {
                (Some(m), Some(d), _) => Some((m.clone(), now_ms() + i64::from(d) * DAY_MS)),
                (Some(m), None, Some(y)) => {
                    Some((m.clone(), now_ms() + i64::from(y) * 365 * DAY_MS))
                }
                _ => None,
            },
        };
        Ok((retention, hold))
    }

    /// Refuses removing a version that Object Lock protects.
    pub(crate) async fn check_removable(
        &self,
        principal: &Principal,
        obj: &ObjectRecord,
        bypass: bool,
        context: Vec<(String, Vec<String>)>,
    ) -> S3Result<()> {
        if obj.attrs.legal_hold {
            return Err(denied("a legal hold"));
        }
        match &obj.attrs.retention {
            Some((mode, until)) if *until > now_ms() => {
                if mode == "GOVERNANCE" && bypass {
                    crate::access::check_action(
                        &self.state,
                        principal,
                        "s3:BypassGovernanceRetention",
                        &obj.bucket,
                        Some(&obj.key),
                        context,
                    )
                    .await
                } else {
                    Err(denied(&format!("{} retention", mode.to_lowercase())))
                }
            }
            _ => Ok(()),
        }
    }

    pub(super) async fn do_put_object_lock_configuration(
        &self,
        req: S3Request<PutObjectLockConfigurationInput>,
    ) -> S3Result<S3Response<PutObjectLockConfigurationOutput>> {
        let input = req.input;
        self.bucket(&input.bucket).await?;
        let cfg = input
            .object_lock_configuration
            .ok_or_else(|| s3_error!(MalformedXML, "The XML you provided was not well-formed"))?;
        if cfg.object_lock_enabled.as_ref().map(|e| e.as_str()) != Some(ObjectLockEnabled::ENABLED)
        {
            return Err(s3_error!(MalformedXML, "ObjectLockEnabled must be Enabled"));
        }
        if self
            .state
            .meta
            .versioning(&input.bucket)
            .await
            .map_err(meta_err)?
            != cairn_meta::Versioning::Enabled
        {
            return Err(s3_error!(
                InvalidBucketState,
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
            ));
        }
        let mut config = LockConfig::default();
        if let Some(d) = cfg.rule.and_then(|r| r.default_retention) {
            match (d.days, d.years) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(s3_error!(
                        MalformedXML,
                        "Default retention needs exactly one of Days or Years"
                    ));
                }
                (Some(n), None) | (None, Some(n)) if n <= 0 => {
                    return Err(s3_error!(
                        InvalidArgument,
                        "Default retention period must be a positive integer value"
                    ));
                }
                _ => {}
            }
            config.mode = Some(retention_mode(
                d.mode
                    .ok_or_else(|| s3_error!(MalformedXML, "Default retention needs a Mode"))?
                    .as_str(),
                malformed_mode,
            )?);
            config.days = d.days;
            config.years = d.years;
        }
        self.state
            .meta
            .put_bucket_config(&input.bucket, OBJECT_LOCK, Some(&config.to_json()))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutObjectLockConfigurationOutput::default()))
    }

    pub(super) async fn do_get_object_lock_configuration(
        &self,
        req: S3Request<GetObjectLockConfigurationInput>,
    ) -> S3Result<S3Response<GetObjectLockConfigurationOutput>> {
        self.bucket(&req.input.bucket).await?;
        let config = self.lock_config(&req.input.bucket).await?.ok_or_else(|| {
            s3_error!(
                ObjectLockConfigurationNotFoundError,
                "Object Lock configuration does not exist for this bucket"
            )
        })?;
        let rule = config.mode.map(|m| ObjectLockRule {
            default_retention: Some(DefaultRetention {
                mode: Some(ObjectLockRetentionMode::from(m)),
                days: config.days,
                years: config.years,
            }),
        });
        Ok(S3Response::new(GetObjectLockConfigurationOutput {
            object_lock_configuration: Some(ObjectLockConfiguration {
                object_lock_enabled: Some(ObjectLockEnabled::from(
                    ObjectLockEnabled::ENABLED.to_string(),
                )),
                rule,
            }),
        }))
    }

    async fn locked_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> S3Result<ObjectRecord> {
        if self.lock_config(bucket).await?.is_none() {
            self.bucket(bucket).await?;
            return Err(s3_error!(
                InvalidRequest,
                "Bucket is missing Object Lock Configuration"
            ));
        }
        self.object_at(bucket, key, version_id).await
    }

    pub(super) async fn do_put_object_retention(
        &self,
        req: S3Request<PutObjectRetentionInput>,
    ) -> S3Result<S3Response<PutObjectRetentionOutput>> {
        let principal = caller(&req)?;
        let context = self.request_context(&req);
        let input = req.input;
        let mut obj = self
            .locked_version(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        let new = match input.retention.map(|r| (r.mode, r.retain_until_date)) {
            Some((Some(m), Some(u))) => {
                Some((retention_mode(m.as_str(), malformed_mode)?, to_ms(&u)))
            }
            Some((None, None)) | None => None,
            Some(_) => return Err(malformed_mode("")),
        };
        let bypass = input.bypass_governance_retention.unwrap_or(false);
        if let Some((mode, until)) = &obj.attrs.retention
            && *until > now_ms()
        {
            let weakened = match &new {
                None => true,
                // Only extending the date is free; any change of mode alters a lock setting.
                Some((m, u)) => u < until || m != mode,
            };
            if weakened {
                if mode == "COMPLIANCE" {
                    return Err(denied("compliance retention"));
                }
                if !bypass {
                    return Err(denied("governance retention"));
                }
                crate::access::check_action(
                    &self.state,
                    &principal,
                    "s3:BypassGovernanceRetention",
                    &obj.bucket,
                    Some(&obj.key),
                    context,
                )
                .await?;
            }
        }
        obj.attrs.retention = new;
        self.state
            .meta
            .set_version_attrs(&obj.bucket, &obj.key, &obj.version_id, &obj.attrs)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutObjectRetentionOutput::default()))
    }

    pub(super) async fn do_get_object_retention(
        &self,
        req: S3Request<GetObjectRetentionInput>,
    ) -> S3Result<S3Response<GetObjectRetentionOutput>> {
        let input = req.input;
        let obj = self
            .locked_version(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        let (mode, until) = obj.attrs.retention.ok_or_else(|| {
            s3_error!(
                NoSuchObjectLockConfiguration,
                "The specified object does not have a ObjectLock configuration"
            )
        })?;
        Ok(S3Response::new(GetObjectRetentionOutput {
            retention: Some(ObjectLockRetention {
                mode: Some(ObjectLockRetentionMode::from(mode)),
                retain_until_date: Some(to_timestamp(until)),
            }),
        }))
    }

    pub(super) async fn do_put_object_legal_hold(
        &self,
        req: S3Request<PutObjectLegalHoldInput>,
    ) -> S3Result<S3Response<PutObjectLegalHoldOutput>> {
        let input = req.input;
        let mut obj = self
            .locked_version(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        obj.attrs.legal_hold = match input.legal_hold.and_then(|h| h.status) {
            Some(s) if s.as_str() == ObjectLockLegalHoldStatus::ON => true,
            Some(s) if s.as_str() == ObjectLockLegalHoldStatus::OFF => false,
            _ => {
                return Err(s3_error!(
                    MalformedXML,
                    "The XML you provided was not well-formed or did not validate against our published schema"
                ));
            }
        };
        self.state
            .meta
            .set_version_attrs(&obj.bucket, &obj.key, &obj.version_id, &obj.attrs)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutObjectLegalHoldOutput::default()))
    }

    pub(super) async fn do_get_object_legal_hold(
        &self,
        req: S3Request<GetObjectLegalHoldInput>,
    ) -> S3Result<S3Response<GetObjectLegalHoldOutput>> {
        let input = req.input;
        let obj = self
            .locked_version(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        let status = if obj.attrs.legal_hold {
            ObjectLockLegalHoldStatus::ON
        } else {
            ObjectLockLegalHoldStatus::OFF
        };
        Ok(S3Response::new(GetObjectLegalHoldOutput {
            legal_hold: Some(ObjectLockLegalHold {
                status: Some(ObjectLockLegalHoldStatus::from(status.to_string())),
            }),
        }))
    }

    /// Nothing is archived in Cairn, so there is never anything to restore.
    pub(super) async fn do_restore_object(
        &self,
        req: S3Request<RestoreObjectInput>,
    ) -> S3Result<S3Response<RestoreObjectOutput>> {
        let input = req.input;
        self.object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        Err(s3_error!(
            InvalidObjectState,
            "Restore is not allowed for the object's current storage class"
        ))
    }
}

fn to_ms(t: &Timestamp) -> i64 {
    let t = time::OffsetDateTime::from(t.clone());
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
