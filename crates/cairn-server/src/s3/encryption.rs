//! Server-side encryption: the bucket default (Put/Get/DeleteBucketEncryption), the decision for
//! each new object whether its blobs are sealed (SSE-S3), and AWS's answers for what Cairn
//! cannot do (SSE-KMS: there is no KMS).
//!
//! As on AWS since January 2023, a bucket without a configuration encrypts every new object with
//! SSE-S3 (`AES256`) and GetBucketEncryption reports that default; DeleteBucketEncryption returns
//! a bucket to it. `--no-default-encryption` turns the default off (benchmarks, old setups):
//! such buckets store plain blobs and GetBucketEncryption answers 404 as AWS did before 2023.

use super::CairnS3;
use crate::s3::customer_key::CustomerKey;
use crate::s3::error::{custom, meta_err};
use cairn_blob::KeyWrap;
use cairn_meta::ObjectAttrs;
use http::StatusCode;
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

/// The one algorithm Cairn implements.
pub const AES256: &str = "AES256";
const KMS: [&str; 2] = ["aws:kms", "aws:kms:dsse"];
/// The bucket sub-resource the configuration is stored under.
const CONFIG: &str = "encryption";

/// A bucket's encryption configuration as stored (only SSE-S3 can be configured).
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    algorithm: String,
    #[serde(default)]
    bucket_key_enabled: bool,
}

/// AWS's answer when SSE-KMS is asked for: a KMS key that cannot be found (400). With no key id
/// AWS names its default key `aws/s3`.
fn kms_unavailable(key_id: Option<&str>) -> S3Error {
    let message = match key_id {
        Some(id) => format!("Key '{id}' does not exist"),
        None => "Invalid keyId aws/s3".to_string(),
    };
    let mut e = S3Error::with_message(S3ErrorCode::Custom("KMS.NotFoundException".into()), message);
    e.set_status_code(StatusCode::BAD_REQUEST);
    e
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
}

impl Protection {
    /// The key wrap for new blobs, `None` for plain ones.
    pub fn wrap<'a>(&'a self, master: &'a KeyWrap) -> Option<&'a KeyWrap> {
        match self {
            Protection::Plain => None,
            Protection::S3 => Some(master),
            Protection::Customer(k) => Some(&k.wrap),
        }
    }

    /// Records the protection in an object's (or upload's) attributes.
    pub fn record(&self, attrs: &mut ObjectAttrs) {
        attrs.server_side_encryption = matches!(self, Protection::S3).then(|| AES256.to_string());
        attrs.sse_customer_key_md5 = match self {
            Protection::Customer(k) => Some(k.md5.clone()),
            _ => None,
        };
    }
}

fn default_rule(algorithm: &str, bucket_key_enabled: bool) -> ServerSideEncryptionConfiguration {
    ServerSideEncryptionConfiguration {
        rules: vec![ServerSideEncryptionRule {
            apply_server_side_encryption_by_default: Some(ServerSideEncryptionByDefault {
                kms_master_key_id: None,
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
            (None, None) => Ok(attrs
                .server_side_encryption
                .is_some()
                .then(|| self.state.master.key_wrap().clone())),
        }
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
    /// `x-amz-server-side-encryption` (and KMS key id) headers, else the bucket default.
    pub(super) async fn protect_new_object(
        &self,
        bucket: &str,
        requested: Option<&ServerSideEncryption>,
        kms_key_id: Option<&str>,
        customer: Option<CustomerKey>,
    ) -> S3Result<Protection> {
        if let Some(key) = customer {
            if requested.is_some() || kms_key_id.is_some() {
                return Err(s3_error!(
                    InvalidArgument,
                    "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"
                ));
            }
            return Ok(Protection::Customer(Box::new(key)));
        }
        let sealed = self.seal_by_headers(bucket, requested, kms_key_id).await?;
        Ok(if sealed {
            Protection::S3
        } else {
            Protection::Plain
        })
    }

    async fn seal_by_headers(
        &self,
        bucket: &str,
        requested: Option<&ServerSideEncryption>,
        kms_key_id: Option<&str>,
    ) -> S3Result<bool> {
        match requested.map(|r| r.as_str()) {
            Some(AES256) if kms_key_id.is_some() => Err(s3_error!(
                InvalidArgument,
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"
            )),
            Some(AES256) => Ok(true),
            Some(alg) if KMS.contains(&alg) => Err(kms_unavailable(kms_key_id)),
            Some(_) => Err(unsupported_method()),
            None if kms_key_id.is_some() => Err(s3_error!(
                InvalidArgument,
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"
            )),
            None => Ok(match self.stored_config(bucket).await? {
                Some(c) => c.algorithm == AES256,
                None => self.state.default_encryption,
            }),
        }
    }

    pub(super) async fn do_put_bucket_encryption(
        &self,
        req: S3Request<PutBucketEncryptionInput>,
    ) -> S3Result<S3Response<PutBucketEncryptionOutput>> {
        let input = req.input;
        self.bucket(&input.bucket).await?;
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
        let key_id = by_default.kms_master_key_id.as_deref();
        if KMS.contains(&algorithm) {
            return Err(kms_unavailable(key_id));
        }
        if algorithm != AES256 {
            return Err(malformed());
        }
        if key_id.is_some() {
            return Err(s3_error!(
                InvalidArgument,
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"
            ));
        }
        let doc = serde_json::to_string(&Stored {
            algorithm: AES256.into(),
            bucket_key_enabled: rule.bucket_key_enabled.unwrap_or(false),
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
            Some(c) => default_rule(&c.algorithm, c.bucket_key_enabled),
            None if self.state.default_encryption => default_rule(AES256, false),
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
        let e = kms_unavailable(None);
        assert_eq!(e.code().as_str(), "KMS.NotFoundException");
        assert_eq!(e.status_code(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(e.message(), Some("Invalid keyId aws/s3"));
        let e = kms_unavailable(Some("arn:aws:kms:us-east-1:111122223333:key/x"));
        assert_eq!(
            e.message(),
            Some("Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist")
        );
    }
}
