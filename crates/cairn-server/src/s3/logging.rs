//! Server access logging: Put/GetBucketLogging, one line per request in AWS's server access log
//! format (S3 User Guide, "Amazon S3 server access log format"), delivered in batches as objects
//! to the target bucket — when its bucket policy lets `logging.s3.amazonaws.com` write there.

use super::CairnS3;
use crate::s3::error::meta_err;
use crate::state::State;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const LOGGING: &str = "logging";
const LOGGING_SERVICE: &str = "logging.s3.amazonaws.com";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingConfig {
    pub target_bucket: String,
    pub target_prefix: String,
    /// `TargetObjectKeyFormat` as given (none: S3's simple keys, and none shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<KeyFormat>,
}

/// How delivered log objects are named (S3 User Guide, "Log object key format").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyFormat {
    /// `[prefix][YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]`.
    Simple,
    /// `[prefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/` and then the
    /// simple name. Cairn delivers within seconds of the requests, so the delivery time stands
    /// for the event time too.
    Partitioned { date_source: Option<String> },
}

impl KeyFormat {
    fn from_dto(f: TargetObjectKeyFormat) -> S3Result<KeyFormat> {
        match (f.simple_prefix, f.partitioned_prefix) {
            (Some(_), None) => Ok(KeyFormat::Simple),
            (None, Some(p)) => {
                let source = p.partition_date_source.map(|s| s.as_str().to_string());
                match source.as_deref() {
                    None
                    | Some(PartitionDateSource::EVENT_TIME)
                    | Some(PartitionDateSource::DELIVERY_TIME) => Ok(KeyFormat::Partitioned {
                        date_source: source,
                    }),
                    Some(_) => Err(malformed()),
                }
            }
            _ => Err(malformed()),
        }
    }

    fn to_dto(&self) -> TargetObjectKeyFormat {
        match self {
            KeyFormat::Simple => TargetObjectKeyFormat {
                simple_prefix: Some(SimplePrefix {}),
                partitioned_prefix: None,
            },
            KeyFormat::Partitioned { date_source } => TargetObjectKeyFormat {
                simple_prefix: None,
                partitioned_prefix: Some(PartitionedPrefix {
                    partition_date_source: date_source.clone().map(PartitionDateSource::from),
                }),
            },
        }
    }
}

fn malformed() -> s3s::S3Error {
    s3_error!(
        MalformedXML,
        "The XML you provided was not well-formed or did not validate against our published schema"
    )
}

/// What the authorization step learns about a request, for its log line.
#[derive(Debug, Clone, Default)]
pub struct LogInfo {
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub operation: String,
    pub requester: Option<String>,
    pub auth_type: Option<&'static str>,
    pub signature_version: Option<&'static str>,
}

/// Filled by [`crate::access`], read by the router once the response is known.
pub type LogSlot = Arc<Mutex<Option<LogInfo>>>;

/// Lines waiting for delivery, per source bucket.
#[derive(Default)]
pub struct AccessLogs {
    pending: Mutex<HashMap<String, Vec<String>>>,
}

impl AccessLogs {
    pub fn push(&self, bucket: &str, line: String) {
        if let Ok(mut p) = self.pending.lock() {
            p.entry(bucket.to_string()).or_default().push(line);
        }
    }

    fn take(&self) -> HashMap<String, Vec<String>> {
        self.pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }
}

/// S3's name for an operation in logs: `REST.GET.OBJECT`, `REST.PUT.BUCKETPOLICY`, …
pub fn operation_name(method: &str, op: &str) -> String {
    let resource = match op {
        "GetObject" | "PutObject" | "HeadObject" | "DeleteObject" | "CopyObject" | "PostObject" => {
            "OBJECT"
        }
        "ListObjects" | "ListObjectsV2" | "HeadBucket" | "CreateBucket" | "DeleteBucket" => {
            "BUCKET"
        }
        "DeleteObjects" => "MULTI_OBJECT_DELETE",
        "UploadPart" | "UploadPartCopy" => "PART",
        "CreateMultipartUpload"
        | "CompleteMultipartUpload"
        | "AbortMultipartUpload"
        | "ListParts" => "UPLOAD",
        "ListMultipartUploads" => "UPLOADS",
        "ListObjectVersions" => "BUCKETVERSIONS",
        other => {
            let noun = other
                .trim_start_matches("Get")
                .trim_start_matches("Put")
                .trim_start_matches("Delete")
                .trim_start_matches("Bucket");
            return format!("REST.{method}.{}", noun.to_ascii_uppercase());
        }
    };
    format!("REST.{method}.{resource}")
}

fn dash(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "-".to_string(),
    }
}

/// One log line in AWS's field order.
#[allow(clippy::too_many_arguments)]
pub fn format_line(
    owner_id: &str,
    info: &LogInfo,
    remote_ip: &str,
    request_id: &str,
    request_uri: &str,
    status: u16,
    error_code: Option<&str>,
    bytes_sent: Option<u64>,
    total_ms: u128,
    referer: Option<&str>,
    user_agent: Option<&str>,
    version_id: Option<&str>,
    host: Option<&str>,
) -> String {
    let time = time::OffsetDateTime::now_utc();
    let stamp = time
        .format(time::macros::format_description!(
            "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
        ))
        .unwrap_or_default();
    format!(
        "{owner_id} {} [{stamp}] {remote_ip} {} {request_id} {} {} \"{request_uri}\" {status} {} {} - {total_ms} - \"{}\" \"{}\" {} {request_id} {} - {} {} - - -",
        dash(info.bucket.as_deref()),
        dash(info.requester.as_deref()),
        info.operation,
        dash(info.key.as_deref()),
        dash(error_code),
        bytes_sent.map_or("-".to_string(), |b| b.to_string()),
        dash(referer),
        dash(user_agent),
        dash(version_id),
        dash(info.signature_version),
        dash(info.auth_type),
        dash(host),
    )
}

/// The logging configuration of a bucket, if any.
pub async fn config(state: &State, bucket: &str) -> Option<LoggingConfig> {
    let doc = state.meta.get_bucket_config(bucket, LOGGING).await.ok()??;
    serde_json::from_str(&doc).ok()
}

impl CairnS3 {
    pub(super) async fn do_put_bucket_logging(
        &self,
        req: S3Request<PutBucketLoggingInput>,
    ) -> S3Result<S3Response<PutBucketLoggingOutput>> {
        let input = req.input;
        let source = self.bucket(&input.bucket).await?;
        let doc = match input.bucket_logging_status.logging_enabled {
            None => None,
            Some(l) => {
                let target = self
                    .state
                    .meta
                    .get_bucket(&l.target_bucket)
                    .await
                    .map_err(meta_err)?;
                match target {
                    Some(t) if t.account_id == source.account_id && t.region == source.region => {}
                    _ => {
                        return Err(s3_error!(
                            InvalidTargetBucketForLogging,
                            "The target bucket for logging does not exist, is not owned by you, or does not have an appropriate region"
                        ));
                    }
                }
                let c = LoggingConfig {
                    target_bucket: l.target_bucket,
                    target_prefix: l.target_prefix,
                    key_format: l
                        .target_object_key_format
                        .map(KeyFormat::from_dto)
                        .transpose()?,
                };
                Some(serde_json::to_string(&c).map_err(|_| s3_error!(InternalError))?)
            }
        };
        self.state
            .meta
            .put_bucket_config(&input.bucket, LOGGING, doc.as_deref())
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutBucketLoggingOutput {}))
    }

    pub(super) async fn do_get_bucket_logging(
        &self,
        req: S3Request<GetBucketLoggingInput>,
    ) -> S3Result<S3Response<GetBucketLoggingOutput>> {
        self.bucket(&req.input.bucket).await?;
        let logging_enabled =
            config(&self.state, &req.input.bucket)
                .await
                .map(|c| LoggingEnabled {
                    target_bucket: c.target_bucket,
                    target_prefix: c.target_prefix,
                    target_grants: None,
                    target_object_key_format: c.key_format.as_ref().map(KeyFormat::to_dto),
                });
        Ok(S3Response::new(GetBucketLoggingOutput { logging_enabled }))
    }

    /// Delivers every pending batch: one object per source bucket, written as the target's
    /// owner if its bucket policy allows the logging service. Undeliverable logs are dropped,
    /// as on AWS.
    pub async fn flush_access_logs(&self) {
        for (source, lines) in self.state.access_logs.take() {
            if lines.is_empty() {
                continue;
            }
            let Some(cfg) = config(&self.state, &source).await else {
                continue;
            };
            let Ok(Some(target)) = self.state.meta.get_bucket(&cfg.target_bucket).await else {
                continue;
            };
            let now = time::OffsetDateTime::now_utc();
            let partition = match &cfg.key_format {
                Some(KeyFormat::Partitioned { .. }) => {
                    let Ok(Some(src)) = self.state.meta.get_bucket(&source).await else {
                        continue;
                    };
                    format!(
                        "{}/{}/{}/{}/",
                        src.account_id,
                        src.region,
                        source,
                        now.format(time::macros::format_description!("[year]/[month]/[day]"))
                            .unwrap_or_default()
                    )
                }
                _ => String::new(),
            };
            let key = format!(
                "{}{partition}{}-{}",
                cfg.target_prefix,
                now.format(time::macros::format_description!(
                    "[year]-[month]-[day]-[hour]-[minute]-[second]"
                ))
                .unwrap_or_default(),
                &uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase()
            );
            let policy = match self
                .state
                .meta
                .get_bucket_config(&target.name, crate::access::BUCKET_POLICY)
                .await
            {
                Ok(Some(doc)) => self
                    .state
                    .policies
                    .parse(&doc, cairn_policy::PolicyKind::Resource)
                    .ok(),
                _ => None,
            };
            let resource = crate::access::s3_arn(&target.name, Some(&key));
            if !crate::authz::service_allowed(
                LOGGING_SERVICE,
                "s3:PutObject",
                &resource,
                &target.account_id,
                policy.as_deref(),
            ) {
                tracing::warn!(source, target = %target.name, "access log delivery not allowed by the target bucket policy");
                continue;
            }
            let mut body = lines.join("\n");
            body.push('\n');
            if let Err(e) = self
                .store_internal(&target.name, &key, body.into_bytes(), "text/plain")
                .await
            {
                tracing::warn!(source, err = %e, "access log delivery failed");
            }
        }
    }
}
