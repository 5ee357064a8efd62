//! The checks after the syntax stage, in the order IAM runs them.
//!
//! The order matters because only the first failure is reported; it was
//! derived from the 78 rejected documents moto recorded against AWS
//! (`tests/data/moto_iam_policy_validation_cases.json`): version, then
//! legacy parsing (effect case, malformed ARNs, unreadable dates), unique
//! SIDs, presence of actions, resource formats, action formats, presence of
//! resources. The per-kind rules (principals, trust policy shape) follow.

use std::collections::HashSet;

use crate::date;
use crate::document::{PolicyKind, VERSION_2012_10_17};
use crate::error::{PolicyError, msg};
use crate::glob;
use crate::raw::{RawPolicy, RawPrincipal, RawStatement};
use crate::resource_format;

/// Actions a trust policy may allow: assuming the role and what comes with it.
const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

pub(crate) fn validate(raw: &RawPolicy, kind: PolicyKind) -> Result<(), PolicyError> {
    version(raw, kind)?;
    legacy_parsing(raw)?;
    unique_sids(raw)?;
    check_all(raw, |s| {
        s.action
            .as_ref()
            .is_some_and(|(_, list)| !list.is_empty())
            .then_some(())
            .ok_or_else(|| PolicyError::malformed(msg::NO_ACTIONS))
    })?;
    check_all(raw, resource_formats)?;
    check_all(raw, action_formats)?;
    if kind != PolicyKind::Trust {
        check_all(raw, |s| {
            s.resource
                .as_ref()
                .is_some_and(|(_, list)| !list.is_empty())
                .then_some(())
                .ok_or_else(|| PolicyError::malformed(msg::NO_RESOURCES))
        })?;
    }
    check_all(raw, |s| kind_rules(s, kind))
}

fn check_all(
    raw: &RawPolicy,
    check: impl Fn(&RawStatement) -> Result<(), PolicyError>,
) -> Result<(), PolicyError> {
    raw.statements.iter().try_for_each(check)
}

/// IAM policies must say 2012-10-17. Bucket and trust policies may still be
/// written in 2008-10-17 or without a version (then variables are literal text).
fn version(raw: &RawPolicy, kind: PolicyKind) -> Result<(), PolicyError> {
    let strict = matches!(kind, PolicyKind::Identity | PolicyKind::Session);
    if strict && raw.version.as_deref() != Some(VERSION_2012_10_17) {
        return Err(PolicyError::malformed(msg::VERSION));
    }
    Ok(())
}

fn legacy_parsing(raw: &RawPolicy) -> Result<(), PolicyError> {
    let ok = raw.statements.iter().all(|s| {
        matches!(s.effect.as_str(), "Allow" | "Deny")
            && s.resource
                .iter()
                .flat_map(|(_, list)| list)
                .all(|r| resource_format::passes_legacy_parsing(r))
            && s.condition
                .iter()
                .filter(|c| c.parsed.is_some_and(|op| op.base.is_date()))
                .flat_map(|c| &c.entries)
                .flat_map(|(_, values)| values)
                .all(|v| date::parse(v).is_some())
    });
    ok.then_some(())
        .ok_or_else(|| PolicyError::malformed(msg::LEGACY))
}

/// Empty SIDs may repeat; non-empty ones may not.
fn unique_sids(raw: &RawPolicy) -> Result<(), PolicyError> {
    let mut seen = HashSet::new();
    for sid in raw.statements.iter().filter_map(|s| s.sid.as_deref()) {
        if !sid.is_empty() && !seen.insert(sid) {
            return Err(PolicyError::malformed(msg::SID_UNIQUE));
        }
    }
    Ok(())
}

fn resource_formats(s: &RawStatement) -> Result<(), PolicyError> {
    match s
        .resource
        .iter()
        .flat_map(|(_, list)| list)
        .find_map(|r| resource_format::format_error(r))
    {
        Some(message) => Err(PolicyError::Malformed(message)),
        None => Ok(()),
    }
}

/// `vendor:name` with exactly one colon and a vendor of letters, digits, `-` and `.`.
fn action_formats(s: &RawStatement) -> Result<(), PolicyError> {
    for action in s.action.iter().flat_map(|(_, list)| list) {
        if action == "*" {
            continue;
        }
        let Some((vendor, name)) = action.split_once(':') else {
            return Err(PolicyError::malformed(msg::NO_VENDOR));
        };
        if name.contains(':') {
            return Err(PolicyError::malformed(msg::ONE_COLON));
        }
        let vendor_ok = !vendor.is_empty()
            && vendor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !vendor_ok {
            return Err(PolicyError::Malformed(format!(
                "Vendor {vendor} is not valid"
            )));
        }
    }
    Ok(())
}

fn kind_rules(s: &RawStatement, kind: PolicyKind) -> Result<(), PolicyError> {
    match kind {
        PolicyKind::Identity | PolicyKind::Session => match s.principal {
            Some(_) => Err(PolicyError::UnexpectedPrincipal),
            None => Ok(()),
        },
        PolicyKind::Resource => principal_entries(s),
        PolicyKind::Trust => {
            if s.resource.is_some() {
                return Err(PolicyError::ProhibitedResource);
            }
            principal_entries(s)?;
            trust_actions(s)
        }
    }
}

/// Resource and trust policies must name principals, and each must be able to name someone.
fn principal_entries(s: &RawStatement) -> Result<(), PolicyError> {
    let Some((_, principal)) = &s.principal else {
        return Err(PolicyError::MissingPrincipal);
    };
    match principal {
        RawPrincipal::Text(t) if t == "*" => Ok(()),
        RawPrincipal::Text(t) => Err(PolicyError::InvalidPrincipal(format!("\"{t}\""))),
        RawPrincipal::Map(entries) => {
            for (key, values) in entries {
                for value in values {
                    if !principal_value_ok(key, value) {
                        return Err(PolicyError::InvalidPrincipal(format!(
                            "\"{key}\":\"{value}\""
                        )));
                    }
                }
            }
            Ok(())
        }
    }
}

/// AWS principals are `*`, an account id or an IAM/STS ARN without wildcards
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).
fn principal_value_ok(key: &str, value: &str) -> bool {
    match key {
        "AWS" => {
            value == "*"
                || (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()))
                || (is_iam_or_sts_arn(value) && !value.contains(['*', '?']))
        }
        "Federated" | "Service" | "CanonicalUser" => !value.is_empty(),
        _ => false,
    }
}

fn is_iam_or_sts_arn(value: &str) -> bool {
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    fields.len() == 6
        && fields[0] == "arn"
        && matches!(fields[2], "iam" | "sts")
        && fields[4].len() == 12
        && !fields[5].is_empty()
}

fn trust_actions(s: &RawStatement) -> Result<(), PolicyError> {
    let Some((false, actions)) = &s.action else {
        return Ok(());
    };
    let all_sts = actions.iter().all(|pattern| {
        let tokens = glob::tokens(pattern);
        TRUST_ACTIONS
            .iter()
            .any(|action| glob::matches(&tokens, action, true))
    });
    all_sts
        .then_some(())
        .ok_or(PolicyError::TrustActionNotAssumeRole)
}
