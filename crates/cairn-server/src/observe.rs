//! What one request did, gathered while it runs, for its log line, its audit record and the
//! metrics: the operation, the caller and each authorization decision.
//!
//! The record is task-local (the router scopes each request in [`scope`]), so authentication,
//! [`crate::authz::check`] and the API front ends note facts where they learn them, without a
//! handle passed through every call. Outside a request (background work) notes are dropped.

use cairn_policy::{Decision, Evaluation, MatchedStatement};
use serde::Serialize;
use std::sync::{Arc, Mutex};

tokio::task_local! {
    static CURRENT: Arc<Mutex<Record>>;
}

/// The facts of one request.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// The API operation (`GetObject`, `CreateUser`, …), from a bounded set of names.
    pub operation: Option<&'static str>,
    /// The authenticated caller's ARN (`*` for anonymous).
    pub principal: Option<String>,
    /// Authorization decisions, in the order they were made.
    pub checks: Vec<Check>,
}

/// One authorization decision.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub action: String,
    pub resource: String,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: &'static str,
    /// The statements that decided: the denying ones, or the allowing ones that were needed.
    pub statements: Vec<MatchedStatement>,
    /// What decided when no policy statement did (an ACL grant, the bucket owner's standing
    /// right to its bucket policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<&'static str>,
}

impl Record {
    /// The check that decided the request: the first refusal, else the first grant.
    pub fn deciding(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.decision != "Allow")
            .or_else(|| self.checks.first())
    }
}

/// Runs `f` as one request, returning its output and what it noted.
pub async fn scope<F: Future>(f: F) -> (F::Output, Record) {
    let record = Arc::new(Mutex::new(Record::default()));
    let out = CURRENT.scope(record.clone(), f).await;
    let record = record.lock().map(|r| r.clone()).unwrap_or_default();
    (out, record)
}

fn with(f: impl FnOnce(&mut Record)) {
    let _ = CURRENT.try_with(|r| {
        if let Ok(mut r) = r.lock() {
            f(&mut r);
        }
    });
}

/// The operation the request turned out to be (the first note wins: nested calls, such as a
/// SigV2 retry, do not rename it).
pub fn note_operation(operation: &'static str) {
    with(|r| {
        r.operation.get_or_insert(operation);
    });
}

/// The authenticated caller.
pub fn note_principal(arn: String) {
    with(|r| r.principal = Some(arn));
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "ExplicitDeny",
        Decision::ImplicitDeny => "ImplicitDeny",
    }
}

/// A decision of the policy engine (also counted in the metrics).
pub fn note_evaluation(principal: &str, action: &str, resource: &str, eval: &Evaluation) {
    crate::metrics::authz(match eval.decision {
        Decision::Allow => "allow",
        Decision::ExplicitDeny => "explicit_deny",
        Decision::ImplicitDeny => "implicit_deny",
    });
    with(|r| {
        r.principal.get_or_insert_with(|| principal.to_string());
        r.checks.push(Check {
            action: action.to_string(),
            resource: resource.to_string(),
            decision: decision_name(eval.decision),
            statements: eval.matched.clone(),
            by: None,
        });
    });
}

/// A grant made outside the policy engine: `by` says what granted it. An implicit denial of
/// the same action just noted (an ACL overriding it) is replaced.
pub fn note_granted(action: &str, resource: &str, by: &'static str) {
    crate::metrics::authz("allow");
    with(|r| {
        r.checks
            .retain(|c| !(c.action == action && c.resource == resource && c.decision != "Allow"));
        r.checks.push(Check {
            action: action.to_string(),
            resource: resource.to_string(),
            decision: "Allow",
            statements: vec![],
            by: Some(by),
        });
    });
}
