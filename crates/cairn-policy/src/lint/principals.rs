//! `Principal`/`NotPrincipal` in resource and trust policies: the shape of the element, its
//! keys and values, `Allow` with `NotPrincipal`, service principals granted access without a
//! source condition, and the role trust policy rules (no `NotPrincipal`, no `*`, no
//! `Resource`, the assume-role action matching the kind of principal, OIDC principals narrowed
//! by a condition on the provider's claims).

use super::LintKind;
use super::finding::{Finding, Issue, Location};
use super::view::{PrincipalBlock, PrincipalEntry, PrincipalValue, Statement, View};

const PRINCIPAL_KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// Conditions that tie a service principal's access to a source.
const SOURCE_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

pub(super) fn check(view: &View, kind: LintKind, out: &mut Vec<Finding>) {
    for s in &view.statements {
        if kind.is_trust() {
            trust_rules(s, out);
        }
        let Some(block) = &s.principal else {
            continue;
        };
        if matches!(
            kind,
            LintKind::IdentityPolicy | LintKind::ServiceControlPolicy
        ) {
            continue; // already reported as unsupported there
        }
        shape(block, out);
        if block.negated && s.is_allow() {
            out.push(Finding::new(
                Issue::AllowWithNotPrincipal,
                "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
                vec![block.loc.clone()],
            ));
        }
        if !kind.is_trust() && !block.negated && s.is_allow() {
            service_without_source(s, block, out);
        }
    }
}

fn entries(block: &PrincipalBlock) -> &[PrincipalEntry] {
    match &block.value {
        PrincipalValue::Map(entries) => entries,
        _ => &[],
    }
}

fn shape(block: &PrincipalBlock, out: &mut Vec<Finding>) {
    match &block.value {
        PrincipalValue::Text(t) if t.text != "*" => out.push(Finding::new(
            Issue::InvalidPrincipalFormat,
            "The Principal element contents are not valid. Specify a key-value pair in the Principal element.",
            vec![t.loc.clone()],
        )),
        PrincipalValue::Map(list) => {
            for e in list {
                if !PRINCIPAL_KEYS.contains(&e.key.text.as_str()) {
                    out.push(Finding::new(
                        Issue::InvalidPrincipalKey,
                        format!("The principal key {} is not valid.", e.key.text),
                        vec![e.key.loc.clone()],
                    ));
                    continue;
                }
                if e.key.text == "AWS" {
                    for v in e.values.iter().filter(|v| v.text != "*") {
                        if v.text.contains(['*', '?']) {
                            out.push(Finding::new(
                                Issue::UnsupportedWildcardInPrincipal,
                                "Wildcards (*, ?) are not supported with the principal key AWS. Replace the wildcard with a valid principal value.",
                                vec![v.loc.clone()],
                            ));
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

fn service_without_source(s: &Statement, block: &PrincipalBlock, out: &mut Vec<Finding>) {
    let sourced = s
        .condition_keys()
        .any(|k| SOURCE_KEYS.contains(&k.to_ascii_lowercase().as_str()));
    if sourced {
        return;
    }
    for e in entries(block).iter().filter(|e| e.key.text == "Service") {
        for v in &e.values {
            out.push(Finding::new(
                Issue::RestrictAccessToServicePrincipal,
                "Granting access to a service principal without specifying a source is overly permissive. Use aws:SourceArn or aws:SourceAccount condition key and scope access to a specific source to grant fine-grained access.",
                vec![v.loc.clone()],
            ));
        }
    }
}

fn trust_rules(s: &Statement, out: &mut Vec<Finding>) {
    if let Some(r) = &s.resource {
        out.push(Finding::new(
            Issue::RoleTrustPolicySyntaxErrorResource,
            "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element.",
            vec![r.loc.clone()],
        ));
    }
    let Some(block) = &s.principal else {
        return;
    };
    if block.negated {
        out.push(Finding::new(
            Issue::RoleTrustPolicySyntaxErrorNotPrincipal,
            "Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.",
            vec![block.loc.clone()],
        ));
        return;
    }
    let wildcard = |loc: &Location| {
        Finding::new(
            Issue::RoleTrustPolicyUnsupportedWildcardInPrincipal,
            "\"Principal:\" \"*\" is not supported in the principal element of a role trust policy. Replace the wildcard with a valid principal value.",
            vec![loc.clone()],
        )
    };
    match &block.value {
        PrincipalValue::Text(t) if t.text == "*" => out.push(wildcard(&t.loc)),
        PrincipalValue::Map(list) => {
            for e in list.iter().filter(|e| e.key.text == "AWS") {
                for v in e.values.iter().filter(|v| v.text == "*") {
                    out.push(wildcard(&v.loc));
                }
            }
        }
        _ => {}
    }
    if s.is_allow() {
        mismatched_action(s, entries(block), out);
        oidc_without_condition(s, entries(block), out);
    }
}

/// `sts:AssumeRoleWithWebIdentity`/`WithSAML` are for federated principals, `sts:AssumeRole`
/// for the others.
fn mismatched_action(s: &Statement, entries: &[PrincipalEntry], out: &mut Vec<Finding>) {
    let Some(actions) = s.action.as_ref().filter(|a| !a.negated) else {
        return;
    };
    for a in &actions.entries {
        let federated_action = ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"]
            .iter()
            .any(|x| a.text.eq_ignore_ascii_case(x));
        let plain = a.text.eq_ignore_ascii_case("sts:AssumeRole");
        if !federated_action && !plain {
            continue;
        }
        let wrong: Vec<&str> = entries
            .iter()
            .filter(|e| (e.key.text == "Federated") != federated_action)
            .filter(|e| PRINCIPAL_KEYS.contains(&e.key.text.as_str()))
            .flat_map(|e| e.values.iter().map(|v| v.text.as_str()))
            .collect();
        if wrong.is_empty() {
            continue;
        }
        out.push(Finding::new(
            Issue::MismatchedActionForPrincipal,
            format!(
                "The {} action is invalid with the following principal(s): {}. Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options.",
                a.text,
                wrong.join(", ")
            ),
            vec![a.loc.clone()],
        ));
    }
}

/// An OIDC provider (not a SAML provider ARN) trusted with no condition on its claims lets any
/// of its users assume the role.
fn oidc_without_condition(s: &Statement, entries: &[PrincipalEntry], out: &mut Vec<Finding>) {
    for e in entries.iter().filter(|e| e.key.text == "Federated") {
        for v in &e.values {
            if v.text.contains(":saml-provider/") {
                continue;
            }
            let provider = v
                .text
                .split_once(":oidc-provider/")
                .map_or(v.text.as_str(), |(_, host)| host);
            let prefix = format!("{}:", provider.to_ascii_lowercase());
            let narrowed = s
                .condition_keys()
                .any(|k| k.to_ascii_lowercase().starts_with(&prefix));
            if !narrowed {
                out.push(Finding::new(
                    Issue::MissingConditionKeyForOidcPrincipal,
                    "Using an Open ID Connect principal without a condition can be overly permissive. Add condition keys with a prefix that matches your federated OIDC principals to ensure that only the intended identity provider assumes the role.",
                    vec![v.loc.clone()],
                ));
            }
        }
    }
}
