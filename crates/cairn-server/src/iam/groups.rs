//! Groups and membership.

use super::names::{check_name, check_path, new_id};
use super::users::user;
use super::{Ctx, IamResult, meta_err, render};
use crate::query::QueryError;
use crate::query::xml::Xml;
use crate::time::now_ms;
use cairn_meta::{EntityAttrs, EntityKind, IamEntity, MetaError};

pub(super) async fn group(cx: &Ctx<'_>, name: &str) -> Result<IamEntity, QueryError> {
    cx.state
        .meta
        .get_entity(&cx.account_id, EntityKind::Group, name)
        .await
        .map_err(|e| meta_err(e, &format!("group with name {name}")))?
        .ok_or_else(|| meta_err(MetaError::NoSuchEntity, &format!("group with name {name}")))
}

/// Renames a group or moves it to another path; members and policies stay with it.
pub async fn update_group(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("GroupName")?;
    let mut g = group(cx, name).await?;
    cx.authorize("UpdateGroup", &g.arn()).await?;
    if let Some(new_name) = cx.optional("NewGroupName") {
        check_name(new_name, "newGroupName", 128)?;
        g.name = new_name.to_string();
    }
    if let Some(new_path) = cx.optional("NewPath") {
        check_path(new_path, "newPath")?;
        g.path = new_path.to_string();
    }
    let new_name = g.name.clone();
    cx.state
        .meta
        .update_entity(name, &g)
        .await
        .map_err(|e| meta_err(e, &format!("Group with name {new_name}")))?;
    Ok(None)
}

pub async fn create_group(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("GroupName")?;
    check_name(name, "groupName", 128)?;
    let path = cx.optional("Path").unwrap_or("/");
    check_path(path, "path")?;
    cx.authorize("CreateGroup", &cx.arn(EntityKind::Group, path, name))
        .await?;
    let g = IamEntity {
        account_id: cx.account_id.clone(),
        kind: EntityKind::Group,
        name: name.to_string(),
        id: new_id("AGPA"),
        path: path.to_string(),
        created: now_ms(),
        attrs: EntityAttrs::default(),
    };
    cx.state
        .meta
        .create_entity(&g)
        .await
        .map_err(|e| meta_err(e, &format!("Group with name {name}")))?;
    let mut x = Xml::default();
    render::entity(&mut x, "Group", &g);
    Ok(Some(x))
}

pub async fn get_group(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("GroupName")?;
    let g = group(cx, name).await?;
    cx.authorize("GetGroup", &g.arn()).await?;
    let members = cx
        .state
        .meta
        .members_of_group(&cx.account_id, name)
        .await
        .map_err(|e| meta_err(e, "group"))?;
    let mut x = Xml::default();
    render::entity(&mut x, "Group", &g);
    x.members("Users", &members, render::entity_fields);
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn list_groups(cx: &Ctx<'_>) -> IamResult {
    cx.authorize(
        "ListGroups",
        &format!("arn:aws:iam::{}:group/", cx.account_id),
    )
    .await?;
    let prefix = cx.optional("PathPrefix").unwrap_or("/");
    let groups = cx
        .state
        .meta
        .list_entities(&cx.account_id, EntityKind::Group, prefix)
        .await
        .map_err(|e| meta_err(e, "groups"))?;
    let mut x = Xml::default();
    x.members("Groups", &groups, render::entity_fields);
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}

pub async fn delete_group(cx: &Ctx<'_>) -> IamResult {
    let name = cx.required("GroupName")?;
    let g = group(cx, name).await?;
    cx.authorize("DeleteGroup", &g.arn()).await?;
    cx.state
        .meta
        .delete_entity(&cx.account_id, EntityKind::Group, name)
        .await
        .map_err(|e| meta_err(e, &format!("group with name {name}")))?;
    Ok(None)
}

pub async fn add_user_to_group(cx: &Ctx<'_>) -> IamResult {
    let g = group(cx, cx.required("GroupName")?).await?;
    let u = user(cx, cx.required("UserName")?).await?;
    cx.authorize("AddUserToGroup", &g.arn()).await?;
    cx.state
        .meta
        .add_to_group(&cx.account_id, &g.name, &u.name)
        .await
        .map_err(|e| meta_err(e, "group"))?;
    Ok(None)
}

pub async fn remove_user_from_group(cx: &Ctx<'_>) -> IamResult {
    let g = group(cx, cx.required("GroupName")?).await?;
    let u = user(cx, cx.required("UserName")?).await?;
    cx.authorize("RemoveUserFromGroup", &g.arn()).await?;
    cx.state
        .meta
        .remove_from_group(&cx.account_id, &g.name, &u.name)
        .await
        .map_err(|e| meta_err(e, &format!("user with name {} in group {}", u.name, g.name)))?;
    Ok(None)
}

pub async fn list_groups_for_user(cx: &Ctx<'_>) -> IamResult {
    let u = user(cx, cx.required("UserName")?).await?;
    cx.authorize("ListGroupsForUser", &u.arn()).await?;
    let groups = cx
        .state
        .meta
        .groups_of_user(&cx.account_id, &u.name)
        .await
        .map_err(|e| meta_err(e, "groups"))?;
    let mut x = Xml::default();
    x.members("Groups", &groups, render::entity_fields);
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}
