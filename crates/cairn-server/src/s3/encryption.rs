//! Server-side encryption: the bucket default (Put/Get/DeleteBucketEncryption), the decision for
//! each new object whether its blobs are sealed (SSE-S3), and AWS's answers for what Cairn
//! cannot do (SSE-KMS: there is no KMS).
//!
//! As on AWS since January 2023, a bucket without a configuration encrypts every new object with
//! SSE-S3 (`AES256`) and GetBucketEncryption reports that default; DeleteBucketEncryption returns
//! a bucket to it. `--no-default-encryption` turns the default off (benchmarks, old setups):
//! such buckets store plain blobs and GetBucketEncryption answers 404 as AWS did before 2023.

use super::CairnS3;
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

/// SSE-C (customer-provided keys) is not implemented. A request that carries its headers is
/// refused on every operation rather than served without them: silently storing an object under
/// SSE-S3 would let anyone with read access read what the client believed needs its key.
pub fn refuse_customer_keys(headers: &http::HeaderMap) -> S3Result<()> {
    let customer = headers.keys().any(|name| {
        let name = name.as_str();
        name.starts_with("x-amz-server-side-encryption-customer-")
            || name.starts_with("x-amz-copy-source-server-side-encryption-customer-")
    });
    if customer {
        return Err(s3_error!(
            NotImplemented,
            "Server-side encryption with customer-provided keys (SSE-C) is not implemented by this server"
        ));
    }
    Ok(())
}

/// The response header value for an object stored with `attrs`.
pub fn reported(attrs: &ObjectAttrs) -> Option<ServerSideEncryption> {
    attrs
        .server_side_encryption
        .clone()
        .map(ServerSideEncryption::from)
}

/// The stored value for objects whose blobs are sealed, or not.
pub fn stored(sealed: bool) -> Option<String> {
    sealed.then(|| AES256.to_string())
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
    /// The key to read or write an object's blobs with: `Some` when they are sealed.
    pub(super) fn key_wrap_for(&self, attrs: &ObjectAttrs) -> Option<&KeyWrap> {
        attrs
            .server_side_encryption
            .is_some()
            .then(|| self.state.master.key_wrap())
    }

    /// The key for new blobs that are to be sealed (`sealed`) or not.
    pub(super) fn key_wrap_if(&self, sealed: bool) -> Option<&KeyWrap> {
        sealed.then(|| self.state.master.key_wrap())
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

    /// Whether a new object in `bucket` is sealed, from the request's
    /// `x-amz-server-side-encryption` (and KMS key id) headers or else the bucket default.
    pub(super) async fn seal_new_object(
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
