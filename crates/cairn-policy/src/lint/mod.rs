//! Policy validation as IAM Access Analyzer's `ValidatePolicy` does it: a policy text in,
//! findings out — errors (parts that cannot work), security warnings (overly permissive
//! grants), warnings (not best practice) and suggestions (style) — each with AWS's issue code,
//! message and the path and span of what it is about.
//!
//! Unlike [`crate::parse`], which answers yes or no as IAM does when a policy is attached, the
//! linter reads leniently and reports everything it can: `s3:ListObject` is accepted by IAM (it
//! grants nothing) but is an `INVALID_ACTION` here. Pure, like the rest of the crate.
//!
//! One concern per file: [`view`] reads the document (and reports its JSON shape), then
//! `statement` (required elements, Sids, version), `actions`, `resources`, `conditions`,
//! `principals`, `permissive` (PassRole and friends) and `redundant` each run their checks.

mod actions;
mod conditions;
mod finding;
mod pattern;
mod permissive;
mod principals;
mod redundant;
mod resources;
mod statement;
mod variables;
mod view;

pub use finding::{Finding, FindingType, Issue, Location, PathStep};

use crate::span::{SourceMap, Span};

/// The most pairwise comparisons one check makes (entries × entries, actions × resources,
/// statements × statements); beyond it the check is skipped, so a huge document costs linear
/// time. Real policies (at most a few thousand characters) stay far below.
const MAX_PAIRS: usize = 250_000;

/// What the policy is for, which decides the checks: AWS's `policyType` with, for resource
/// policies, `validatePolicyResourceType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintKind {
    /// Attached to a user, group or role: no `Principal`.
    IdentityPolicy,
    /// Attached to a resource: every statement names a principal.
    ResourcePolicy(ResourceType),
    /// An Organizations service control policy.
    ServiceControlPolicy,
    /// An Organizations resource control policy.
    ResourceControlPolicy,
}

/// The resource a resource policy is for (`validatePolicyResourceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    /// Not given, or a type without specific checks: the checks for all resource policies.
    Any,
    /// `AWS::S3::Bucket`: a bucket policy.
    S3Bucket,
    /// `AWS::IAM::AssumeRolePolicyDocument`: a role's trust policy.
    RoleTrust,
}

impl LintKind {
    /// Whether statements must name principals.
    fn needs_principal(self) -> bool {
        matches!(
            self,
            LintKind::ResourcePolicy(_) | LintKind::ResourceControlPolicy
        )
    }

    fn is_trust(self) -> bool {
        self == LintKind::ResourcePolicy(ResourceType::RoleTrust)
    }

    /// The name AWS messages use for the policy type.
    fn policy_type(self) -> &'static str {
        match self {
            LintKind::IdentityPolicy => "IDENTITY_POLICY",
            LintKind::ResourcePolicy(_) => "RESOURCE_POLICY",
            LintKind::ServiceControlPolicy => "SERVICE_CONTROL_POLICY",
            LintKind::ResourceControlPolicy => "RESOURCE_CONTROL_POLICY",
        }
    }
}

/// Validates a policy text; findings come in document order (by their first location).
pub fn validate_policy(text: &str, kind: LintKind) -> Vec<Finding> {
    let map = SourceMap::new(text);
    let Some(root) = map.root() else {
        return vec![json_syntax_error(&map, text)];
    };
    let mut findings = Vec::new();
    let view = view::read(&map, root, &mut findings);
    statement::check(&view, kind, &mut findings);
    actions::check(&view, kind, &mut findings);
    resources::check(&view, kind, &mut findings);
    conditions::check(&view, &mut findings);
    principals::check(&view, kind, &mut findings);
    permissive::check(&view, &mut findings);
    redundant::check(&view, &mut findings);
    findings.sort_by_key(|f| f.locations.first().map_or(0, |l| l.span.start.offset));
    findings
}

/// Where the text stops being JSON, as serde_json reports it (line from 1, column from 1),
/// converted to a position; the end of the text when the text ends too early or only the
/// stricter parser objected.
fn json_syntax_error(map: &SourceMap<'_>, text: &str) -> Finding {
    let at = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(e) if e.line() > 0 && !e.is_eof() => byte_at(text, e.line(), e.column()),
        _ => text.len(),
    };
    let start = map.position_at(at);
    let end = match text[at.min(text.len())..].chars().next() {
        Some(c) => map.position_at(at + c.len_utf8()),
        None => start,
    };
    Finding::new(
        Issue::JsonSyntaxError,
        format!(
            "Fix the JSON syntax error at index {} line {} column {}.",
            start.offset, start.line, start.column
        ),
        vec![Location {
            path: Vec::new(),
            span: Span { start, end },
        }],
    )
}

/// The byte offset of serde_json's (line, column) pair; its column counts bytes from 1 and
/// points at the offending byte (0 when the error is at a line's start).
fn byte_at(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests;
