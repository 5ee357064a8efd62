//! Account-wide views: the summary counters and the authorization details dump.

use super::{Ctx, IamResult, meta_err, render};
use crate::query::xml::{Xml, url_encode};
use cairn_meta::EntityKind;

pub async fn get_account_summary(cx: &Ctx<'_>) -> IamResult {
    cx.authorize("GetAccountSummary", "*").await?;
    let meta = &cx.state.meta;
    let count = |k| async move {
        meta.list_entities(&cx.account_id, k, "/")
            .await
            .map(|v| v.len())
    };
    let users = count(EntityKind::User)
        .await
        .map_err(|e| meta_err(e, "account"))?;
    let groups = count(EntityKind::Group)
        .await
        .map_err(|e| meta_err(e, "account"))?;
    let roles = count(EntityKind::Role)
        .await
        .map_err(|e| meta_err(e, "account"))?;
    let policies = meta
        .list_managed_policies(&cx.account_id)
        .await
        .map_err(|e| meta_err(e, "account"))?
        .len();
    let root_keys = meta
        .list_access_keys(&cx.account_id, None)
        .await
        .map_err(|e| meta_err(e, "account"))?
        .len();
    let entries: Vec<(&str, usize)> = vec![
        ("Users", users),
        ("UsersQuota", 5000),
        ("Groups", groups),
        ("GroupsQuota", 300),
        ("Roles", roles),
        ("RolesQuota", 1000),
        ("Policies", policies),
        ("PoliciesQuota", 1500),
        ("AccessKeysPerUserQuota", 2),
        ("AccountAccessKeysPresent", usize::from(root_keys > 0)),
        ("AccountMFAEnabled", 0),
        ("PolicyVersionsInUseQuota", 10000),
        ("AttachedPoliciesPerUserQuota", 20),
        ("AttachedPoliciesPerGroupQuota", 10),
        ("AttachedPoliciesPerRoleQuota", 10),
        ("GroupsPerUserQuota", 10),
        ("UserPolicySizeQuota", 2048),
        ("GroupPolicySizeQuota", 5120),
        ("RolePolicySizeQuota", 10240),
        ("PolicySizeQuota", 6144),
        ("VersionsPerPolicyQuota", 5),
    ];
    let mut x = Xml::default();
    x.open("SummaryMap");
    for (k, v) in entries {
        x.open("entry")
            .leaf("key", k)
            .leaf("value", &v.to_string())
            .close("entry");
    }
    x.close("SummaryMap");
    Ok(Some(x))
}

pub async fn get_account_authorization_details(cx: &Ctx<'_>) -> IamResult {
    cx.authorize("GetAccountAuthorizationDetails", "*").await?;
    let meta = &cx.state.meta;
    let err = |e| meta_err(e, "account");
    let mut x = Xml::default();
    for (kind, list_tag, inline_tag) in [
        (EntityKind::User, "UserDetailList", "UserPolicyList"),
        (EntityKind::Group, "GroupDetailList", "GroupPolicyList"),
        (EntityKind::Role, "RoleDetailList", "RolePolicyList"),
    ] {
        let entities = meta
            .list_entities(&cx.account_id, kind, "/")
            .await
            .map_err(err)?;
        x.open(list_tag);
        for e in &entities {
            x.open("member");
            render::entity_fields(&mut x, e);
            let mut inline = Vec::new();
            for name in meta
                .list_inline_policies(&cx.account_id, kind, &e.name)
                .await
                .map_err(err)?
            {
                let doc = meta
                    .get_inline_policy(&cx.account_id, kind, &e.name, &name)
                    .await
                    .map_err(err)?;
                inline.push((name, doc.unwrap_or_default()));
            }
            x.members(inline_tag, &inline, |x, (n, d)| {
                x.leaf("PolicyName", n)
                    .leaf("PolicyDocument", &url_encode(d));
            });
            let attached = meta
                .list_attached(&cx.account_id, kind, &e.name)
                .await
                .map_err(err)?;
            x.members("AttachedManagedPolicies", &attached, |x, a| {
                x.leaf("PolicyName", a.rsplit('/').next().unwrap_or(a))
                    .leaf("PolicyArn", a);
            });
            if kind == EntityKind::User {
                let groups = meta
                    .groups_of_user(&cx.account_id, &e.name)
                    .await
                    .map_err(err)?;
                let names: Vec<String> = groups.into_iter().map(|g| g.name).collect();
                x.members("GroupList", &names, |x, n| {
                    x.leaf_text(n);
                });
            }
            x.close("member");
        }
        x.close(list_tag);
    }
    let policies = meta
        .list_managed_policies(&cx.account_id)
        .await
        .map_err(err)?;
    x.open("Policies");
    for p in &policies {
        x.open("member");
        let n = meta.policy_attachments(&p.arn).await.map_err(err)?.len();
        render::policy_fields(&mut x, p, n);
        let versions = meta.list_policy_versions(&p.arn).await.map_err(err)?;
        x.members("PolicyVersionList", &versions, |x, v| {
            x.leaf("Document", &url_encode(&v.document))
                .leaf("VersionId", &v.version_id)
                .leaf(
                    "IsDefaultVersion",
                    if v.version_id == p.default_version {
                        "true"
                    } else {
                        "false"
                    },
                );
        });
        x.close("member");
    }
    x.close("Policies");
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}
