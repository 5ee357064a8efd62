//! Evaluating one `Condition` clause against the request.
//!
//! Rules from
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! and
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>:
//! values of one key are ORed; a missing key makes positive operators false
//! and negated ones true; `...IfExists` makes a missing key true; `Null`
//! tests presence; `ForAllValues` is true for a missing/empty set and
//! `ForAnyValue` false. A key present with no values counts as missing.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::condition_operator::{BaseOperator, SetQualifier};
use crate::context::RequestContext;
use crate::date;
use crate::document::ConditionClause;
use crate::glob::{self, Token};
use crate::ip;
use crate::variables;

/// Whether the clause holds for the request.
pub fn holds(clause: &ConditionClause, ctx: &RequestContext, substitute: bool) -> bool {
    let op = clause.operator;
    let request = ctx.lookup(&clause.key).filter(|v| !v.is_empty());
    if op.base == BaseOperator::Null {
        let absent = request.is_none();
        return clause.values.iter().any(|v| match parse_bool(v) {
            Some(true) => absent,
            Some(false) => !absent,
            None => false,
        });
    }
    let negated = op.base.is_negated();
    let Some(request) = request else {
        return op.if_exists
            || match op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => negated,
            };
    };
    // Values with policy variables are expanded once per clause; the others
    // are used as written. A value whose variable has no request value can
    // never match.
    let expanded: Option<Vec<Vec<Token>>> = clause
        .values
        .iter()
        .any(|v| variables::has_variables(v, substitute))
        .then(|| {
            clause
                .values
                .iter()
                .filter_map(|v| variables::expand(v, ctx, substitute))
                .collect()
        });
    let matches_any = |value: &str| match &expanded {
        None => clause
            .values
            .iter()
            .any(|p| matches(op.base, value, PolicyValue::Text(p))),
        Some(list) => list
            .iter()
            .any(|p| matches(op.base, value, PolicyValue::Tokens(p))),
    };
    let per_value = |value: &str| matches_any(value) != negated;
    match op.qualifier {
        None => request.iter().any(matches_any) != negated,
        Some(SetQualifier::ForAnyValue) => request.iter().any(per_value),
        Some(SetQualifier::ForAllValues) => request.iter().all(per_value),
    }
}

/// A policy value: as written (`*`/`?` are wildcards for the `Like`
/// operators), or with policy variables substituted.
#[derive(Clone, Copy)]
enum PolicyValue<'a> {
    Text(&'a str),
    Tokens(&'a [Token]),
}

impl<'a> PolicyValue<'a> {
    /// The value as text, wildcards written as `*`/`?`.
    fn text(self) -> Cow<'a, str> {
        match self {
            PolicyValue::Text(t) => Cow::Borrowed(t),
            PolicyValue::Tokens(t) => Cow::Owned(glob::to_text(t)),
        }
    }

    fn equals(self, request: &str) -> bool {
        match self {
            PolicyValue::Text(t) => t == request,
            PolicyValue::Tokens(t) => t.iter().map(|t| t.as_char()).eq(request.chars()),
        }
    }

    fn glob(self, request: &str) -> bool {
        match self {
            PolicyValue::Text(t) => glob::matches_text(t, request, false),
            PolicyValue::Tokens(t) => glob::matches(t, request, false),
        }
    }

    fn glob_arn(self, request: &str) -> bool {
        match self {
            PolicyValue::Text(t) => glob::matches_arn_text(t, request),
            PolicyValue::Tokens(t) => glob::matches_arn(t, request),
        }
    }
}

/// The positive comparison of one request value with one policy value;
/// negated operators use their positive twin.
fn matches(base: BaseOperator, request: &str, policy: PolicyValue<'_>) -> bool {
    use BaseOperator as B;
    let text = || policy.text();
    match base {
        B::StringEquals | B::StringNotEquals | B::BinaryEquals => policy.equals(request),
        B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => {
            let text = text();
            if request.is_ascii() && text.is_ascii() {
                request.eq_ignore_ascii_case(&text)
            } else {
                request.to_lowercase() == text.to_lowercase()
            }
        }
        B::StringLike | B::StringNotLike => policy.glob(request),
        B::NumericEquals | B::NumericNotEquals => {
            numeric(request, &text()) == Some(Ordering::Equal)
        }
        B::NumericLessThan => numeric(request, &text()) == Some(Ordering::Less),
        B::NumericLessThanEquals => {
            matches!(
                numeric(request, &text()),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        B::NumericGreaterThan => numeric(request, &text()) == Some(Ordering::Greater),
        B::NumericGreaterThanEquals => {
            matches!(
                numeric(request, &text()),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        B::DateEquals | B::DateNotEquals => dates(request, &text()) == Some(Ordering::Equal),
        B::DateLessThan => dates(request, &text()) == Some(Ordering::Less),
        B::DateLessThanEquals => {
            matches!(
                dates(request, &text()),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        B::DateGreaterThan => dates(request, &text()) == Some(Ordering::Greater),
        B::DateGreaterThanEquals => {
            matches!(
                dates(request, &text()),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        B::Bool => parse_bool(request).is_some_and(|r| Some(r) == parse_bool(&text())),
        B::IpAddress | B::NotIpAddress => ip::in_range(&text(), request),
        B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => {
            request.splitn(6, ':').count() == 6 && policy.glob_arn(request)
        }
        B::Null => false,
    }
}

fn numeric(request: &str, policy: &str) -> Option<Ordering> {
    let r: f64 = request.trim().parse().ok()?;
    let p: f64 = policy.trim().parse().ok()?;
    r.partial_cmp(&p)
}

fn dates(request: &str, policy: &str) -> Option<Ordering> {
    Some(date::parse(request)?.cmp(&date::parse(policy)?))
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}
