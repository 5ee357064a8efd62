//! Cairn's AWS IAM policy engine: parse and validate policy documents the
//! way IAM and S3 do, and decide requests the way AWS's policy evaluation
//! logic does. A pure library: no I/O, no clock, no global state.

pub mod catalog;
mod catalog_data;
mod catalog_global_keys;
mod condition_eval;
pub mod condition_operator;
pub mod context;
mod date;
pub mod document;
pub mod error;
pub mod evaluate;
pub mod explain;
mod glob;
mod ip;
pub mod lint;
mod parse;
mod principal_match;
mod raw;
mod resource_format;
pub mod span;
mod statement_match;
mod validate;
mod variables;

pub use condition_operator::{BaseOperator, ConditionOperator, SetQualifier};
pub use context::{PrincipalKind, RequestContext, RequestPrincipal};
pub use document::{
    ActionBlock, ConditionClause, Effect, Policy, PolicyKind, Principal, PrincipalBlock,
    PrincipalId, PrincipalIdKind, ResourceBlock, Statement,
};
pub use error::PolicyError;
pub use evaluate::{
    Decision, Evaluation, MatchedStatement, PolicySet, PolicySource, evaluate,
    resource_policies_admit,
};
pub use parse::parse;
