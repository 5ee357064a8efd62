//! Inline policies, managed policies and their versions, attachments and permissions boundaries.

use super::names::{check_name, check_path, new_id};
use super::{Ctx, IamResult, aws_managed, meta_err, render};
use crate::query::QueryError;
use crate::query::xml::{Xml, iso8601, url_encode};
use crate::time::now_ms;
use cairn_meta::{EntityKind, ManagedPolicy, MetaError};
use http::StatusCode;

/// Inline policy size limits (characters, whitespace excluded) per entity kind.
fn inline_limit(kind: EntityKind) -> usize {
    match kind {
        EntityKind::User => 2048,
        EntityKind::Group => 5120,
        EntityKind::Role => 10240,
    }
}

/// Managed policies may hold 6,144 characters, whitespace excluded.
const MANAGED_LIMIT: usize = 6144;

/// Checks an identity policy's size and grammar with IAM's messages.
pub(super) fn check_document(doc: &str, limit: usize, what: &str) -> Result<(), QueryError> {
    check_size(doc, limit, what)?;
    crate::authz::documents::validate_identity(doc)
        .map_err(|msg| QueryError::bad_request("MalformedPolicyDocument", msg))
}

/// Checks a role trust policy's size and grammar.
pub(super) fn check_trust_document(doc: &str, limit: usize, what: &str) -> Result<(), QueryError> {
    check_size(doc, limit, what)?;
    crate::authz::documents::validate_trust(doc)
        .map_err(|msg| QueryError::bad_request("MalformedPolicyDocument", msg))
}

fn check_size(doc: &str, limit: usize, what: &str) -> Result<(), QueryError> {
    let size = doc.chars().filter(|c| !c.is_whitespace()).count();
    if size > limit {
        return Err(QueryError::new(
            StatusCode::CONFLICT,
            "LimitExceeded",
            format!("Maximum policy size of {limit} bytes exceeded for {what}"),
        ));
    }
    Ok(())
}

fn kind_field(kind: EntityKind) -> (&'static str, &'static str) {
    match kind {
        EntityKind::User => ("UserName", "user"),
        EntityKind::Group => ("GroupName", "group"),
        EntityKind::Role => ("RoleName", "role"),
    }
}

/// The entity named by `UserName`/`GroupName`/`RoleName`; its ARN.
async fn holder(cx: &Ctx<'_>, kind: EntityKind) -> Result<(String, String), QueryError> {
    let (field, word) = kind_field(kind);
    let name = cx.required(field)?;
    let e = cx
        .state
        .meta
        .get_entity(&cx.account_id, kind, name)
        .await
        .map_err(|e| meta_err(e, word))?
        .ok_or_else(|| meta_err(MetaError::NoSuchEntity, &format!("{word} with name {name}")))?;
    Ok((e.name.clone(), e.arn()))
}

fn action(verb: &str, kind: EntityKind, noun: &str) -> String {
    let k = match kind {
        EntityKind::User => "User",
        EntityKind::Group => "Group",
        EntityKind::Role => "Role",
    };
    format!("{verb}{k}{noun}")
}

pub async fn put_inline(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    let policy_name = cx.required("PolicyName")?;
    check_name(policy_name, "policyName", 128)?;
    let doc = cx.required("PolicyDocument")?;
    check_document(
        doc,
        inline_limit(kind),
        &format!("{} {name}", kind.as_str()),
    )?;
    cx.authorize(&action("Put", kind, "Policy"), &arn).await?;
    cx.state
        .meta
        .put_inline_policy(&cx.account_id, kind, &name, policy_name, doc)
        .await
        .map_err(|e| meta_err(e, kind.as_str()))?;
    Ok(None)
}

pub async fn get_inline(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    let policy_name = cx.required("PolicyName")?;
    cx.authorize(&action("Get", kind, "Policy"), &arn).await?;
    let doc = cx
        .state
        .meta
        .get_inline_policy(&cx.account_id, kind, &name, policy_name)
        .await
        .map_err(|e| meta_err(e, "policy"))?
        .ok_or_else(|| {
            meta_err(
                MetaError::NoSuchEntity,
                &format!("{} policy with name {policy_name}", kind.as_str()),
            )
        })?;
    let mut x = Xml::default();
    x.leaf(kind_field(kind).0, &name)
        .leaf("PolicyName", policy_name)
        .leaf("PolicyDocument", &url_encode(&doc));
    Ok(Some(x))
}

pub async fn list_inline(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    cx.authorize(&action("List", kind, "Policies"), &arn)
        .await?;
    let names = cx
        .state
        .meta
        .list_inline_policies(&cx.account_id, kind, &name)
        .await
        .map_err(|e| meta_err(e, "policies"))?;
    let mut x = Xml::default();
    x.members("PolicyNames", &names, |x, n| {
        // List members of strings are written as bare text.
        x.leaf_text(n);
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn delete_inline(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    let policy_name = cx.required("PolicyName")?;
    cx.authorize(&action("Delete", kind, "Policy"), &arn)
        .await?;
    cx.state
        .meta
        .delete_inline_policy(&cx.account_id, kind, &name, policy_name)
        .await
        .map_err(|e| {
            meta_err(
                e,
                &format!("{} policy with name {policy_name}", kind.as_str()),
            )
        })?;
    Ok(None)
}

/// A managed policy by ARN: customer-managed from the store or AWS-managed from the table.
pub(super) async fn resolve_policy(cx: &Ctx<'_>, arn: &str) -> Result<ManagedPolicy, QueryError> {
    let not_found = || {
        QueryError::new(
            StatusCode::NOT_FOUND,
            "NoSuchEntity",
            format!("Policy {arn} does not exist or is not attachable."),
        )
    };
    if let Some((name, id, version, _)) = aws_managed::lookup(arn) {
        return Ok(ManagedPolicy {
            arn: arn.to_string(),
            account_id: "aws".into(),
            name: name.into(),
            id: id.into(),
            path: "/".into(),
            description: None,
            default_version: version.into(),
            created: 0,
            updated: 0,
        });
    }
    let p = cx
        .state
        .meta
        .get_managed_policy(arn)
        .await
        .map_err(|e| meta_err(e, "policy"))?
        .ok_or_else(not_found)?;
    if p.account_id != cx.account_id {
        return Err(not_found());
    }
    Ok(p)
}

async fn attachment_count(cx: &Ctx<'_>, arn: &str) -> Result<usize, QueryError> {
    let all = cx
        .state
        .meta
        .policy_attachments(arn)
        .await
        .map_err(|e| meta_err(e, "policy"))?;
    Ok(all.len())
}

pub async fn create_policy(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("PolicyName")?;
    check_name(name, "policyName", 128)?;
    let path = cx.optional("Path").unwrap_or("/");
    check_path(path, "path")?;
    let doc = cx.required("PolicyDocument")?;
    check_document(doc, MANAGED_LIMIT, &format!("policy {name}"))?;
    let arn = format!("arn:aws:iam::{}:policy{path}{name}", cx.account_id);
    cx.authorize("CreatePolicy", &arn).await?;
    let now = now_ms();
    let p = ManagedPolicy {
        arn: arn.clone(),
        account_id: cx.account_id.clone(),
        name: name.to_string(),
        id: new_id("ANPA"),
        path: path.to_string(),
        description: cx.optional("Description").map(str::to_string),
        default_version: "v1".into(),
        created: now,
        updated: now,
    };
    cx.state
        .meta
        .create_managed_policy(&p, doc)
        .await
        .map_err(|e| match e {
            MetaError::AlreadyExists => QueryError::new(
                StatusCode::CONFLICT,
                "EntityAlreadyExists",
                format!("A policy called {name} already exists. Duplicate names are not allowed."),
            ),
            other => meta_err(other, "policy"),
        })?;
    let mut x = Xml::default();
    x.open("Policy");
    render::policy_fields(&mut x, &p, 0);
    x.close("Policy");
    Ok(Some(x))
}

pub async fn get_policy(cx: &Ctx<'_>) -> IamResult {
    let arn = cx.required("PolicyArn")?;
    let p = resolve_policy(cx, arn).await?;
    cx.authorize("GetPolicy", arn).await?;
    let n = attachment_count(cx, arn).await?;
    let mut x = Xml::default();
    x.open("Policy");
    render::policy_fields(&mut x, &p, n);
    x.close("Policy");
    Ok(Some(x))
}

pub async fn list_policies(cx: &Ctx<'_>) -> IamResult {
    cx.authorize(
        "ListPolicies",
        &format!("arn:aws:iam::{}:policy/", cx.account_id),
    )
    .await?;
    let scope = cx.optional("Scope").unwrap_or("All");
    let only_attached = cx.optional("OnlyAttached") == Some("true");
    let prefix = cx.optional("PathPrefix").unwrap_or("/");
    let mut all: Vec<ManagedPolicy> = Vec::new();
    if scope == "All" || scope == "AWS" {
        for (name, ..) in aws_managed::AWS_MANAGED {
            all.push(resolve_policy(cx, &format!("{}{name}", aws_managed::ARN_PREFIX)).await?);
        }
    }
    if scope == "All" || scope == "Local" {
        all.extend(
            cx.state
                .meta
                .list_managed_policies(&cx.account_id)
                .await
                .map_err(|e| meta_err(e, "policies"))?,
        );
    }
    let mut rows = Vec::new();
    for p in all.into_iter().filter(|p| p.path.starts_with(prefix)) {
        let attached = cx
            .state
            .meta
            .policy_attachments(&p.arn)
            .await
            .map_err(|e| meta_err(e, "policy"))?;
        // AWS-managed attachments are counted within this account only.
        let n = if p.account_id == "aws" {
            let mut n = 0;
            for (kind, name) in &attached {
                if cx
                    .state
                    .meta
                    .get_entity(&cx.account_id, *kind, name)
                    .await
                    .map_err(|e| meta_err(e, "policy"))?
                    .is_some()
                {
                    n += 1;
                }
            }
            n
        } else {
            attached.len()
        };
        if !only_attached || n > 0 {
            rows.push((p, n));
        }
    }
    let mut x = Xml::default();
    x.members("Policies", &rows, |x, (p, n)| {
        render::policy_fields(x, p, *n)
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn delete_policy(cx: &Ctx<'_>) -> IamResult {
    let arn = cx.required("PolicyArn")?;
    let p = resolve_policy(cx, arn).await?;
    cx.authorize("DeletePolicy", arn).await?;
    if p.account_id == "aws" {
        return Err(QueryError::bad_request(
            "InvalidInput",
            "AWS-managed policies cannot be deleted.",
        ));
    }
    cx.state
        .meta
        .delete_managed_policy(arn)
        .await
        .map_err(|e| meta_err(e, &format!("Policy {arn}")))?;
    Ok(None)
}

fn version_xml(
    x: &mut Xml,
    version_id: &str,
    is_default: bool,
    created: i64,
    document: Option<&str>,
) {
    x.open("PolicyVersion");
    if let Some(doc) = document {
        x.leaf("Document", &url_encode(doc));
    }
    x.leaf("VersionId", version_id)
        .leaf(
            "IsDefaultVersion",
            if is_default { "true" } else { "false" },
        )
        .leaf("CreateDate", &iso8601(created))
        .close("PolicyVersion");
}

/// Customer-managed only: AWS-managed policies cannot be changed.
async fn own_policy(cx: &Ctx<'_>, action: &str) -> Result<ManagedPolicy, QueryError> {
    let arn = cx.required("PolicyArn")?;
    let p = resolve_policy(cx, arn).await?;
    cx.authorize(action, arn).await?;
    if p.account_id == "aws" {
        return Err(QueryError::bad_request(
            "InvalidInput",
            "AWS-managed policies cannot be modified.",
        ));
    }
    Ok(p)
}

pub async fn create_policy_version(cx: &Ctx<'_>) -> IamResult {
    let p = own_policy(cx, "CreatePolicyVersion").await?;
    let doc = cx.required("PolicyDocument")?;
    check_document(doc, MANAGED_LIMIT, &format!("policy {}", p.name))?;
    let set_default = cx.optional("SetAsDefault") == Some("true");
    let now = now_ms();
    let v = cx
        .state
        .meta
        .create_policy_version(&p.arn, doc, set_default, now)
        .await
        .map_err(|e| meta_err(e, "policy"))?;
    let mut x = Xml::default();
    version_xml(&mut x, &v, set_default, now, None);
    Ok(Some(x))
}

pub async fn get_policy_version(cx: &Ctx<'_>) -> IamResult {
    let arn = cx.required("PolicyArn")?;
    let version = cx.required("VersionId")?;
    let p = resolve_policy(cx, arn).await?;
    cx.authorize("GetPolicyVersion", arn).await?;
    let mut x = Xml::default();
    if let Some((_, _, v, doc)) = aws_managed::lookup(arn) {
        if v != version {
            return Err(meta_err(
                MetaError::NoSuchEntity,
                &format!("Policy {arn} version {version}"),
            ));
        }
        version_xml(&mut x, v, true, 0, Some(doc));
        return Ok(Some(x));
    }
    let pv = cx
        .state
        .meta
        .get_policy_version(arn, version)
        .await
        .map_err(|e| meta_err(e, "policy"))?
        .ok_or_else(|| {
            meta_err(
                MetaError::NoSuchEntity,
                &format!("Policy {arn} version {version}"),
            )
        })?;
    version_xml(
        &mut x,
        &pv.version_id,
        pv.version_id == p.default_version,
        pv.created,
        Some(&pv.document),
    );
    Ok(Some(x))
}

pub async fn list_policy_versions(cx: &Ctx<'_>) -> IamResult {
    let arn = cx.required("PolicyArn")?;
    let p = resolve_policy(cx, arn).await?;
    cx.authorize("ListPolicyVersions", arn).await?;
    let versions: Vec<(String, i64)> = if p.account_id == "aws" {
        vec![(p.default_version.clone(), 0)]
    } else {
        cx.state
            .meta
            .list_policy_versions(arn)
            .await
            .map_err(|e| meta_err(e, "policy"))?
            .into_iter()
            .map(|v| (v.version_id, v.created))
            .collect()
    };
    let mut x = Xml::default();
    x.members("Versions", &versions, |x, (id, created)| {
        x.leaf("VersionId", id)
            .leaf(
                "IsDefaultVersion",
                if *id == p.default_version {
                    "true"
                } else {
                    "false"
                },
            )
            .leaf("CreateDate", &iso8601(*created));
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn delete_policy_version(cx: &Ctx<'_>) -> IamResult {
    let p = own_policy(cx, "DeletePolicyVersion").await?;
    let version = cx.required("VersionId")?;
    cx.state
        .meta
        .delete_policy_version(&p.arn, version)
        .await
        .map_err(|e| meta_err(e, &format!("Policy {} version {version}", p.arn)))?;
    Ok(None)
}

pub async fn set_default_policy_version(cx: &Ctx<'_>) -> IamResult {
    let p = own_policy(cx, "SetDefaultPolicyVersion").await?;
    let version = cx.required("VersionId")?;
    cx.state
        .meta
        .set_default_policy_version(&p.arn, version, now_ms())
        .await
        .map_err(|e| meta_err(e, &format!("Policy {} version {version}", p.arn)))?;
    Ok(None)
}

pub async fn attach(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    let policy = cx.required("PolicyArn")?;
    resolve_policy(cx, policy).await?;
    cx.authorize(&action("Attach", kind, "Policy"), &arn)
        .await?;
    cx.state
        .meta
        .attach_policy(&cx.account_id, kind, &name, policy)
        .await
        .map_err(|e| meta_err(e, kind.as_str()))?;
    Ok(None)
}

pub async fn detach(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    let policy = cx.required("PolicyArn")?;
    cx.authorize(&action("Detach", kind, "Policy"), &arn)
        .await?;
    cx.state
        .meta
        .detach_policy(&cx.account_id, kind, &name, policy)
        .await
        .map_err(|e| {
            meta_err(
                e,
                &format!("Policy {policy} attached to {} {name}", kind.as_str()),
            )
        })?;
    Ok(None)
}

pub async fn list_attached(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    cx.authorize(&action("ListAttached", kind, "Policies"), &arn)
        .await?;
    let arns = cx
        .state
        .meta
        .list_attached(&cx.account_id, kind, &name)
        .await
        .map_err(|e| meta_err(e, "policies"))?;
    let mut x = Xml::default();
    x.members("AttachedPolicies", &arns, |x, a| {
        let name = a.rsplit('/').next().unwrap_or(a);
        x.leaf("PolicyName", name).leaf("PolicyArn", a);
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn list_entities_for_policy(cx: &Ctx<'_>) -> IamResult {
    let arn = cx.required("PolicyArn")?;
    resolve_policy(cx, arn).await?;
    cx.authorize("ListEntitiesForPolicy", arn).await?;
    let mut found = Vec::new();
    for (kind, name) in cx
        .state
        .meta
        .policy_attachments(arn)
        .await
        .map_err(|e| meta_err(e, "policy"))?
    {
        if let Some(e) = cx
            .state
            .meta
            .get_entity(&cx.account_id, kind, &name)
            .await
            .map_err(|e| meta_err(e, "policy"))?
        {
            found.push(e);
        }
    }
    let of = |k: EntityKind| {
        found
            .iter()
            .filter(|e| e.kind == k)
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut x = Xml::default();
    x.members("PolicyGroups", &of(EntityKind::Group), |x, e| {
        x.leaf("GroupName", &e.name).leaf("GroupId", &e.id);
    });
    x.members("PolicyUsers", &of(EntityKind::User), |x, e| {
        x.leaf("UserName", &e.name).leaf("UserId", &e.id);
    });
    x.members("PolicyRoles", &of(EntityKind::Role), |x, e| {
        x.leaf("RoleName", &e.name).leaf("RoleId", &e.id);
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn put_boundary(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    let boundary = cx.required("PermissionsBoundary")?;
    resolve_policy(cx, boundary).await?;
    cx.authorize(&action("Put", kind, "PermissionsBoundary"), &arn)
        .await?;
    set_boundary(cx, kind, &name, Some(boundary.to_string())).await
}

pub async fn delete_boundary(cx: &Ctx<'_>, kind: EntityKind) -> IamResult {
    let (name, arn) = holder(cx, kind).await?;
    cx.authorize(&action("Delete", kind, "PermissionsBoundary"), &arn)
        .await?;
    set_boundary(cx, kind, &name, None).await
}

async fn set_boundary(
    cx: &Ctx<'_>,
    kind: EntityKind,
    name: &str,
    boundary: Option<String>,
) -> IamResult {
    let mut e = cx
        .state
        .meta
        .get_entity(&cx.account_id, kind, name)
        .await
        .map_err(|e| meta_err(e, kind.as_str()))?
        .ok_or_else(|| {
            meta_err(
                MetaError::NoSuchEntity,
                &format!("{} with name {name}", kind.as_str()),
            )
        })?;
    e.attrs.permissions_boundary = boundary;
    cx.state
        .meta
        .update_entity(name, &e)
        .await
        .map_err(|e| meta_err(e, kind.as_str()))?;
    Ok(None)
}
