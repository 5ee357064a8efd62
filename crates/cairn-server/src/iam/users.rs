//! Users, their tags and their access keys.

use super::names::{check_name, check_path, new_id};
use super::{Ctx, IamResult, meta_err, render};
use crate::bootstrap::{new_access_key_id, new_secret_key};
use crate::principal::Principal;
use crate::query::QueryError;
use crate::query::xml::{Xml, iso8601};
use crate::time::now_ms;
use cairn_meta::{AccessKey, EntityAttrs, EntityKind, IamEntity, MetaError};
use http::StatusCode;

/// IAM allows two access keys per user.
const MAX_KEYS_PER_USER: usize = 2;
/// And 50 tags per user or role.
pub const MAX_TAGS: usize = 50;

pub(super) async fn user(cx: &Ctx<'_>, name: &str) -> Result<IamEntity, QueryError> {
    cx.state
        .meta
        .get_entity(&cx.account_id, EntityKind::User, name)
        .await
        .map_err(|e| meta_err(e, &format!("user with name {name}")))?
        .ok_or_else(|| meta_err(MetaError::NoSuchEntity, &format!("user with name {name}")))
}

/// The user a call is about: `UserName`, or the calling user when it is omitted.
fn target_user<'a>(cx: &'a Ctx<'_>) -> Result<Option<&'a str>, QueryError> {
    match cx.optional("UserName") {
        Some(n) => Ok(Some(n)),
        None => match &cx.caller.principal {
            Principal::User { name, .. } => Ok(Some(name.as_str())),
            Principal::Root { .. } => Ok(None),
            Principal::Role(_) => Err(QueryError::bad_request(
                "ValidationError",
                "Must specify userName when calling with non-User credentials",
            )),
            Principal::Anonymous => Err(QueryError::forbidden("AccessDenied", "Access denied")),
        },
    }
}

pub(super) fn check_tags(tags: &[(String, String)]) -> Result<(), QueryError> {
    if tags.len() > MAX_TAGS {
        return Err(QueryError::new(
            StatusCode::CONFLICT,
            "LimitExceeded",
            "The number of tags has reached the maximum limit.",
        ));
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(super::names::validation(
                k,
                "tags.member.key",
                "Member must have length less than or equal to 128",
            ));
        }
    }
    Ok(())
}

pub(super) fn merge_tags(existing: &mut Vec<(String, String)>, new: Vec<(String, String)>) {
    for (k, v) in new {
        match existing
            .iter_mut()
            .find(|(ek, _)| ek.eq_ignore_ascii_case(&k))
        {
            Some(slot) => slot.1 = v,
            None => existing.push((k, v)),
        }
    }
}

pub async fn create_user(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("UserName")?;
    check_name(name, "userName", 64)?;
    let path = cx.optional("Path").unwrap_or("/");
    check_path(path, "path")?;
    cx.authorize("CreateUser", &cx.arn(EntityKind::User, path, name))
        .await?;
    let tags = cx.params.tags("Tags");
    check_tags(&tags)?;
    let mut attrs = EntityAttrs {
        tags,
        ..Default::default()
    };
    if let Some(b) = cx.optional("PermissionsBoundary") {
        super::policies::resolve_policy(cx, b).await?;
        attrs.permissions_boundary = Some(b.to_string());
    }
    let user = IamEntity {
        account_id: cx.account_id.clone(),
        kind: EntityKind::User,
        name: name.to_string(),
        id: new_id("AIDA"),
        path: path.to_string(),
        created: now_ms(),
        attrs,
    };
    cx.state
        .meta
        .create_entity(&user)
        .await
        .map_err(|e| meta_err(e, &format!("User with name {name}")))?;
    let mut x = Xml::default();
    render::entity(&mut x, "User", &user);
    Ok(Some(x))
}

pub async fn get_user(cx: &Ctx<'_>) -> IamResult {
    let mut x = Xml::default();
    match target_user(cx)? {
        Some(name) => {
            let u = user(cx, name).await?;
            cx.authorize("GetUser", &u.arn()).await?;
            render::entity(&mut x, "User", &u);
        }
        None => {
            // The root user describing itself.
            let arn = cx.caller.principal.arn();
            cx.authorize("GetUser", &arn).await?;
            x.open("User")
                .leaf("UserId", &cx.account_id)
                .leaf("Arn", &arn)
                .leaf("CreateDate", &iso8601(0))
                .close("User");
        }
    }
    Ok(Some(x))
}

pub async fn list_users(cx: &Ctx<'_>) -> IamResult {
    cx.authorize(
        "ListUsers",
        &format!("arn:aws:iam::{}:user/", cx.account_id),
    )
    .await?;
    let prefix = cx.optional("PathPrefix").unwrap_or("/");
    let users = cx
        .state
        .meta
        .list_entities(&cx.account_id, EntityKind::User, prefix)
        .await
        .map_err(|e| meta_err(e, "users"))?;
    let mut x = Xml::default();
    x.members("Users", &users, render::entity_fields);
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn update_user(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("UserName")?;
    let mut u = user(cx, name).await?;
    cx.authorize("UpdateUser", &u.arn()).await?;
    if let Some(new_name) = cx.optional("NewUserName") {
        check_name(new_name, "newUserName", 64)?;
        u.name = new_name.to_string();
    }
    if let Some(new_path) = cx.optional("NewPath") {
        check_path(new_path, "newPath")?;
        u.path = new_path.to_string();
    }
    let new_name = u.name.clone();
    cx.state
        .meta
        .update_entity(name, &u)
        .await
        .map_err(|e| meta_err(e, &format!("User with name {new_name}")))?;
    Ok(None)
}

pub async fn delete_user(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("UserName")?;
    let u = user(cx, name).await?;
    cx.authorize("DeleteUser", &u.arn()).await?;
    cx.state
        .meta
        .delete_entity(&cx.account_id, EntityKind::User, name)
        .await
        .map_err(|e| meta_err(e, &format!("user with name {name}")))?;
    Ok(None)
}

pub async fn tag_user(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("UserName")?;
    let mut u = user(cx, name).await?;
    cx.authorize("TagUser", &u.arn()).await?;
    let new = cx.params.tags("Tags");
    merge_tags(&mut u.attrs.tags, new);
    check_tags(&u.attrs.tags)?;
    cx.state
        .meta
        .update_entity(name, &u)
        .await
        .map_err(|e| meta_err(e, "user"))?;
    Ok(None)
}

pub async fn untag_user(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("UserName")?;
    let mut u = user(cx, name).await?;
    cx.authorize("UntagUser", &u.arn()).await?;
    let remove = cx.params.list("TagKeys");
    u.attrs
        .tags
        .retain(|(k, _)| !remove.iter().any(|r| r.eq_ignore_ascii_case(k)));
    cx.state
        .meta
        .update_entity(name, &u)
        .await
        .map_err(|e| meta_err(e, "user"))?;
    Ok(None)
}

pub async fn list_user_tags(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("UserName")?;
    let u = user(cx, name).await?;
    cx.authorize("ListUserTags", &u.arn()).await?;
    let mut x = Xml::default();
    x.members("Tags", &u.attrs.tags, |x, (k, v)| {
        x.leaf("Key", k).leaf("Value", v);
    });
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn create_access_key(cx: &Ctx<'_>) -> IamResult {
    let target = target_user(cx)?;
    let (user_name, resource) = match target {
        Some(name) => {
            let u = user(cx, name).await?;
            (Some(u.name.clone()), u.arn())
        }
        None => (None, cx.caller.principal.arn()),
    };
    cx.authorize("CreateAccessKey", &resource).await?;
    let existing = cx
        .state
        .meta
        .list_access_keys(&cx.account_id, user_name.as_deref())
        .await
        .map_err(|e| meta_err(e, "access keys"))?;
    if existing.len() >= MAX_KEYS_PER_USER {
        return Err(QueryError::new(
            StatusCode::CONFLICT,
            "LimitExceeded",
            "Cannot exceed quota for AccessKeysPerUser: 2",
        ));
    }
    let secret = new_secret_key();
    let key = AccessKey {
        access_key_id: new_access_key_id("AKIA"),
        secret_enc: cx.state.master.seal(&secret),
        account_id: cx.account_id.clone(),
        user_name: user_name.clone(),
        status: "Active".into(),
        created: now_ms(),
    };
    cx.state
        .meta
        .put_access_key(&key)
        .await
        .map_err(|e| meta_err(e, "access key"))?;
    let mut x = Xml::default();
    x.open("AccessKey")
        .opt_leaf("UserName", user_name.as_deref())
        .leaf("AccessKeyId", &key.access_key_id)
        .leaf("Status", "Active")
        .leaf("SecretAccessKey", &secret)
        .leaf("CreateDate", &iso8601(key.created))
        .close("AccessKey");
    Ok(Some(x))
}

/// The key, checked to belong to the target user (or to root when no user is named).
async fn owned_key(cx: &Ctx<'_>, action: &str) -> Result<AccessKey, QueryError> {
    let key_id = cx.required("AccessKeyId")?;
    let target = target_user(cx)?;
    let resource = match target {
        Some(name) => user(cx, name).await?.arn(),
        None => cx.caller.principal.arn(),
    };
    cx.authorize(action, &resource).await?;
    let not_found = || {
        meta_err(
            MetaError::NoSuchEntity,
            &format!("Access Key with id {key_id}"),
        )
    };
    let key = cx
        .state
        .meta
        .get_access_key(key_id)
        .await
        .map_err(|e| meta_err(e, "access key"))?
        .ok_or_else(not_found)?;
    let same_user = match (&key.user_name, target) {
        (Some(k), Some(t)) => k.eq_ignore_ascii_case(t),
        (None, None) => true,
        _ => false,
    };
    if key.account_id != cx.account_id || !same_user {
        return Err(not_found());
    }
    Ok(key)
}

pub async fn list_access_keys(cx: &Ctx<'_>) -> IamResult {
    let target = target_user(cx)?;
    let (user_name, resource) = match target {
        Some(name) => {
            let u = user(cx, name).await?;
            (Some(u.name.clone()), u.arn())
        }
        None => (None, cx.caller.principal.arn()),
    };
    cx.authorize("ListAccessKeys", &resource).await?;
    let keys = cx
        .state
        .meta
        .list_access_keys(&cx.account_id, user_name.as_deref())
        .await
        .map_err(|e| meta_err(e, "access keys"))?;
    let mut x = Xml::default();
    x.members("AccessKeyMetadata", &keys, |x, k| {
        x.opt_leaf("UserName", k.user_name.as_deref())
            .leaf("AccessKeyId", &k.access_key_id)
            .leaf("Status", &k.status)
            .leaf("CreateDate", &iso8601(k.created));
    });
    x.leaf("IsTruncated", "false");
    x.opt_leaf("UserName", user_name.as_deref());
    Ok(Some(x))
}

pub async fn update_access_key(cx: &Ctx<'_>) -> IamResult {
    let status = cx.required("Status")?;
    if status != "Active" && status != "Inactive" {
        return Err(super::names::validation(
            status,
            "status",
            "Member must satisfy enum value set: [Active, Inactive]",
        ));
    }
    let key = owned_key(cx, "UpdateAccessKey").await?;
    cx.state
        .meta
        .set_access_key_status(&key.access_key_id, status)
        .await
        .map_err(|e| meta_err(e, "access key"))?;
    Ok(None)
}

pub async fn delete_access_key(cx: &Ctx<'_>) -> IamResult {
    let key = owned_key(cx, "DeleteAccessKey").await?;
    cx.state
        .meta
        .delete_access_key(&key.access_key_id)
        .await
        .map_err(|e| meta_err(e, "access key"))?;
    Ok(None)
}

pub async fn get_access_key_last_used(cx: &Ctx<'_>) -> IamResult {
    let key_id = cx.required("AccessKeyId")?;
    let key = cx
        .state
        .meta
        .get_access_key(key_id)
        .await
        .map_err(|e| meta_err(e, "access key"))?
        .filter(|k| k.account_id == cx.account_id)
        .ok_or_else(|| QueryError::forbidden("AccessDenied", "Access denied"))?;
    let resource = match &key.user_name {
        Some(n) => cx.arn(EntityKind::User, "/", n),
        None => cx.caller.principal.arn(),
    };
    cx.authorize("GetAccessKeyLastUsed", &resource).await?;
    let used = cx.state.key_last_used(&key.access_key_id).await;
    let mut x = Xml::default();
    x.opt_leaf("UserName", key.user_name.as_deref());
    x.open("AccessKeyLastUsed");
    match used {
        Some((when, service, region)) => {
            x.leaf("LastUsedDate", &iso8601(when))
                .leaf("ServiceName", &service)
                .leaf("Region", &region);
        }
        None => {
            x.leaf("ServiceName", "N/A").leaf("Region", "N/A");
        }
    }
    x.close("AccessKeyLastUsed");
    Ok(Some(x))
}
