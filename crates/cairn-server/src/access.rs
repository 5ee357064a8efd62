//! The authorization step of the S3 request path: maps the operation s3s resolved to an action,
//! resource and condition keys, loads the bucket policy, and asks [`crate::authz::check`]. The
//! caller is left in the request extensions for the handler.

use crate::auth::authenticate;
use crate::authz::s3_actions::{self, Target};
use crate::authz::{AuthzRequest, check};
use crate::principal::Principal;
use crate::s3::error::meta_err;
use crate::state::State;
use cairn_policy::PolicyKind;
use http::HeaderMap;
use s3s::access::{S3Access, S3AccessContext};
use s3s::path::S3Path;
use s3s::{S3Result, s3_error};
use std::net::SocketAddr;

pub struct CairnAccess {
    pub state: State,
}

/// The peer address, put into request extensions by the router.
#[derive(Debug, Clone, Copy)]
pub struct RemoteAddr(pub SocketAddr);

/// Whether the request came over TLS, put into request extensions by the router.
#[derive(Debug, Clone, Copy)]
pub struct SecureTransport(pub bool);

/// `aws:SecureTransport` of a request, from its extensions.
pub fn is_secure(extensions: &http::Extensions) -> bool {
    extensions.get::<SecureTransport>().is_some_and(|s| s.0)
}

/// The bucket-policy document kind stored in bucket configs.
pub const BUCKET_POLICY: &str = "policy";

/// The ARN S3 policies use for a bucket or object.
pub fn s3_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// Condition keys every request carries, from its headers and peer.
pub fn request_keys(
    headers: &HeaderMap,
    query: Option<&str>,
    remote: Option<SocketAddr>,
    secure: bool,
    region: &str,
) -> Vec<(String, Vec<String>)> {
    let mut keys: Vec<(String, Vec<String>)> = vec![
        ("aws:SecureTransport".into(), vec![secure.to_string()]),
        ("aws:RequestedRegion".into(), vec![region.to_string()]),
    ];
    if let Some(addr) = remote {
        keys.push(("aws:SourceIp".into(), vec![addr.ip().to_string()]));
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    for (key, name) in [
        ("aws:UserAgent", "user-agent"),
        ("aws:Referer", "referer"),
        ("s3:x-amz-acl", "x-amz-acl"),
        (
            "s3:x-amz-server-side-encryption",
            "x-amz-server-side-encryption",
        ),
        (
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
            "x-amz-server-side-encryption-aws-kms-key-id",
        ),
        (
            "s3:x-amz-server-side-encryption-customer-algorithm",
            "x-amz-server-side-encryption-customer-algorithm",
        ),
        ("s3:x-amz-copy-source", "x-amz-copy-source"),
        ("s3:x-amz-metadata-directive", "x-amz-metadata-directive"),
        ("s3:x-amz-storage-class", "x-amz-storage-class"),
        ("s3:x-amz-content-sha256", "x-amz-content-sha256"),
        ("s3:x-amz-grant-full-control", "x-amz-grant-full-control"),
        ("s3:x-amz-grant-read", "x-amz-grant-read"),
        ("s3:x-amz-grant-write", "x-amz-grant-write"),
        ("s3:x-amz-grant-read-acp", "x-amz-grant-read-acp"),
        ("s3:x-amz-grant-write-acp", "x-amz-grant-write-acp"),
    ] {
        if let Some(v) = header(name) {
            keys.push((key.into(), vec![v]));
        }
    }
    let auth = header("authorization");
    let query_pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let q = |name: &str| {
        query_pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (auth_type, sig_version) = match (&auth, q("X-Amz-Signature"), q("Signature")) {
        (Some(a), _, _) if a.starts_with("AWS4-") => {
            (Some("REST-HEADER"), Some("AWS4-HMAC-SHA256"))
        }
        (Some(a), _, _) if a.starts_with("AWS ") => (Some("REST-HEADER"), Some("AWS")),
        (None, Some(_), _) => (Some("REST-QUERY-STRING"), Some("AWS4-HMAC-SHA256")),
        (None, None, Some(_)) => (Some("REST-QUERY-STRING"), Some("AWS")),
        _ => (None, None),
    };
    if let (Some(t), Some(v)) = (auth_type, sig_version) {
        keys.push(("s3:authType".into(), vec![t.into()]));
        keys.push(("s3:signatureversion".into(), vec![v.into()]));
    }
    let signed_at = header("x-amz-date").or_else(|| q("X-Amz-Date"));
    if let Some(age) = signed_at.as_deref().and_then(signature_age_ms) {
        keys.push(("s3:signatureAge".into(), vec![age.to_string()]));
    }
    if let Some(tagging) = header("x-amz-tagging") {
        for (k, v) in form_urlencoded::parse(tagging.as_bytes()) {
            keys.push((format!("s3:RequestObjectTag/{k}"), vec![v.into_owned()]));
        }
    }
    for (key, param) in [
        ("s3:prefix", "prefix"),
        ("s3:delimiter", "delimiter"),
        ("s3:max-keys", "max-keys"),
        ("s3:VersionId", "versionId"),
    ] {
        if let Some(v) = q(param) {
            keys.push((key.into(), vec![v]));
        }
    }
    keys
}

/// Milliseconds since a SigV4 `YYYYMMDDTHHMMSSZ` signing time.
fn signature_age_ms(amz_date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let signed = time::PrimitiveDateTime::parse(amz_date, &format)
        .ok()?
        .assume_utc();
    Some(((time::OffsetDateTime::now_utc() - signed).whole_milliseconds()).max(0) as i64)
}

/// Authorizes `action` on a bucket (and key) for `principal`, with the bucket's policy.
pub async fn check_action(
    state: &State,
    principal: &Principal,
    action: &str,
    bucket: &str,
    key: Option<&str>,
    context: Vec<(String, Vec<String>)>,
) -> S3Result<()> {
    check_action_on_upload(state, principal, action, bucket, key, context, None).await
}

/// [`check_action`] for a request naming a multipart upload: its initiator's account may, by
/// default, abort it and list its parts (S3 User Guide, "Multipart upload and permissions").
pub async fn check_action_on_upload(
    state: &State,
    principal: &Principal,
    action: &str,
    bucket: &str,
    key: Option<&str>,
    context: Vec<(String, Vec<String>)>,
    upload_id: Option<&str>,
) -> S3Result<()> {
    let record = state.meta.get_bucket(bucket).await.map_err(meta_err)?;
    let record = match (record, action) {
        // Creating a bucket is decided on the caller's own account, whoever holds the name (the
        // operation then answers BucketAlreadyExists or BucketAlreadyOwnedByYou).
        (_, "s3:CreateBucket") => None,
        // Bucket names are public: S3 says NoSuchBucket to anyone, before any access check.
        (None, _) => return Err(meta_err(cairn_meta::MetaError::NoSuchBucket)),
        (Some(b), _) => Some(b),
    };
    let mut resource_policy = match &record {
        Some(_) => match state
            .meta
            .get_bucket_config(bucket, BUCKET_POLICY)
            .await
            .map_err(meta_err)?
        {
            Some(doc) => state
                .policies
                .parse(&doc, PolicyKind::Resource)
                .ok()
                .map(|p| (format!("bucket policy of {bucket}"), p)),
            None => None,
        },
        None => None,
    };
    // RestrictPublicBuckets: a public bucket policy grants nothing outside the owner's account.
    if let (Some(b), Some((label, policy))) = (&record, &resource_policy)
        && principal.account_id() != Some(b.account_id.as_str())
        && crate::s3::public_access::is_public(policy)
        && crate::s3::public_access::load(state, bucket)
            .await?
            .restrict_public_buckets
    {
        let mut denies_only = policy.as_ref().clone();
        denies_only
            .statements
            .retain(|st| st.effect == cairn_policy::Effect::Deny);
        resource_policy = Some((
            format!("{label} (restricted by RestrictPublicBuckets)"),
            std::sync::Arc::new(denies_only),
        ));
    }
    // A bucket that does not exist yet belongs, for authorization, to the caller's account.
    let owner = record
        .map(|b| b.account_id)
        .or_else(|| principal.account_id().map(str::to_owned));
    // The owner's root can always manage the bucket policy, so a policy can never lock it out.
    if let Principal::Root { account_id } = principal
        && owner.as_deref() == Some(account_id.as_str())
        && matches!(
            action,
            "s3:PutBucketPolicy" | "s3:GetBucketPolicy" | "s3:DeleteBucketPolicy"
        )
    {
        crate::observe::note_granted(action, &s3_arn(bucket, key), "bucket owner");
        return Ok(());
    }
    // An object's ACL belongs to the object's owner: where ACLs are enabled and another account
    // owns the object, the bucket owner reads or changes it only if the object's ACL lets it.
    let owner = match (action, key) {
        (
            "s3:GetObjectAcl"
            | "s3:PutObjectAcl"
            | "s3:GetObjectVersionAcl"
            | "s3:PutObjectVersionAcl",
            Some(key),
        ) => crate::s3::acl::object_acl_owner(state, bucket, key)
            .await?
            .or(owner),
        _ => owner,
    };
    let resource = s3_arn(bucket, key);
    let decision = check(
        state,
        AuthzRequest {
            principal,
            action,
            resource: &resource,
            resource_account: owner.as_deref(),
            resource_policy,
            context,
            object: key.map(|k| (bucket, k)),
            resource_policy_required: false,
        },
    )
    .await;
    match decision {
        Ok(_) => Ok(()),
        // Where ACLs are enabled, a grant allows what no policy denied explicitly.
        Err(d)
            if !d.explicit
                && crate::s3::acl::acl_allows(state, principal, action, bucket, key).await? =>
        {
            crate::observe::note_granted(action, &resource, "ACL");
            Ok(())
        }
        Err(d)
            if !d.explicit
                && matches!(
                    action,
                    "s3:AbortMultipartUpload" | "s3:ListMultipartUploadParts"
                )
                && initiated_by(state, principal, bucket, upload_id).await? =>
        {
            crate::observe::note_granted(action, &resource, "upload initiator");
            Ok(())
        }
        Err(d) => Err(s3_error!(AccessDenied, "{}", d.message)),
    }
}

/// Whether `principal`'s account started the upload (of this bucket).
async fn initiated_by(
    state: &State,
    principal: &Principal,
    bucket: &str,
    upload_id: Option<&str>,
) -> S3Result<bool> {
    let (Some(id), Some(account)) = (upload_id, principal.account_id()) else {
        return Ok(false);
    };
    let Some(upload) = state.meta.get_upload(id).await.map_err(meta_err)? else {
        return Ok(false);
    };
    // The initiator is an ARN: arn:aws:iam::ACCOUNT:… or arn:aws:sts::ACCOUNT:….
    Ok(upload.bucket == bucket && upload.initiator.split(':').nth(4) == Some(account))
}

/// S3's rule for reading a key that does not exist: a caller who may list the bucket (as
/// `ListObjects?prefix=KEY` would show the key missing) learns nothing new from 404 NoSuchKey;
/// anyone else gets 403, so that names do not leak.
async fn missing_key_listable(
    state: &State,
    principal: &Principal,
    bucket: &str,
    key: &str,
    mut context: Vec<(String, Vec<String>)>,
) -> S3Result<bool> {
    if state
        .meta
        .get_object(bucket, key)
        .await
        .map_err(meta_err)?
        .is_some()
    {
        return Ok(false);
    }
    context.retain(|(k, _)| k != "s3:prefix");
    context.push(("s3:prefix".into(), vec![key.to_string()]));
    Ok(
        check_action(state, principal, "s3:ListBucket", bucket, None, context)
            .await
            .is_ok(),
    )
}

/// `x-amz-expected-bucket-owner`: a request that names another account than the bucket's owner
/// is refused with 403 AccessDenied, so a caller never acts on a bucket that changed hands.
async fn check_expected_owner(state: &State, bucket: &str, expected: &[u8]) -> S3Result<()> {
    let record = state.meta.get_bucket(bucket).await.map_err(meta_err)?;
    match record {
        Some(b) if b.account_id.as_bytes() != expected => Err(s3_error!(
            AccessDenied,
            "The bucket is not owned by the expected bucket owner"
        )),
        _ => Ok(()),
    }
}

#[async_trait::async_trait]
impl S3Access for CairnAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        crate::observe::note_operation(s3_actions::operation_name(cx.s3_op().name()));
        let principal = match cx.credentials() {
            None => Principal::Anonymous,
            Some(creds) => {
                let principal = authenticate(
                    &self.state,
                    &creds.access_key,
                    cx.headers(),
                    cx.uri().query(),
                )
                .await?
                .principal
                .clone();
                self.state
                    .note_key_use(&creds.access_key, "s3", &self.state.region);
                principal
            }
        };
        crate::observe::note_principal(principal.arn());
        let remote = cx.extensions_mut().get::<RemoteAddr>().map(|r| r.0);
        let secure = is_secure(cx.extensions_mut());
        let context = request_keys(
            cx.headers(),
            cx.uri().query(),
            remote,
            secure,
            &self.state.region,
        );
        let (mut action, target) = s3_actions::lookup(cx.s3_op().name());
        let version_id = form_urlencoded::parse(cx.uri().query().unwrap_or_default().as_bytes())
            .any(|(k, _)| k == "versionId");
        if version_id && let Some(v) = s3_actions::versioned(&action) {
            action = v.to_string();
        }
        if let S3Path::Bucket { bucket } | S3Path::Object { bucket, .. } = cx.s3_path()
            && let Some(expected) = cx.headers().get("x-amz-expected-bucket-owner")
        {
            check_expected_owner(&self.state, bucket, expected.as_bytes()).await?;
        }
        match (cx.s3_path(), target) {
            // A form upload names its key in the body: decided in `post_object` below.
            (S3Path::Bucket { .. }, _) if cx.s3_op().name() == "PostObject" => {}
            (_, Target::Account) | (S3Path::Root, _) => {
                check(
                    &self.state,
                    AuthzRequest {
                        principal: &principal,
                        action: &action,
                        resource: "*",
                        resource_account: principal.account_id(),
                        resource_policy: None,
                        context,
                        object: None,
                        resource_policy_required: false,
                    },
                )
                .await
                .map_err(|d| s3_error!(AccessDenied, "{}", d.message))?;
            }
            (S3Path::Bucket { bucket }, _) => {
                check_action(&self.state, &principal, &action, bucket, None, context).await?
            }
            (S3Path::Object { bucket, key }, Target::Object) => {
                let upload_id =
                    form_urlencoded::parse(cx.uri().query().unwrap_or_default().as_bytes())
                        .find(|(k, _)| k == "uploadId")
                        .map(|(_, v)| v.into_owned());
                let denied = check_action_on_upload(
                    &self.state,
                    &principal,
                    &action,
                    bucket,
                    Some(key),
                    context.clone(),
                    upload_id.as_deref(),
                )
                .await;
                if let Err(e) = denied {
                    if action == "s3:GetObject"
                        && missing_key_listable(&self.state, &principal, bucket, key, context)
                            .await?
                    {
                        return Err(s3_error!(NoSuchKey, "The specified key does not exist."));
                    }
                    return Err(e);
                }
            }
            (S3Path::Object { bucket, .. }, _) => {
                check_action(&self.state, &principal, &action, bucket, None, context).await?
            }
        }
        let log_slot = cx
            .extensions_mut()
            .get::<crate::s3::logging::LogSlot>()
            .cloned();
        if let Some(slot) = log_slot {
            let (bucket, key) = match cx.s3_path() {
                S3Path::Root => (None, None),
                S3Path::Bucket { bucket } => (Some(bucket.to_string()), None),
                S3Path::Object { bucket, key } => (Some(bucket.to_string()), Some(key.to_string())),
            };
            let signed_v4 = cx
                .headers()
                .get("authorization")
                .is_some_and(|v| v.as_bytes().starts_with(b"AWS4"))
                || cx
                    .uri()
                    .query()
                    .is_some_and(|q| q.contains("X-Amz-Signature"));
            let header_auth = cx.headers().contains_key("authorization");
            let info = crate::s3::logging::LogInfo {
                bucket,
                key,
                operation: crate::s3::logging::operation_name(
                    cx.method().as_str(),
                    cx.s3_op().name(),
                ),
                requester: principal.account_id().map(|_| principal.arn()),
                auth_type: cx.credentials().map(|_| {
                    if header_auth {
                        "AuthHeader"
                    } else {
                        "QueryString"
                    }
                }),
                signature_version: cx
                    .credentials()
                    .map(|_| if signed_v4 { "SigV4" } else { "SigV2" }),
            };
            if let Ok(mut s) = slot.lock() {
                *s = Some(info);
            }
        }
        cx.extensions_mut().insert(principal);
        Ok(())
    }

    async fn post_object(
        &self,
        req: &mut s3s::S3Request<s3s::dto::PostObjectInput>,
    ) -> S3Result<()> {
        let principal = req
            .extensions
            .get::<Principal>()
            .cloned()
            .unwrap_or(Principal::Anonymous);
        let remote = req.extensions.get::<RemoteAddr>().map(|r| r.0);
        let context = request_keys(
            &req.headers,
            req.uri.query(),
            remote,
            is_secure(&req.extensions),
            &self.state.region,
        );
        check_action(
            &self.state,
            &principal,
            "s3:PutObject",
            &req.input.bucket,
            Some(&req.input.key),
            context,
        )
        .await
    }
}
