//! Grants that reach further than they look. AWS's checks: `iam:PassRole` (security warnings)
//! and `iam:CreateServiceLinkedRole` (warnings) allowed on every resource, through a wildcard
//! action, `NotAction` or `NotResource`. Cairn's additions: any `Allow` with `NotAction` or
//! `NotResource`, which grants everything the element does not list.

use super::finding::{Finding, Issue, Location};
use super::pattern;
use super::view::{ListBlock, Statement, View};

/// The six variants of one sensitive action's check.
struct Family {
    action: &'static str,
    star_in_resource: (Issue, &'static str),
    star_in_action_and_resource: (Issue, &'static str),
    star_in_resource_and_not_action: (Issue, &'static str),
    not_resource: (Issue, &'static str),
    star_in_action_and_not_resource: (Issue, &'static str),
    not_action_and_not_resource: (Issue, &'static str),
}

const PASS_ROLE: Family = Family {
    action: "iam:PassRole",
    star_in_resource: (
        Issue::PassRoleWithStarInResource,
        "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
    ),
    star_in_action_and_resource: (
        Issue::PassRoleWithStarInActionAndResource,
        "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
    ),
    star_in_resource_and_not_action: (
        Issue::PassRoleWithStarInResourceAndNotAction,
        "Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
    ),
    not_resource: (
        Issue::PassRoleWithNotResource,
        "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    star_in_action_and_not_resource: (
        Issue::PassRoleWithStarInActionAndNotResource,
        "Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    not_action_and_not_resource: (
        Issue::PassRoleWithNotActionAndNotResource,
        "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead.",
    ),
};

const CREATE_SLR: Family = Family {
    action: "iam:CreateServiceLinkedRole",
    star_in_resource: (
        Issue::CreateSlrWithStarInResource,
        "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.",
    ),
    star_in_action_and_resource: (
        Issue::CreateSlrWithStarInActionAndResource,
        "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
    ),
    star_in_resource_and_not_action: (
        Issue::CreateSlrWithStarInResourceAndNotAction,
        "Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
    ),
    not_resource: (
        Issue::CreateSlrWithNotResource,
        "Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    star_in_action_and_not_resource: (
        Issue::CreateSlrWithStarInActionAndNotResource,
        "Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    not_action_and_not_resource: (
        Issue::CreateSlrWithNotActionAndNotResource,
        "Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
};

/// Every role (of any account, in any partition).
const ROLE_ARNS: &str = "arn:*:iam::*:role/*";

/// Whether a resource pattern names every role of an account — what AWS calls a wildcard in
/// the resource (`*`, `arn:aws:iam::*:*`, `arn:aws:iam::123456789012:role/*`); a pattern for
/// some roles (`role/AWSBatch*`, `arn:aws:iam::*:role/app`) is not.
fn all_roles(resource: &str) -> bool {
    let account = resource
        .split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && !a.contains(['*', '?', '$']))
        .unwrap_or("111122223333");
    pattern::covers(resource, &format!("arn:aws:iam::{account}:role/*"), false)
}

pub(super) fn check(view: &View, out: &mut Vec<Finding>) {
    for s in view.statements.iter().filter(|s| s.is_allow()) {
        for family in [&PASS_ROLE, &CREATE_SLR] {
            sensitive(s, family, out);
        }
        if let Some(a) = s.action.as_ref().filter(|a| a.negated) {
            out.push(Finding::new(
                Issue::AllowWithNotAction,
                "Using Allow with NotAction can be overly permissive because it allows every action of every service that the NotAction element does not list, including those added later. We recommend that you use Action instead.",
                vec![a.loc.clone()],
            ));
        }
        if let Some(r) = s.resource.as_ref().filter(|r| r.negated) {
            out.push(Finding::new(
                Issue::AllowWithNotResource,
                "Using Allow with NotResource can be overly permissive because it allows the actions on every resource that the NotResource element does not list, including those created later. We recommend that you use Resource instead.",
                vec![r.loc.clone()],
            ));
        }
    }
}

fn sensitive(s: &Statement, family: &Family, out: &mut Vec<Finding>) {
    let (Some(actions), Some(resources)) = (&s.action, &s.resource) else {
        return;
    };
    let push = |out: &mut Vec<Finding>, (issue, details): (Issue, &str), locations| {
        out.push(Finding::new(issue, details, locations));
    };
    if resources.negated {
        // NotResource that does not itself exclude every role leaves the action open.
        if resources
            .entries
            .iter()
            .any(|r| pattern::covers(&r.text, ROLE_ARNS, false))
        {
            return;
        }
        if actions.negated {
            if !excludes(actions, family.action) {
                push(
                    out,
                    family.not_action_and_not_resource,
                    vec![actions.loc.clone(), resources.loc.clone()],
                );
            }
            return;
        }
        for a in granting(actions, family.action) {
            let variant = if a.1 {
                family.star_in_action_and_not_resource
            } else {
                family.not_resource
            };
            push(out, variant, vec![a.0.clone(), resources.loc.clone()]);
        }
        return;
    }
    let Some(star) = resources
        .entries
        .iter()
        .find(|r| all_roles(&pattern::without_variables(&r.text)))
    else {
        return;
    };
    if actions.negated {
        if !excludes(actions, family.action) {
            push(
                out,
                family.star_in_resource_and_not_action,
                vec![actions.loc.clone(), star.loc.clone()],
            );
        }
        return;
    }
    for a in granting(actions, family.action) {
        let variant = if a.1 {
            family.star_in_action_and_resource
        } else {
            family.star_in_resource
        };
        push(out, variant, vec![a.0.clone(), star.loc.clone()]);
    }
}

/// The `Action` entries that grant `action`, each with whether it does so through a wildcard.
fn granting<'b>(
    actions: &'b ListBlock,
    action: &'b str,
) -> impl Iterator<Item = (&'b Location, bool)> {
    actions.entries.iter().filter_map(move |e| {
        if e.text.eq_ignore_ascii_case(action) {
            Some((&e.loc, false))
        } else if e.text.contains(['*', '?']) && pattern::covers(&e.text, action, true) {
            Some((&e.loc, true))
        } else {
            None
        }
    })
}

/// Whether a `NotAction` list keeps `action` out of the grant.
fn excludes(not_actions: &ListBlock, action: &str) -> bool {
    not_actions
        .entries
        .iter()
        .any(|e| pattern::covers(&e.text, action, true))
}
