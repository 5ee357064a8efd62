//! Object Ownership and ACLs. New buckets are `BucketOwnerEnforced`, as on AWS since 2023: ACLs
//! are disabled — writes of any ACL but `bucket-owner-full-control` fail with
//! AccessControlListNotSupported, reads show the owner with FULL_CONTROL. With ACLs enabled,
//! bucket ACLs are stored and returned.

use super::CairnS3;
use crate::s3::attrs::{canonical_id, owner};
use crate::s3::error::meta_err;
use cairn_meta::MetaError;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

/// Bucket sub-resources of this module.
const OWNERSHIP: &str = "ownership";
pub(crate) const BUCKET_ACL: &str = "acl";
/// Stored when ownership controls were deleted (the bucket then behaves as ObjectWriter).
const DELETED: &str = "-";

pub const ENFORCED: &str = "BucketOwnerEnforced";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// One ACL grant: a canonical user id or a group URI, and a permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredGrant {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    id: Option<String>,
    /// The account a canonical id stands for, resolved when the grant was written (shown as the
    /// grantee's DisplayName).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    uri: Option<String>,
    permission: String,
}

fn group(uri: &str, permission: &str) -> StoredGrant {
    StoredGrant {
        id: None,
        account: None,
        uri: Some(uri.into()),
        permission: permission.into(),
    }
}

/// The grants a canned ACL stands for, besides the owner's FULL_CONTROL.
fn canned(acl: &str) -> Option<Vec<StoredGrant>> {
    Some(match acl {
        "private" | "bucket-owner-full-control" | "bucket-owner-read" => vec![],
        "public-read" => vec![group(ALL_USERS, "READ")],
        "public-read-write" => vec![group(ALL_USERS, "READ"), group(ALL_USERS, "WRITE")],
        "authenticated-read" => vec![group(AUTHENTICATED_USERS, "READ")],
        "log-delivery-write" => vec![
            group(LOG_DELIVERY, "WRITE"),
            group(LOG_DELIVERY, "READ_ACP"),
        ],
        _ => return None,
    })
}

/// Whether grants give anything to everyone or to every AWS user (AWS's meaning of a public ACL).
fn is_public(grants: &[StoredGrant]) -> bool {
    grants.iter().any(|g| {
        matches!(
            g.uri.as_deref(),
            Some(ALL_USERS) | Some(AUTHENTICATED_USERS)
        )
    })
}

/// `x-amz-grant-*` headers: `id="…", uri="…"` lists.
fn parse_grant_headers(headers: &[(&str, Option<&String>)]) -> S3Result<Vec<StoredGrant>> {
    let mut out = Vec::new();
    for (permission, value) in headers {
        let Some(value) = value else { continue };
        for item in value.split(',') {
            let (kind, v) = item
                .trim()
                .split_once('=')
                .ok_or_else(|| s3_error!(InvalidArgument, "Invalid grant header"))?;
            let v = v.trim().trim_matches('"').to_string();
            match kind.trim() {
                "id" => out.push(StoredGrant {
                    id: Some(v),
                    account: None,
                    uri: None,
                    permission: (*permission).into(),
                }),
                "uri" => out.push(group(&v, permission)),
                "emailAddress" => return Err(unresolvable_email()),
                _ => {
                    return Err(s3_error!(
                        InvalidArgument,
                        "Unsupported grantee type in grant header"
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Ends the grants of an ACL given grant by grant (an AccessControlPolicy or `x-amz-grant-*`
/// headers): the owner's grants are then those listed (S3 shows an ACL as it was set, even one
/// without the owner), where a canned ACL implies the owner's FULL_CONTROL. It names no
/// grantee, so it grants nothing.
const EXPLICIT_OWNER: &str = "EXPLICIT_OWNER";

/// Grants that make the whole ACL (a full AccessControlPolicy, even an empty one, or
/// `x-amz-grant-*` headers): the owner has only the grants listed.
fn whole(mut grants: Vec<StoredGrant>) -> Vec<StoredGrant> {
    grants.push(StoredGrant {
        id: None,
        account: None,
        uri: None,
        permission: EXPLICIT_OWNER.into(),
    });
    grants
}

/// Grants from `x-amz-grant-*` headers make the whole ACL; no headers, no ACL.
fn explicit(grants: Vec<StoredGrant>) -> Vec<StoredGrant> {
    if grants.is_empty() {
        grants
    } else {
        whole(grants)
    }
}

/// The grant list S3 shows: group grants first, then the owner's (FULL_CONTROL unless the ACL
/// was set whole), then grants to other accounts (Ceph's order, which clients and the
/// ceph/s3-tests suite compare against).
fn to_dto(owner_account: &str, grants: &[StoredGrant]) -> Vec<Grant> {
    let owner_id = canonical_id(owner_account);
    let explicit = grants.iter().any(|g| g.permission == EXPLICIT_OWNER);
    let implied = Grant {
        grantee: Some(Grantee {
            id: Some(owner_id.clone()),
            type_: Type::from(Type::CANONICAL_USER.to_string()),
            display_name: Some(owner_account.to_string()),
            email_address: None,
            uri: None,
        }),
        permission: Some(Permission::from(Permission::FULL_CONTROL.to_string())),
    };
    let dto = |g: &StoredGrant| Grant {
        grantee: Some(Grantee {
            id: g.id.clone(),
            uri: g.uri.clone(),
            type_: Type::from(
                if g.uri.is_some() {
                    Type::GROUP
                } else {
                    Type::CANONICAL_USER
                }
                .to_string(),
            ),
            display_name: g.account.clone(),
            email_address: None,
        }),
        permission: Some(Permission::from(g.permission.clone())),
    };
    let listed = grants.iter().filter(|g| g.permission != EXPLICIT_OWNER);
    let (groups, users): (Vec<&StoredGrant>, Vec<&StoredGrant>) =
        listed.partition(|g| g.uri.is_some());
    let (owners, others): (Vec<&StoredGrant>, Vec<&StoredGrant>) = users
        .into_iter()
        .partition(|g| explicit && g.id.as_deref() == Some(owner_id.as_str()));
    let owner_grants: Vec<Grant> = if explicit {
        owners.into_iter().map(dto).collect()
    } else {
        vec![implied]
    };
    groups
        .into_iter()
        .map(dto)
        .chain(owner_grants)
        .chain(others.into_iter().map(dto))
        .collect()
}

/// Cairn's accounts have no e-mail addresses, so a grant by e-mail never resolves.
fn unresolvable_email() -> s3s::S3Error {
    s3_error!(
        UnresolvableGrantByEmailAddress,
        "The e-mail address you provided does not match any account on record."
    )
}

/// Grants from an AccessControlPolicy body: a grantee is a canonical id, a group URI or an
/// e-mail address (which never resolves). The owner's grants are kept as listed.
fn policy_grants(policy: AccessControlPolicy) -> S3Result<Vec<StoredGrant>> {
    let mut out = Vec::new();
    for g in policy.grants.unwrap_or_default() {
        let (Some(grantee), Some(permission)) = (g.grantee, g.permission) else {
            continue;
        };
        if grantee.id.is_none() && grantee.uri.is_none() {
            if grantee.email_address.is_some() {
                return Err(unresolvable_email());
            }
            return Err(s3_error!(MalformedACLError, "A grant has no grantee"));
        }
        out.push(StoredGrant {
            id: grantee.id,
            account: None,
            uri: grantee.uri,
            permission: permission.as_str().to_string(),
        });
    }
    Ok(whole(out))
}

fn not_supported() -> s3s::S3Error {
    s3_error!(
        AccessControlListNotSupported,
        "The bucket does not allow ACLs"
    )
}

impl CairnS3 {
    /// Checks that every canonical id granted to names an account, and notes which (AWS answers
    /// InvalidArgument for an id it does not know).
    async fn resolve_grantees(&self, grants: &mut [StoredGrant]) -> S3Result<()> {
        if grants.iter().all(|g| g.id.is_none()) {
            return Ok(());
        }
        let accounts = self.state.meta.list_accounts().await.map_err(meta_err)?;
        for g in grants.iter_mut() {
            let Some(id) = &g.id else { continue };
            let account = accounts
                .iter()
                .find(|a| canonical_id(&a.id) == *id)
                .ok_or_else(|| s3_error!(InvalidArgument, "Invalid id"))?;
            g.account = Some(account.id.clone());
        }
        Ok(())
    }

    /// The grants a write asks for: a canned ACL, else `x-amz-grant-*` headers, resolved.
    async fn requested_grants(
        &self,
        acl: Option<&str>,
        grant_headers: &[(&str, Option<&String>)],
    ) -> S3Result<Vec<StoredGrant>> {
        let mut grants = match acl {
            Some(a) => canned(a).ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL"))?,
            None => explicit(parse_grant_headers(grant_headers)?),
        };
        self.resolve_grantees(&mut grants).await?;
        Ok(grants)
    }

    /// The ACL document a new bucket starts with, from CreateBucket's canned ACL or grant headers
    /// (`None` when it asks for neither; the caller has checked that ownership allows ACLs).
    pub(crate) async fn create_bucket_acl(
        &self,
        acl: Option<&str>,
        grant_headers: &[(&str, Option<&String>)],
    ) -> S3Result<Option<String>> {
        if acl.is_none() && grant_headers.iter().all(|(_, v)| v.is_none()) {
            return Ok(None);
        }
        let grants = self.requested_grants(acl, grant_headers).await?;
        Ok(Some(
            serde_json::to_string(&grants).map_err(|_| s3_error!(InternalError))?,
        ))
    }

    /// The bucket's effective Object Ownership.
    pub(crate) async fn ownership(&self, bucket: &str) -> S3Result<String> {
        let b = self.bucket(bucket).await?;
        let configured = self
            .state
            .meta
            .get_bucket_config(bucket, OWNERSHIP)
            .await
            .map_err(meta_err)?;
        Ok(match configured.as_deref() {
            Some(DELETED) => "ObjectWriter".to_string(),
            Some(v) => v.to_string(),
            None => b.object_ownership,
        })
    }

    /// Checks an ACL sent with a write (PutObject, CopyObject, CreateMultipartUpload): with ACLs
    /// disabled only an ACL that gives the bucket owner alone full control passes —
    /// `bucket-owner-full-control`, or `private` from the bucket owner's account (which rclone
    /// sends by default); Block Public Access refuses public ACLs.
    /// Returns the grants to store with the object where ACLs are enabled.
    /// `grant_headers` are the request's `x-amz-grant-*` headers, as (permission, value).
    pub(crate) async fn check_write_acl(
        &self,
        bucket: &str,
        writer: &crate::principal::Principal,
        acl: Option<&str>,
        grant_headers: &[(&str, Option<&String>)],
    ) -> S3Result<Option<String>> {
        let has_grants = grant_headers.iter().any(|(_, v)| v.is_some());
        if acl.is_none() && !has_grants {
            return Ok(None);
        }
        if self.ownership(bucket).await? == ENFORCED {
            let owner_only = match (acl, has_grants) {
                (Some("bucket-owner-full-control"), false) => true,
                (Some("private"), false) => {
                    writer.account_id() == Some(self.bucket(bucket).await?.account_id.as_str())
                }
                _ => false,
            };
            return if owner_only {
                Ok(None)
            } else {
                Err(not_supported())
            };
        }
        let grants = self.requested_grants(acl, grant_headers).await?;
        if is_public(&grants) && self.bpa(bucket).await?.block_public_acls {
            return Err(s3_error!(
                AccessDenied,
                "Access Denied: public ACLs are blocked by the BlockPublicAcls setting"
            ));
        }
        Ok(Some(
            serde_json::to_string(&grants).map_err(|_| s3_error!(InternalError))?,
        ))
    }

    /// Who owns an object `writer` writes, by the bucket's Object Ownership: the writer's account
    /// under ObjectWriter, and under BucketOwnerPreferred unless the write grants the bucket
    /// owner `bucket-owner-full-control`; `None` for the bucket owner. Returns it with the ACL
    /// document to store: an object owned by another account gets the bucket owner's grant that
    /// `bucket-owner-read` / `bucket-owner-full-control` stand for.
    pub(crate) async fn object_owner(
        &self,
        bucket: &str,
        writer: &crate::principal::Principal,
        acl: Option<&str>,
        acl_doc: Option<String>,
    ) -> S3Result<(Option<String>, Option<String>)> {
        let b = self.bucket(bucket).await?;
        let writer_account = writer
            .account_id()
            .filter(|a| *a != b.account_id)
            .map(str::to_owned);
        let owner = match self.ownership(bucket).await?.as_str() {
            ENFORCED => None,
            "BucketOwnerPreferred" if acl == Some("bucket-owner-full-control") => None,
            _ => writer_account,
        };
        let permission = match acl {
            Some("bucket-owner-read") => "READ",
            Some("bucket-owner-full-control") => "FULL_CONTROL",
            _ => return Ok((owner, acl_doc)),
        };
        if owner.is_none() {
            return Ok((owner, acl_doc));
        }
        let mut grants: Vec<StoredGrant> = acl_doc
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default();
        grants.push(StoredGrant {
            id: Some(canonical_id(&b.account_id)),
            account: Some(b.account_id.clone()),
            uri: None,
            permission: permission.into(),
        });
        let doc = serde_json::to_string(&grants).map_err(|_| s3_error!(InternalError))?;
        Ok((owner, Some(doc)))
    }

    pub(super) async fn do_put_bucket_ownership_controls(
        &self,
        req: S3Request<PutBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<PutBucketOwnershipControlsOutput>> {
        let rules = req.input.ownership_controls.rules;
        let [rule] = rules.as_slice() else {
            return Err(s3_error!(
                MalformedXML,
                "Exactly one ownership rule is required"
            ));
        };
        let value = rule.object_ownership.as_str();
        if ![
            "BucketOwnerEnforced",
            "BucketOwnerPreferred",
            "ObjectWriter",
        ]
        .contains(&value)
        {
            return Err(s3_error!(MalformedXML, "Invalid ObjectOwnership value"));
        }
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, OWNERSHIP, Some(value))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutBucketOwnershipControlsOutput {}))
    }

    pub(super) async fn do_get_bucket_ownership_controls(
        &self,
        req: S3Request<GetBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<GetBucketOwnershipControlsOutput>> {
        let configured = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, OWNERSHIP)
            .await
            .map_err(meta_err)?;
        if configured.as_deref() == Some(DELETED) {
            return Err(s3_error!(
                OwnershipControlsNotFoundError,
                "The bucket ownership controls were not found"
            ));
        }
        let value = self.ownership(&req.input.bucket).await?;
        Ok(S3Response::new(GetBucketOwnershipControlsOutput {
            ownership_controls: Some(OwnershipControls {
                rules: vec![OwnershipControlsRule {
                    object_ownership: ObjectOwnership::from(value),
                }],
            }),
        }))
    }

    pub(super) async fn do_delete_bucket_ownership_controls(
        &self,
        req: S3Request<DeleteBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<DeleteBucketOwnershipControlsOutput>> {
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, OWNERSHIP, Some(DELETED))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteBucketOwnershipControlsOutput {}))
    }

    pub(super) async fn do_get_bucket_acl(
        &self,
        req: S3Request<GetBucketAclInput>,
    ) -> S3Result<S3Response<GetBucketAclOutput>> {
        let b = self.bucket(&req.input.bucket).await?;
        let grants: Vec<StoredGrant> = if self.ownership(&b.name).await? == ENFORCED {
            vec![]
        } else {
            self.state
                .meta
                .get_bucket_config(&b.name, BUCKET_ACL)
                .await
                .map_err(meta_err)?
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default()
        };
        Ok(S3Response::new(GetBucketAclOutput {
            owner: Some(owner(&b.account_id)),
            grants: Some(to_dto(&b.account_id, &grants)),
        }))
    }

    pub(super) async fn do_put_bucket_acl(
        &self,
        req: S3Request<PutBucketAclInput>,
    ) -> S3Result<S3Response<PutBucketAclOutput>> {
        let input = req.input;
        let b = self.bucket(&input.bucket).await?;
        let acl = input.acl.as_ref().map(|a| a.as_str().to_string());
        let from_headers = parse_grant_headers(&[
            ("FULL_CONTROL", input.grant_full_control.as_ref()),
            ("READ", input.grant_read.as_ref()),
            ("READ_ACP", input.grant_read_acp.as_ref()),
            ("WRITE", input.grant_write.as_ref()),
            ("WRITE_ACP", input.grant_write_acp.as_ref()),
        ])?;
        let mut grants: Vec<StoredGrant> = match (&acl, input.access_control_policy) {
            (Some(a), _) => {
                canned(a).ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL"))?
            }
            (None, Some(policy)) => policy_grants(policy)?,
            (None, None) => explicit(from_headers),
        };
        if self.ownership(&b.name).await? == ENFORCED {
            // Only an ACL giving the owner alone FULL_CONTROL may be set (as AWS allows).
            let owner_id = canonical_id(&b.account_id);
            let owner_only = grants.iter().all(|g| {
                g.permission == EXPLICIT_OWNER
                    || (g.id.as_deref() == Some(owner_id.as_str())
                        && g.permission == "FULL_CONTROL")
            });
            if acl.as_deref() == Some("private") || (acl.is_none() && owner_only) {
                return Ok(S3Response::new(PutBucketAclOutput {}));
            }
            return Err(not_supported());
        }
        if is_public(&grants) && self.bpa(&b.name).await?.block_public_acls {
            return Err(s3_error!(
                AccessDenied,
                "Access Denied: public ACLs are blocked by the BlockPublicAcls setting"
            ));
        }
        self.resolve_grantees(&mut grants).await?;
        let doc = serde_json::to_string(&grants).map_err(|_| s3_error!(InternalError))?;
        self.state
            .meta
            .put_bucket_config(&b.name, BUCKET_ACL, Some(&doc))
            .await
            .map_err(|e| match e {
                MetaError::NoSuchBucket => meta_err(e),
                other => meta_err(other),
            })?;
        Ok(S3Response::new(PutBucketAclOutput {}))
    }

    pub(super) async fn do_get_object_acl(
        &self,
        req: S3Request<GetObjectAclInput>,
    ) -> S3Result<S3Response<GetObjectAclOutput>> {
        let input = req.input;
        let b = self.bucket(&input.bucket).await?;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        let enforced = self.ownership(&b.name).await? == ENFORCED;
        let grants: Vec<StoredGrant> = if enforced {
            vec![]
        } else {
            obj.attrs
                .acl
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default()
        };
        // With ACLs disabled the bucket owner owns every object.
        let object_owner = match &obj.attrs.owner {
            Some(o) if !enforced => o.as_str(),
            _ => b.account_id.as_str(),
        };
        Ok(S3Response::new(GetObjectAclOutput {
            owner: Some(owner(object_owner)),
            grants: Some(to_dto(object_owner, &grants)),
            ..Default::default()
        }))
    }

    pub(super) async fn do_put_object_acl(
        &self,
        req: S3Request<PutObjectAclInput>,
    ) -> S3Result<S3Response<PutObjectAclOutput>> {
        let input = req.input;
        let mut obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        let acl = input.acl.as_ref().map(|a| a.as_str().to_string());
        if self.ownership(&input.bucket).await? == ENFORCED {
            let owner_only = acl.as_deref() == Some("bucket-owner-full-control")
                && input.grant_read.is_none()
                && input.grant_write_acp.is_none()
                && input.grant_read_acp.is_none()
                && input.grant_full_control.is_none();
            return if owner_only {
                Ok(S3Response::new(PutObjectAclOutput::default()))
            } else {
                Err(not_supported())
            };
        }
        let mut grants: Vec<StoredGrant> = match (&acl, input.access_control_policy) {
            (Some(a), _) => {
                canned(a).ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL"))?
            }
            (None, Some(policy)) => policy_grants(policy)?,
            (None, None) => explicit(parse_grant_headers(&[
                ("FULL_CONTROL", input.grant_full_control.as_ref()),
                ("READ", input.grant_read.as_ref()),
                ("READ_ACP", input.grant_read_acp.as_ref()),
                ("WRITE_ACP", input.grant_write_acp.as_ref()),
            ])?),
        };
        if is_public(&grants) && self.bpa(&input.bucket).await?.block_public_acls {
            return Err(s3_error!(
                AccessDenied,
                "Access Denied: public ACLs are blocked by the BlockPublicAcls setting"
            ));
        }
        self.resolve_grantees(&mut grants).await?;
        obj.attrs.acl = Some(serde_json::to_string(&grants).map_err(|_| s3_error!(InternalError))?);
        self.state
            .meta
            .set_version_attrs(&obj.bucket, &obj.key, &obj.version_id, &obj.attrs)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutObjectAclOutput::default()))
    }
}

/// The ACL permissions that grant an action (S3 User Guide, "Mapping of ACL permissions and
/// access policy permissions"): bucket-level for bucket actions and object writes, object-level
/// for object reads and object ACLs.
fn permission_for(action: &str, on_object: bool) -> Option<&'static str> {
    Some(match (action, on_object) {
        ("s3:ListBucket" | "s3:ListBucketVersions" | "s3:ListBucketMultipartUploads", false) => {
            "READ"
        }
        ("s3:PutObject" | "s3:DeleteObject" | "s3:DeleteObjectVersion", _) => "WRITE",
        ("s3:GetBucketAcl", false) | ("s3:GetObjectAcl" | "s3:GetObjectVersionAcl", true) => {
            "READ_ACP"
        }
        ("s3:PutBucketAcl", false) | ("s3:PutObjectAcl" | "s3:PutObjectVersionAcl", true) => {
            "WRITE_ACP"
        }
        ("s3:GetObject" | "s3:GetObjectVersion", true) => "READ",
        _ => return None,
    })
}

fn grant_matches(
    g: &StoredGrant,
    principal: &crate::principal::Principal,
    ignore_public: bool,
) -> bool {
    match (&g.uri, &g.id) {
        (Some(uri), _) if uri == ALL_USERS => !ignore_public,
        (Some(uri), _) if uri == AUTHENTICATED_USERS => {
            !ignore_public && principal.account_id().is_some()
        }
        // A grant to a canonical user is a grant to that account's root.
        (_, Some(id)) => {
            matches!(principal, crate::principal::Principal::Root { account_id } if canonical_id(account_id) == *id)
        }
        _ => false,
    }
}

/// The account owning an object, where that is not the bucket owner and ACLs are enabled
/// (`None` otherwise, or when there is no such object).
pub async fn object_acl_owner(
    state: &crate::state::State,
    bucket: &str,
    key: &str,
) -> S3Result<Option<String>> {
    let Some(b) = state.meta.get_bucket(bucket).await.map_err(meta_err)? else {
        return Ok(None);
    };
    let Some(obj) = state.meta.get_object(bucket, key).await.map_err(meta_err)? else {
        return Ok(None);
    };
    let Some(owner) = obj.attrs.owner.filter(|o| *o != b.account_id) else {
        return Ok(None);
    };
    let configured = state
        .meta
        .get_bucket_config(bucket, OWNERSHIP)
        .await
        .map_err(meta_err)?;
    let enforced = match configured.as_deref() {
        Some(DELETED) => false,
        Some(v) => v == ENFORCED,
        None => b.object_ownership == ENFORCED,
    };
    Ok((!enforced).then_some(owner))
}

/// Whether an ACL (bucket's, or the object's for object reads and ACL calls) grants `action`.
/// Only for buckets with ACLs enabled; IgnorePublicAcls drops grants to everyone.
pub async fn acl_allows(
    state: &crate::state::State,
    principal: &crate::principal::Principal,
    action: &str,
    bucket: &str,
    key: Option<&str>,
) -> S3Result<bool> {
    let Some(b) = state.meta.get_bucket(bucket).await.map_err(meta_err)? else {
        return Ok(false);
    };
    let configured = state
        .meta
        .get_bucket_config(bucket, OWNERSHIP)
        .await
        .map_err(meta_err)?;
    let ownership = match configured.as_deref() {
        Some(DELETED) => "ObjectWriter".to_string(),
        Some(v) => v.to_string(),
        None => b.object_ownership.clone(),
    };
    if ownership == ENFORCED {
        return Ok(false);
    }
    let ignore_public = crate::s3::public_access::load(state, bucket)
        .await?
        .ignore_public_acls;
    let object_level = key.is_some()
        && !matches!(
            action,
            "s3:PutObject" | "s3:DeleteObject" | "s3:DeleteObjectVersion"
        );
    let Some(permission) = permission_for(action, object_level) else {
        return Ok(false);
    };
    let grants: Vec<StoredGrant> = if object_level {
        let Some(obj) = state
            .meta
            .get_object(bucket, key.unwrap_or_default())
            .await
            .map_err(meta_err)?
        else {
            return Ok(false);
        };
        // The object's owner holds FULL_CONTROL, as a grant to its canonical id would give.
        if let (Some(owner), crate::principal::Principal::Root { account_id }) =
            (&obj.attrs.owner, principal)
            && owner == account_id
        {
            return Ok(true);
        }
        obj.attrs
            .acl
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default()
    } else {
        state
            .meta
            .get_bucket_config(bucket, BUCKET_ACL)
            .await
            .map_err(meta_err)?
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default()
    };
    Ok(grants.iter().any(|g| {
        (g.permission == permission || g.permission == "FULL_CONTROL")
            && grant_matches(g, principal, ignore_public)
    }))
}
