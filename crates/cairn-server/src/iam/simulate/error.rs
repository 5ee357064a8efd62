//! The simulation operations' failures, typed, and their one mapping to IAM's error codes
//! (SimulatePrincipalPolicy and friends declare NoSuchEntity, InvalidInput and PolicyEvaluation;
//! parameters outside the API model's constraints are ValidationError, as everywhere in IAM).

use crate::iam::meta_err;
use crate::iam::names::validation;
use crate::query::QueryError;
use cairn_meta::MetaError;
use http::StatusCode;

#[derive(Debug)]
pub enum SimError {
    /// A parameter breaks the service model's constraints: `value` at `field` fails `constraint`.
    Validation {
        value: String,
        field: String,
        constraint: String,
    },
    /// A value the simulator cannot work with: a malformed policy or ARN, a context value that
    /// is not of its declared type, CallerArn rules.
    InvalidInput(String),
    /// The policy source (`"user with name bob"`) does not exist.
    NoSuchEntity(String),
    /// A stored policy that no longer parses (never the caller's input: that is InvalidInput).
    PolicyEvaluation(String),
    /// The metadata store failed.
    Meta(MetaError),
}

pub type SimResult<T> = Result<T, SimError>;

impl SimError {
    pub fn validation(
        value: impl Into<String>,
        field: impl Into<String>,
        constraint: &str,
    ) -> Self {
        SimError::Validation {
            value: value.into(),
            field: field.into(),
            constraint: constraint.into(),
        }
    }

    pub fn missing(field: &str) -> Self {
        Self::validation("null", field, "Member must not be null")
    }
}

impl From<SimError> for QueryError {
    fn from(e: SimError) -> QueryError {
        match e {
            SimError::Validation {
                value,
                field,
                constraint,
            } => validation(&value, &field, &constraint),
            SimError::InvalidInput(message) => QueryError::bad_request("InvalidInput", message),
            SimError::NoSuchEntity(what) => QueryError::new(
                StatusCode::NOT_FOUND,
                "NoSuchEntity",
                format!("The {what} cannot be found."),
            ),
            SimError::PolicyEvaluation(message) => QueryError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "PolicyEvaluation",
                message,
            ),
            SimError::Meta(e) => meta_err(e, "entity"),
        }
    }
}
