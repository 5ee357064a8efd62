//! The required parts of a policy and its statements: `Version`, `Statement`, `Effect`,
//! `Action`, `Resource`, `Principal` where the policy type needs (or forbids) it, `Sid` rules,
//! and the empty arrays and objects that make a statement do nothing.

use std::collections::HashMap;

use super::LintKind;
use super::finding::{Finding, Issue};
use super::view::{PrincipalValue, View};

const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

pub(super) fn check(view: &View, kind: LintKind, out: &mut Vec<Finding>) {
    version(view, out);
    if !view.has_statement {
        out.push(Finding::new(
            Issue::MissingStatement,
            "Add a statement to the policy",
            vec![view.whole.clone()],
        ));
    }
    for s in &view.statements {
        match &s.effect {
            None => out.push(Finding::new(
                Issue::MissingEffect,
                "Add an Effect element to the policy statement with a value of Allow or Deny.",
                vec![s.loc.clone()],
            )),
            Some(e) if e.text != "Allow" && e.text != "Deny" => out.push(Finding::new(
                Issue::InvalidEffect,
                format!("The effect {} is not valid. Use Allow or Deny.", e.text),
                vec![e.loc.clone()],
            )),
            Some(_) => {}
        }
        match &s.action {
            None => out.push(Finding::new(
                Issue::MissingAction,
                "Add an Action or NotAction element to the policy statement.",
                vec![s.loc.clone()],
            )),
            Some(a) if a.is_array && a.entries.is_empty() && !a.negated => out.push(Finding::new(
                Issue::EmptyArrayAction,
                "This statement includes no actions and does not affect the policy. Specify actions.",
                vec![a.loc.clone()],
            )),
            Some(_) => {}
        }
        // A role trust policy's resource is the role itself (its own check reports a Resource).
        if !kind.is_trust() {
            match &s.resource {
                None => out.push(Finding::new(
                    Issue::MissingResource,
                    "Add a Resource or NotResource element to the policy statement.",
                    vec![s.loc.clone()],
                )),
                Some(r) if r.is_array && r.entries.is_empty() && !r.negated => {
                    out.push(Finding::new(
                        Issue::EmptyArrayResource,
                        "This statement includes no resources and does not affect the policy. Specify resources.",
                        vec![r.loc.clone()],
                    ))
                }
                Some(_) => {}
            }
        }
        principal_presence(s, kind, out);
        if let Some(sid) = &s.sid {
            if sid.text.is_empty() {
                out.push(Finding::new(
                    Issue::EmptySidValue,
                    "Add a value to the empty string in the Sid element.",
                    vec![sid.loc.clone()],
                ));
            } else if strict_sids(kind) && !sid.text.chars().all(|c| c.is_ascii_alphanumeric()) {
                out.push(Finding::new(
                    Issue::UnsupportedSid,
                    "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]",
                    vec![sid.loc.clone()],
                ));
            }
        }
    }
    duplicate_sids(view, kind, out);
}

/// IAM (identity and SCP documents) restricts Sids to letters and digits and requires them to
/// be unique; resource policies are only advised to keep them unique.
fn strict_sids(kind: LintKind) -> bool {
    matches!(
        kind,
        LintKind::IdentityPolicy | LintKind::ServiceControlPolicy
    )
}

fn version(view: &View, out: &mut Vec<Finding>) {
    match &view.version {
        None => out.push(Finding::new(
            Issue::MissingVersion,
            "We recommend that you specify the Version element to help you with debugging permission issues.",
            vec![view.whole.clone()],
        )),
        Some(v) if !VERSIONS.contains(&v.text.as_str()) => out.push(Finding::new(
            Issue::InvalidVersion,
            format!(
                "The version {} is not valid. Use one of the following versions: {}",
                v.text,
                VERSIONS.join(", ")
            ),
            vec![v.loc.clone()],
        )),
        Some(_) => {}
    }
}

fn principal_presence(s: &super::view::Statement, kind: LintKind, out: &mut Vec<Finding>) {
    match (&s.principal, kind) {
        (None, k) if k.needs_principal() => out.push(Finding::new(
            Issue::MissingPrincipal,
            "Add a Principal element to the policy statement.",
            vec![s.loc.clone()],
        )),
        (Some(p), LintKind::ServiceControlPolicy) => out.push(Finding::new(
            Issue::ScpSyntaxErrorPrincipal,
            "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.",
            vec![p.loc.clone()],
        )),
        (Some(p), LintKind::IdentityPolicy) => out.push(Finding::new(
            Issue::UnsupportedPrincipal,
            format!(
                "The policy type {} does not support the Principal element. Remove the Principal element.",
                kind.policy_type()
            ),
            vec![p.loc.clone()],
        )),
        (Some(p), _) => match &p.value {
            PrincipalValue::Map(entries) if entries.is_empty() => out.push(Finding::new(
                Issue::EmptyObjectPrincipal,
                "This statement includes no principals and does not affect the policy. Specify principals.",
                vec![p.loc.clone()],
            )),
            PrincipalValue::Map(entries) => {
                for e in entries.iter().filter(|e| e.values.is_empty()) {
                    out.push(Finding::new(
                        Issue::EmptyArrayPrincipal,
                        "This statement includes no principals and does not affect the policy. Specify principals.",
                        vec![e.value_loc.clone()],
                    ));
                }
            }
            _ => {}
        },
        _ => {}
    }
}

fn duplicate_sids(view: &View, kind: LintKind, out: &mut Vec<Finding>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for s in &view.statements {
        let Some(sid) = s.sid.as_ref().filter(|sid| !sid.text.is_empty()) else {
            continue;
        };
        let count = seen.entry(sid.text.as_str()).or_insert(0);
        *count += 1;
        if *count == 2 {
            let (issue, details) = if strict_sids(kind) {
                (
                    Issue::UniqueSidsRequired,
                    "Duplicate statement IDs are not supported for this policy type. Update the Sid value.",
                )
            } else {
                (
                    Issue::UniqueSidsRecommended,
                    "We recommend that you use statement IDs that are unique to your policy. Update the Sid value.",
                )
            };
            out.push(Finding::new(issue, details, vec![sid.loc.clone()]));
        }
    }
}
