//! Server-side encryption: the bucket default (Put/Get/DeleteBucketEncryption), the decision for
//! each new object how its blobs are sealed (SSE-S3, SSE-KMS under a key of the built-in key
//! service `crate::kms`, SSE-C), and the key a read needs.
//!
//! As on AWS since January 2023, a bucket without a configuration encrypts every new object with
//! SSE-S3 (`AES256`) and GetBucketEncryption reports that default; DeleteBucketEncryption returns
//! a bucket to it. `--no-default-encryption` turns the default off (benchmarks, old setups):
//! such buckets store plain blobs and GetBucketEncryption answers 404 as AWS did before 2023.

use super::CairnS3;
use crate::kms::KeyRef;
use crate::s3::customer_key::CustomerKey;
use crate::s3::error::{custom, meta_err};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cairn_blob::KeyWrap;
use cairn_meta::ObjectAttrs;
use http::{HeaderMap, StatusCode};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

/// The one algorithm Cairn implements.
pub const AES256: &str = "AES256";
const KMS: [&str; 2] = ["aws:kms", "aws:kms:dsse"];
/// The bucket sub-resource the configuration is stored under.
const CONFIG: &str = "encryption";

/// A bucket's encryption configuration as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    algorithm: String,
    #[serde(default)]
    bucket_key_enabled: bool,
    /// `KMSMasterKeyID` as given (AWS returns it as given); `None` is the AWS-managed key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kms_master_key_id: Option<String>,
}

/// AWS's answer for a KMS key id that names no key (400).
fn kms_not_found(key_id: &str) -> S3Error {
    let message = if key_id.starts_with("arn:") {
        format!("Key '{key_id}' does not exist")
    } else {
        format!("Invalid keyId '{key_id}'")
    };
    let mut e = S3Error::with_message(S3ErrorCode::Custom("KMS.NotFoundException".into()), message);
    e.set_status_code(StatusCode::BAD_REQUEST);
    e
}

fn kms_requires_header() -> S3Error {
    s3_error!(
        InvalidArgument,
        "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"
    )
}

/// GET and HEAD take no `x-amz-server-side-encryption*` headers (the object says how it is
/// encrypted): AWS answers 400.
pub fn refuse_on_read(headers: &HeaderMap) -> S3Result<()> {
    let given = [
        "x-amz-server-side-encryption",
        "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context",
    ]
    .iter()
    .any(|h| headers.contains_key(*h));
    if given {
        return Err(s3_error!(
            InvalidArgument,
            "x-amz-server-side-encryption header is not supported for this operation."
        ));
    }
    Ok(())
}

/// Checks an `x-amz-server-side-encryption-context` value: base64 of a JSON object of strings.
fn check_context(context: &str) -> S3Result<()> {
    let ok = B64
        .decode(context)
        .ok()
        .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok())
        .and_then(|v| v.as_object().map(|m| m.values().all(|v| v.is_string())))
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(s3_error!(
            InvalidArgument,
            "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map"
        ))
    }
}

/// AWS's answer to an `x-amz-server-side-encryption` value it does not know.
fn unsupported_method() -> S3Error {
    s3_error!(
        InvalidArgument,
        "The encryption method specified is not supported"
    )
}

/// The response header value for an object stored with `attrs`.
pub fn reported(attrs: &ObjectAttrs) -> Option<ServerSideEncryption> {
    attrs
        .server_side_encryption
        .clone()
        .map(ServerSideEncryption::from)
}

/// The SSE-KMS response headers (key ARN, bucket key enabled) for an object stored with `attrs`.
pub fn kms_reported(attrs: &ObjectAttrs) -> (Option<String>, Option<bool>) {
    match &attrs.sse_kms_key_id {
        Some(arn) => (Some(arn.clone()), attrs.bucket_key_enabled.then_some(true)),
        None => (None, None),
    }
}

/// The SSE-C response headers (algorithm, key MD5) for an object stored with `attrs`.
pub fn customer_reported(attrs: &ObjectAttrs) -> (Option<String>, Option<String>) {
    match &attrs.sse_customer_key_md5 {
        Some(md5) => (Some(AES256.to_string()), Some(md5.clone())),
        None => (None, None),
    }
}

/// How a new object's blobs are protected.
pub enum Protection {
    Plain,
    /// SSE-S3: data keys wrapped under the master key.
    S3,
    /// SSE-C: data keys wrapped under the customer's key.
    Customer(Box<CustomerKey>),
    /// SSE-KMS: data keys wrapped under a key derived for a KMS key.
    Kms(Box<KmsProtection>),
}

/// An object under a KMS key.
pub struct KmsProtection {
    /// `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    pub key: KeyRef,
    pub wrap: KeyWrap,
    pub bucket_key_enabled: bool,
}

/// What a write request asks for about encryption (the `x-amz-server-side-encryption*` headers
/// other than SSE-C's).
#[derive(Default, Clone, Copy)]
pub struct Requested<'a> {
    pub algorithm: Option<&'a ServerSideEncryption>,
    pub kms_key_id: Option<&'a str>,
    pub context: Option<&'a str>,
    pub bucket_key_enabled: Option<bool>,
}

impl Protection {
    /// The key wrap for new blobs, `None` for plain ones.
    pub fn wrap<'a>(&'a self, master: &'a KeyWrap) -> Option<&'a KeyWrap> {
        match self {
            Protection::Plain => None,
            Protection::S3 => Some(master),
            Protection::Customer(k) => Some(&k.wrap),
            Protection::Kms(k) => Some(&k.wrap),
        }
    }

    /// Records the protection in an object's (or upload's) attributes.
    pub fn record(&self, attrs: &mut ObjectAttrs) {
        attrs.server_side_encryption = match self {
            Protection::S3 => Some(AES256.to_string()),
            Protection::Kms(k) => Some(k.algorithm.clone()),
            Protection::Plain | Protection::Customer(_) => None,
        };
        attrs.sse_customer_key_md5 = match self {
            Protection::Customer(k) => Some(k.md5.clone()),
            _ => None,
        };
        (attrs.sse_kms_key_id, attrs.bucket_key_enabled) = match self {
            Protection::Kms(k) => (Some(k.key.arn()), k.bucket_key_enabled),
            _ => (None, false),
        };
    }
}

fn default_rule(
    algorithm: &str,
    kms_master_key_id: Option<String>,
    bucket_key_enabled: bool,
) -> ServerSideEncryptionConfiguration {
    ServerSideEncryptionConfiguration {
        rules: vec![ServerSideEncryptionRule {
            apply_server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                kms_master_key_id,
                sse_algorithm: ServerSideEncryption::from(algorithm.to_string()),
            }),
            bucket_key_enabled: Some(bucket_key_enabled),
        }],
    }
}

impl CairnS3 {
    /// The key to read an object's blobs with (or write an upload's parts with), `None` when
    /// they are plain. `given` is the request's SSE-C key: required, and the right one, for an
    /// SSE-C object (400 when missing, 403 when wrong, as AWS), refused for any other.
    pub(super) fn read_key(
        &self,
        attrs: &ObjectAttrs,
        given: Option<CustomerKey>,
    ) -> S3Result<Option<KeyWrap>> {
        match (&attrs.sse_customer_key_md5, given) {
            (Some(_), None) => Err(s3_error!(
                InvalidRequest,
                "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."
            )),
            (Some(md5), Some(k)) if *md5 != k.md5 => Err(s3_error!(AccessDenied, "Access Denied")),
            (Some(_), Some(k)) => Ok(Some(k.wrap)),
            (None, Some(_)) => Err(s3_error!(
                InvalidRequest,
                "The encryption parameters are not applicable to this object."
            )),
            (None, None) => match attrs.server_side_encryption.as_deref() {
                None => Ok(None),
                Some(alg) if KMS.contains(&alg) => {
                    // The recorded ARN is all a read needs: the key's material is derived.
                    let key = attrs
                        .sse_kms_key_id
                        .as_deref()
                        .and_then(KeyRef::from_arn)
                        .ok_or_else(|| s3_error!(InternalError))?;
                    Ok(Some(
                        self.state.master.kms_key_wrap(&key.account, &key.key_id),
                    ))
                }
                Some(_) => Ok(Some(self.state.master.key_wrap().clone())),
            },
        }
    }

    /// The KMS protection for a new object of `bucket` under the key `key_id` names (the
    /// AWS-managed key when `None`), among the keys of the bucket owner's account in the
    /// bucket's region.
    async fn kms_protection(
        &self,
        bucket: &str,
        algorithm: &str,
        key_id: Option<&str>,
        bucket_key_enabled: bool,
    ) -> S3Result<Protection> {
        let b = self.bucket(bucket).await?;
        let key = self
            .state
            .kms
            .resolve(&b.region, &b.account_id, key_id)
            .map_err(|e| kms_not_found(&e.0))?;
        let wrap = self.state.master.kms_key_wrap(&key.account, &key.key_id);
        Ok(Protection::Kms(Box::new(KmsProtection {
            algorithm: algorithm.to_string(),
            key,
            wrap,
            bucket_key_enabled,
        })))
    }

    async fn stored_config(&self, bucket: &str) -> S3Result<Option<Stored>> {
        let doc = self
            .state
            .meta
            .get_bucket_config(bucket, CONFIG)
            .await
            .map_err(meta_err)?;
        doc.map(|d| serde_json::from_str(&d).map_err(|_| s3_error!(InternalError)))
            .transpose()
    }

    /// How a new object in `bucket` is protected: the request's SSE-C key, else its
    /// `x-amz-server-side-encryption*` headers, else the bucket default.
    pub(super) async fn protect_new_object(
        &self,
        bucket: &str,
        requested: Requested<'_>,
        customer: Option<CustomerKey>,
    ) -> S3Result<Protection> {
        if let Some(key) = customer {
            if requested.algorithm.is_some() || requested.kms_key_id.is_some() {
                return Err(s3_error!(
                    InvalidArgument,
                    "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"
                ));
            }
            return Ok(Protection::Customer(Box::new(key)));
        }
        let is_kms = requested
            .algorithm
            .is_some_and(|a| KMS.contains(&a.as_str()));
        if !is_kms && (requested.kms_key_id.is_some() || requested.context.is_some()) {
            return Err(kms_requires_header());
        }
        if let Some(context) = requested.context {
            check_context(context)?;
        }
        match requested.algorithm.map(|r| r.as_str()) {
            Some(AES256) => Ok(Protection::S3),
            Some(alg) if KMS.contains(&alg) => {
                // Without the header, the bucket's Bucket Key setting applies (as on AWS).
                let bucket_key = match requested.bucket_key_enabled {
                    Some(b) => b,
                    None => self
                        .stored_config(bucket)
                        .await?
                        .is_some_and(|c| c.bucket_key_enabled),
                };
                self.kms_protection(bucket, alg, requested.kms_key_id, bucket_key)
                    .await
            }
            Some(_) => Err(unsupported_method()),
            None => match self.stored_config(bucket).await? {
                Some(c) if KMS.contains(&c.algorithm.as_str()) => {
                    let bucket_key = requested.bucket_key_enabled.unwrap_or(c.bucket_key_enabled);
                    self.kms_protection(
                        bucket,
                        &c.algorithm,
                        c.kms_master_key_id.as_deref(),
                        bucket_key,
                    )
                    .await
                }
                Some(c) if c.algorithm == AES256 => Ok(Protection::S3),
                Some(_) => Ok(Protection::Plain),
                None if self.state.default_encryption => Ok(Protection::S3),
                None => Ok(Protection::Plain),
            },
        }
    }

    pub(super) async fn do_put_bucket_encryption(
        &self,
        req: S3Request<PutBucketEncryptionInput>,
    ) -> S3Result<S3Response<PutBucketEncryptionOutput>> {
        let input = req.input;
        let bucket = self.bucket(&input.bucket).await?;
        let malformed = || {
            s3_error!(
                MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        };
        let [rule] = input.server_side_encryption_configuration.rules.as_slice() else {
            return Err(malformed());
        };
        let by_default = rule
            .apply_server_side_encryption_by_default
            .as_ref()
            .ok_or_else(malformed)?;
        let algorithm = by_default.sse_algorithm.as_str();
        let key_id = by_default
            .kms_master_key_id
            .as_deref()
            .filter(|k| !k.is_empty());
        if KMS.contains(&algorithm) {
            // A key that does not exist is refused now rather than on every later upload.
            self.state
                .kms
                .resolve(&bucket.region, &bucket.account_id, key_id)
                .map_err(|e| kms_not_found(&e.0))?;
        } else if algorithm != AES256 {
            return Err(malformed());
        } else if key_id.is_some() {
            return Err(s3_error!(
                InvalidArgument,
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"
            ));
        }
        let doc = serde_json::to_string(&Stored {
            algorithm: algorithm.to_string(),
            bucket_key_enabled: rule.bucket_key_enabled.unwrap_or(false),
            kms_master_key_id: key_id.map(str::to_string),
        })
        .map_err(|_| s3_error!(InternalError))?;
        self.state
            .meta
            .put_bucket_config(&input.bucket, CONFIG, Some(&doc))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutBucketEncryptionOutput::default()))
    }

    pub(super) async fn do_get_bucket_encryption(
        &self,
        req: S3Request<GetBucketEncryptionInput>,
    ) -> S3Result<S3Response<GetBucketEncryptionOutput>> {
        self.bucket(&req.input.bucket).await?;
        let config = match self.stored_config(&req.input.bucket).await? {
            Some(c) => default_rule(&c.algorithm, c.kms_master_key_id, c.bucket_key_enabled),
            None if self.state.default_encryption => default_rule(AES256, None, false),
            None => {
                return Err(custom(
                    "ServerSideEncryptionConfigurationNotFoundError",
                    StatusCode::NOT_FOUND,
                    "The server side encryption configuration was not found",
                ));
            }
        };
        Ok(S3Response::new(GetBucketEncryptionOutput {
            server_side_encryption_configuration: Some(config),
        }))
    }

    pub(super) async fn do_delete_bucket_encryption(
        &self,
        req: S3Request<DeleteBucketEncryptionInput>,
    ) -> S3Result<S3Response<DeleteBucketEncryptionOutput>> {
        self.bucket(&req.input.bucket).await?;
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, CONFIG, None)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteBucketEncryptionOutput::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_errors_are_aws_400s() {
        let e = kms_not_found("testkey-9");
        assert_eq!(e.code().as_str(), "KMS.NotFoundException");
        assert_eq!(e.status_code(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(e.message(), Some("Invalid keyId 'testkey-9'"));
        let e = kms_not_found("arn:aws:kms:us-east-1:111122223333:key/x");
        assert_eq!(
            e.message(),
            Some("Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist")
        );
    }

    #[test]
    fn contexts_are_base64_json_string_maps() {
        assert!(check_context(&B64.encode(r#"{"a":"b"}"#)).is_ok());
        assert!(check_context(&B64.encode("{}")).is_ok());
        for bad in [r#"{"a":1}"#, "[]", "x"] {
            assert!(check_context(&B64.encode(bad)).is_err(), "{bad}");
        }
        assert!(check_context("%%").is_err());
    }
}
