//! IAM records as the XML elements AWS returns.

use crate::query::xml::{Xml, iso8601, url_encode};
use cairn_meta::{EntityKind, IamEntity, ManagedPolicy};

fn tags(x: &mut Xml, tags: &[(String, String)]) {
    if tags.is_empty() {
        return;
    }
    x.members("Tags", tags, |x, (k, v)| {
        x.leaf("Key", k).leaf("Value", v);
    });
}

fn boundary(x: &mut Xml, e: &IamEntity) {
    if let Some(arn) = &e.attrs.permissions_boundary {
        x.open("PermissionsBoundary")
            .leaf("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
            .leaf("PermissionsBoundaryArn", arn)
            .close("PermissionsBoundary");
    }
}

/// The fields inside `<User>`, `<Group>` or `<Role>`.
pub fn entity_fields(x: &mut Xml, e: &IamEntity) {
    let (name_tag, id_tag) = match e.kind {
        EntityKind::User => ("UserName", "UserId"),
        EntityKind::Group => ("GroupName", "GroupId"),
        EntityKind::Role => ("RoleName", "RoleId"),
    };
    x.leaf("Path", &e.path)
        .leaf(name_tag, &e.name)
        .leaf(id_tag, &e.id)
        .leaf("Arn", &e.arn())
        .leaf("CreateDate", &iso8601(e.created));
    if e.kind == EntityKind::Role {
        if let Some(doc) = &e.attrs.trust_policy {
            x.leaf("AssumeRolePolicyDocument", &url_encode(doc));
        }
        x.opt_leaf("Description", e.attrs.description.as_deref());
        x.leaf(
            "MaxSessionDuration",
            &e.attrs.max_session_duration.unwrap_or(3600).to_string(),
        );
    }
    if e.kind != EntityKind::Group {
        boundary(x, e);
        tags(x, &e.attrs.tags);
    }
}

pub fn entity(x: &mut Xml, tag: &str, e: &IamEntity) {
    x.open(tag);
    entity_fields(x, e);
    x.close(tag);
}

/// The fields inside `<Policy>`.
pub fn policy_fields(x: &mut Xml, p: &ManagedPolicy, attachments: usize) {
    x.leaf("PolicyName", &p.name)
        .leaf("DefaultVersionId", &p.default_version)
        .leaf("PolicyId", &p.id)
        .leaf("Path", &p.path)
        .leaf("Arn", &p.arn)
        .leaf("AttachmentCount", &attachments.to_string())
        .leaf("PermissionsBoundaryUsageCount", "0")
        .leaf("IsAttachable", "true")
        .opt_leaf("Description", p.description.as_deref())
        .leaf("CreateDate", &iso8601(p.created))
        .leaf("UpdateDate", &iso8601(p.updated));
}
