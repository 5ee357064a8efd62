//! The simulation's results as IAM's XML: `EvaluationResults` with matched statements and their
//! positions, missing context values, decision details and resource-specific results.

use super::sources::Sources;
use crate::authz::simulation::Simulated;
use crate::query::xml::Xml;
use cairn_policy::{Decision, MatchedStatement};

/// The outcome of one (action, resource) pair.
pub struct PairResult<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub simulated: Simulated,
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    }
}

fn matched_statements(x: &mut Xml, sources: &Sources, matched: &[MatchedStatement]) {
    x.members("MatchedStatements", matched, |x, m| {
        let Some(source) = sources.by_label(&m.policy) else {
            return;
        };
        x.leaf("SourcePolicyId", &source.id)
            .leaf("SourcePolicyType", source.kind.as_str());
        if let Some(Some((start, end))) = source.positions.get(m.index) {
            for (tag, p) in [("StartPosition", start), ("EndPosition", end)] {
                x.open(tag)
                    .leaf("Line", &p.line.to_string())
                    .leaf("Column", &p.column.to_string())
                    .close(tag);
            }
        }
    });
}

fn strings(x: &mut Xml, tag: &str, items: &[String]) {
    x.members(tag, items, |x, s| {
        x.leaf_text(s);
    });
}

fn boundary_detail(x: &mut Xml, s: &Simulated) {
    if let Some(allowed) = s.allowed_by_boundary {
        x.open("PermissionsBoundaryDecisionDetail")
            .leaf(
                "AllowedByPermissionsBoundary",
                if allowed { "true" } else { "false" },
            )
            .close("PermissionsBoundaryDecisionDetail");
    }
}

/// How each side contributed, when there are two: across accounts, or with a ResourcePolicy.
fn decision_details(s: &Simulated) -> Vec<(&'static str, Decision)> {
    if !s.cross_account && s.resource_decision.is_none() {
        return Vec::new();
    }
    vec![
        ("IAM Policy", s.identity_decision),
        (
            "Resource Policy",
            s.resource_decision.unwrap_or(Decision::ImplicitDeny),
        ),
    ]
}

fn decision_details_map(x: &mut Xml, details: &[(&str, Decision)]) {
    x.open("EvalDecisionDetails");
    for (key, decision) in details {
        x.open("entry")
            .leaf("key", key)
            .leaf("value", decision_name(*decision))
            .close("entry");
    }
    x.close("EvalDecisionDetails");
}

/// One `EvaluationResults` member. For a named resource the missing context values and the
/// details move into its `ResourceSpecificResults` entry, as IAM documents; for `*` they stay at
/// the top. Decision details are absent for `*` within one account, present but empty for a
/// named resource within one account, and filled across accounts or with a ResourcePolicy.
fn result(x: &mut Xml, sources: &Sources, r: &PairResult<'_>) {
    let s = &r.simulated;
    let star = r.resource == "*";
    let details = decision_details(s);
    x.leaf("EvalActionName", r.action)
        .leaf("EvalResourceName", r.resource)
        .leaf("EvalDecision", decision_name(s.evaluation.decision));
    matched_statements(x, sources, &s.evaluation.matched);
    strings(
        x,
        "MissingContextValues",
        if star { &s.missing_context } else { &[] },
    );
    boundary_detail(x, s);
    if !star || !details.is_empty() {
        decision_details_map(x, &details);
    }
    if !star {
        x.open("ResourceSpecificResults").open("member");
        x.leaf("EvalResourceName", r.resource)
            .leaf("EvalResourceDecision", decision_name(s.evaluation.decision));
        matched_statements(x, sources, &s.evaluation.matched);
        strings(x, "MissingContextValues", &s.missing_context);
        if !details.is_empty() {
            decision_details_map(x, &details);
        }
        boundary_detail(x, s);
        x.close("member").close("ResourceSpecificResults");
    }
}

/// The whole `SimulatePolicyResponse`: one page of results; `next` is the Marker of the rest.
pub fn response(sources: &Sources, results: &[PairResult<'_>], next: Option<usize>) -> Xml {
    let mut x = Xml::default();
    x.members("EvaluationResults", results, |x, r| result(x, sources, r));
    x.leaf("IsTruncated", if next.is_some() { "true" } else { "false" });
    if let Some(next) = next {
        x.leaf("Marker", &next.to_string());
    }
    x
}

/// `GetContextKeysForPolicyResponse`.
pub fn context_keys(keys: &[String]) -> Xml {
    let mut x = Xml::default();
    strings(&mut x, "ContextKeyNames", keys);
    x
}
