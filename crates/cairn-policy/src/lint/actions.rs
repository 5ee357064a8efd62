//! The `Action`/`NotAction` values: services and actions that do not exist (IAM accepts any
//! well-formed `vendor:Name`, so `s3:ListObject` silently grants nothing), wildcards in service
//! names, variables where none are substituted, and actions the policy type cannot use (a
//! bucket policy can only grant S3 bucket and object actions, a trust policy only
//! `sts:AssumeRole*` and what goes with it).

use super::finding::{Finding, Issue};
use super::view::{Text, View};
use super::{LintKind, ResourceType, pattern, variables};
use crate::catalog;

/// What a role trust policy may allow: assuming the role and the session options that go with it.
pub(super) const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

/// `validatePolicyResourceType` as AWS names it in messages.
fn resource_type_name(t: ResourceType) -> &'static str {
    match t {
        ResourceType::S3Bucket => "S3 Bucket",
        ResourceType::RoleTrust => "IAM Role Trust Policy",
        ResourceType::Any => "resource",
    }
}

pub(super) fn check(view: &View, kind: LintKind, out: &mut Vec<Finding>) {
    for s in &view.statements {
        let Some(block) = &s.action else {
            continue;
        };
        for entry in &block.entries {
            entry_exists(entry, out);
            if kind == LintKind::ServiceControlPolicy {
                scp_wildcard(entry, out);
            }
            if let LintKind::ResourcePolicy(t @ (ResourceType::S3Bucket | ResourceType::RoleTrust)) =
                kind
                && !block.negated
                && !supported_in(entry, t)
            {
                out.push(Finding::new(
                    Issue::UnsupportedActionInPolicy,
                    format!(
                        "The action {} is not supported for the resource-based policy attached to resource type {}.",
                        entry.text,
                        resource_type_name(t)
                    ),
                    vec![entry.loc.clone()],
                ));
            }
        }
    }
}

/// `service:name` split, if there is exactly that shape.
pub(super) fn split(action: &str) -> Option<(&str, &str)> {
    action
        .split_once(':')
        .filter(|(_, name)| !name.contains(':'))
}

fn entry_exists(entry: &Text, out: &mut Vec<Finding>) {
    let action = entry.text.as_str();
    if action == "*" {
        return;
    }
    if variables::uses(action) {
        let names = variables::names(action).join(", ");
        out.push(Finding::new(
            Issue::VariableUnsupportedInElement,
            format!(
                "Policy variables are supported in the Resource and Condition elements. Remove the policy variable {names} from this element."
            ),
            vec![entry.loc.clone()],
        ));
        return;
    }
    let Some((service, name)) = split(action) else {
        out.push(invalid_action(entry, None));
        return;
    };
    if service.contains(['*', '?']) {
        out.push(Finding::new(
            Issue::WildcardInServiceName,
            "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.",
            vec![entry.loc.clone()],
        ));
        return;
    }
    if !catalog::is_known_service(service) {
        out.push(Finding::new(
            Issue::InvalidServiceInAction,
            format!("The service {action} specified in the action does not exist."),
            vec![entry.loc.clone()],
        ));
        return;
    }
    // Only the detailed services can tell a missing action from one the catalog omits.
    if catalog::service(service).is_none() {
        return;
    }
    let exists = if name.contains(['*', '?']) {
        catalog::matching_actions(action).next().is_some()
    } else {
        catalog::is_known_action(service, name)
    };
    if !exists {
        out.push(invalid_action(
            entry,
            catalog::action_for_api(service, name).map(|a| (name, a)),
        ));
    }
}

/// AWS's message, with its suggestion when the name is an API operation authorized by another
/// action ("The API called ListBuckets authorizes against the IAM action s3:ListAllMyBuckets.").
fn invalid_action(entry: &Text, api: Option<(&str, &str)>) -> Finding {
    let details = match api {
        Some((operation, action)) => format!(
            "The action {} does not exist. Did you mean {action}? The API called {operation} authorizes against the IAM action {action}.",
            entry.text
        ),
        None => format!("The action {} does not exist.", entry.text),
    };
    Finding::new(Issue::InvalidAction, details, vec![entry.loc.clone()])
}

fn scp_wildcard(entry: &Text, out: &mut Vec<Finding>) {
    let text = entry.text.trim_end_matches('*');
    if text.contains(['*', '?']) {
        out.push(Finding::new(
            Issue::ScpSyntaxErrorActionWildcard,
            format!(
                "SCP actions can include wildcards (*) only at the end of a string. Update {}.",
                entry.text
            ),
            vec![entry.loc.clone()],
        ));
    }
}

/// Whether an action pattern names something the resource type's policy can grant.
fn supported_in(entry: &Text, t: ResourceType) -> bool {
    let pattern = entry.text.as_str();
    match t {
        ResourceType::RoleTrust => TRUST_ACTIONS
            .iter()
            .any(|a| pattern::covers(pattern, a, true)),
        ResourceType::S3Bucket => {
            if pattern == "*" {
                return true;
            }
            let Some((service, _)) = split(pattern) else {
                return false;
            };
            if !pattern::covers(service, "s3", true) {
                return false;
            }
            let on_bucket = |a: &catalog::KnownAction| {
                a.resource_types
                    .iter()
                    .any(|r| matches!(r.trim_end_matches('*'), "bucket" | "object"))
            };
            let mut matching = catalog::matching_actions(pattern).peekable();
            // Unknown actions are reported once, as invalid; do not pile on.
            matching.peek().is_none() || matching.any(on_bucket)
        }
        ResourceType::Any => true,
    }
}
