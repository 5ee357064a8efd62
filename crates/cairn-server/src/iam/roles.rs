//! Roles as identity policies need them; assuming them arrives with STS.

use super::names::{check_name, check_path, new_id};
use super::policies::check_trust_document;
use super::users::{check_tags, merge_tags};
use super::{Ctx, IamResult, meta_err, render};
use crate::query::QueryError;
use crate::query::xml::Xml;
use crate::time::now_ms;
use cairn_meta::{EntityAttrs, EntityKind, IamEntity, MetaError};

/// Trust policies are limited to 2,048 characters by default.
const TRUST_POLICY_LIMIT: usize = 2048;

async fn role(cx: &Ctx<'_>, name: &str) -> Result<IamEntity, QueryError> {
    cx.state
        .meta
        .get_entity(&cx.account_id, EntityKind::Role, name)
        .await
        .map_err(|e| meta_err(e, &format!("role with name {name}")))?
        .ok_or_else(|| meta_err(MetaError::NoSuchEntity, &format!("role with name {name}")))
}

fn max_session(cx: &Ctx<'_>) -> Result<Option<u32>, QueryError> {
    match cx.optional("MaxSessionDuration") {
        None => Ok(None),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (3600..=43200).contains(&n) => Ok(Some(n)),
            _ => Err(super::names::validation(
                v,
                "maxSessionDuration",
                "Member must have value less than or equal to 43200 and greater than or equal to 3600",
            )),
        },
    }
}

pub async fn create_role(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("RoleName")?;
    check_name(name, "roleName", 64)?;
    let path = cx.optional("Path").unwrap_or("/");
    check_path(path, "path")?;
    let trust = cx.required("AssumeRolePolicyDocument")?;
    check_trust_document(trust, TRUST_POLICY_LIMIT, "role trust policy")?;
    cx.authorize("CreateRole", &cx.arn(EntityKind::Role, path, name))
        .await?;
    let tags = cx.params.tags("Tags");
    check_tags(&tags)?;
    let mut attrs = EntityAttrs {
        tags,
        trust_policy: Some(trust.to_string()),
        description: cx.optional("Description").map(str::to_string),
        max_session_duration: Some(max_session(cx)?.unwrap_or(3600)),
        ..Default::default()
    };
    if let Some(b) = cx.optional("PermissionsBoundary") {
        super::policies::resolve_policy(cx, b).await?;
        attrs.permissions_boundary = Some(b.to_string());
    }
    let r = IamEntity {
        account_id: cx.account_id.clone(),
        kind: EntityKind::Role,
        name: name.to_string(),
        id: new_id("AROA"),
        path: path.to_string(),
        created: now_ms(),
        attrs,
    };
    cx.state
        .meta
        .create_entity(&r)
        .await
        .map_err(|e| meta_err(e, &format!("Role with name {name}")))?;
    let mut x = Xml::default();
    render::entity(&mut x, "Role", &r);
    Ok(Some(x))
}

pub async fn get_role(cx: &Ctx<'_>) -> IamResult {
    let r = role(cx, cx.required("RoleName")?).await?;
    cx.authorize("GetRole", &r.arn()).await?;
    let mut x = Xml::default();
    render::entity(&mut x, "Role", &r);
    Ok(Some(x))
}

pub async fn list_roles(cx: &Ctx<'_>) -> IamResult {
    cx.authorize(
        "ListRoles",
        &format!("arn:aws:iam::{}:role/", cx.account_id),
    )
    .await?;
    let prefix = cx.optional("PathPrefix").unwrap_or("/");
    let roles = cx
        .state
        .meta
        .list_entities(&cx.account_id, EntityKind::Role, prefix)
        .await
        .map_err(|e| meta_err(e, "roles"))?;
    let mut x = Xml::default();
    x.members("Roles", &roles, render::entity_fields);
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn update_role(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("RoleName")?;
    let mut r = role(cx, name).await?;
    cx.authorize("UpdateRole", &r.arn()).await?;
    if let Some(d) = cx.optional("Description") {
        r.attrs.description = Some(d.to_string());
    }
    if let Some(m) = max_session(cx)? {
        r.attrs.max_session_duration = Some(m);
    }
    cx.state
        .meta
        .update_entity(name, &r)
        .await
        .map_err(|e| meta_err(e, "role"))?;
    // The only IAM action whose (empty) result element clients require.
    Ok(Some(Xml::default()))
}

pub async fn update_assume_role_policy(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("RoleName")?;
    let mut r = role(cx, name).await?;
    let doc = cx.required("PolicyDocument")?;
    check_trust_document(doc, TRUST_POLICY_LIMIT, "role trust policy")?;
    cx.authorize("UpdateAssumeRolePolicy", &r.arn()).await?;
    r.attrs.trust_policy = Some(doc.to_string());
    cx.state
        .meta
        .update_entity(name, &r)
        .await
        .map_err(|e| meta_err(e, "role"))?;
    Ok(None)
}

pub async fn delete_role(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("RoleName")?;
    let r = role(cx, name).await?;
    cx.authorize("DeleteRole", &r.arn()).await?;
    cx.state
        .meta
        .delete_entity(&cx.account_id, EntityKind::Role, name)
        .await
        .map_err(|e| meta_err(e, &format!("role with name {name}")))?;
    Ok(None)
}

pub async fn tag_role(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("RoleName")?;
    let mut r = role(cx, name).await?;
    cx.authorize("TagRole", &r.arn()).await?;
    merge_tags(&mut r.attrs.tags, cx.params.tags("Tags"));
    check_tags(&r.attrs.tags)?;
    cx.state
        .meta
        .update_entity(name, &r)
        .await
        .map_err(|e| meta_err(e, "role"))?;
    Ok(None)
}

pub async fn untag_role(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("RoleName")?;
    let mut r = role(cx, name).await?;
    cx.authorize("UntagRole", &r.arn()).await?;
    let remove = cx.params.list("TagKeys");
    r.attrs
        .tags
        .retain(|(k, _)| !remove.iter().any(|x| x.eq_ignore_ascii_case(k)));
    cx.state
        .meta
        .update_entity(name, &r)
        .await
        .map_err(|e| meta_err(e, "role"))?;
    Ok(None)
}

pub async fn list_role_tags(cx: &Ctx<'_>) -> IamResult {
    let r = role(cx, cx.required("RoleName")?).await?;
    cx.authorize("ListRoleTags", &r.arn()).await?;
    let mut x = Xml::default();
    x.members("Tags", &r.attrs.tags, |x, (k, v)| {
        x.leaf("Key", k).leaf("Value", v);
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}
