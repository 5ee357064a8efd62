//! Parameters every session-creating STS action shares (duration, session policies, tags,
//! source identity), with STS's validation messages, and role lookup by ARN.

use super::session::SessionAttrs;
use crate::principal::Principal;
use crate::query::QueryError;
use crate::query::params::Params;
use crate::state::State;
use cairn_meta::{EntityKind, IamEntity};
use cairn_policy::PolicyKind;

/// The inline session policy and the packed tags share this budget (characters).
const PACKED_LIMIT: usize = 2048;
const MAX_POLICY_ARNS: usize = 10;
const MAX_SESSION_TAGS: usize = 50;

pub fn validation(value: &str, field: &str, constraint: &str) -> QueryError {
    crate::iam::validation(value, field, constraint)
}

pub fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, QueryError> {
    params.get(name).ok_or_else(|| {
        let mut field = name.to_string();
        if let Some(first) = field.get_mut(0..1) {
            first.make_ascii_lowercase();
        }
        QueryError::bad_request(
            "ValidationError",
            format!("1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"),
        )
    })
}

pub fn check_length(value: &str, field: &str, min: usize, max: usize) -> Result<(), QueryError> {
    let n = value.chars().count();
    if n < min {
        return Err(validation(
            value,
            field,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(validation(
            value,
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// Session names: `[\w+=,.@-]*`, 2 to 64 characters.
pub fn session_name(params: &Params, field: &str) -> Result<String, QueryError> {
    let name = required(params, field)?;
    let mut lower = field.to_string();
    if let Some(first) = lower.get_mut(0..1) {
        first.make_ascii_lowercase();
    }
    check_length(name, &lower, 2, 64)?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(validation(
            name,
            &lower,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ));
    }
    Ok(name.to_string())
}

/// AccessDenied in STS's words (also for roles that do not exist, which AWS does not reveal).
pub fn denied(principal: &Principal, action: &str, resource: &str) -> QueryError {
    QueryError::forbidden(
        "AccessDenied",
        format!(
            "User: {} is not authorized to perform: {action} on resource: {resource}",
            principal.arn()
        ),
    )
}

/// The role an ARN names (`arn:aws:iam::ACCOUNT:role/PATH/NAME`), if it exists.
pub async fn role_by_arn(state: &State, arn: &str) -> Result<Option<IamEntity>, QueryError> {
    check_length(arn, "roleArn", 20, 2048)?;
    let Some(rest) = arn.strip_prefix("arn:aws:iam::") else {
        return Err(validation(arn, "roleArn", "Member must be a valid ARN"));
    };
    let Some((account, resource)) = rest.split_once(':') else {
        return Err(validation(arn, "roleArn", "Member must be a valid ARN"));
    };
    let Some(path_name) = resource.strip_prefix("role/") else {
        return Ok(None);
    };
    let name = path_name.rsplit('/').next().unwrap_or(path_name);
    let role = state
        .meta
        .get_entity(account, EntityKind::Role, name)
        .await
        .map_err(|e| crate::iam::meta_err(e, "role"))?;
    // The path is part of the ARN: a role under another path is another role.
    Ok(role.filter(|r| r.arn() == arn))
}

/// What an AssumeRole* call asks for beyond the role itself.
pub struct SessionRequest {
    duration: Option<i64>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub transitive_tag_keys: Vec<String>,
    pub source_identity: Option<String>,
}

impl SessionRequest {
    pub fn parse(params: &Params) -> Result<SessionRequest, QueryError> {
        let duration = match params.get("DurationSeconds") {
            None => None,
            Some(v) => Some(
                v.parse::<i64>()
                    .map_err(|_| validation(v, "durationSeconds", "Member must be a number"))?,
            ),
        };
        let policy = params.get("Policy").map(str::to_string);
        if let Some(p) = &policy {
            check_length(p, "policy", 1, PACKED_LIMIT)?;
            cairn_policy::parse(p, PolicyKind::Session)
                .map_err(|e| QueryError::bad_request("MalformedPolicyDocument", e.to_string()))?;
        }
        let policy_arns: Vec<String> = (1..)
            .map_while(|i| params.get(&format!("PolicyArns.member.{i}.arn")))
            .map(str::to_string)
            .collect();
        if policy_arns.len() > MAX_POLICY_ARNS {
            return Err(validation(
                "policyArns",
                "policyArns",
                "Member must have length less than or equal to 10",
            ));
        }
        for arn in &policy_arns {
            check_length(arn, "policyArns.member.arn", 20, 2048)?;
        }
        let tags = params.tags("Tags");
        if tags.len() > MAX_SESSION_TAGS {
            return Err(validation(
                "tags",
                "tags",
                "Member must have length less than or equal to 50",
            ));
        }
        for (k, v) in &tags {
            check_length(k, "tags.member.key", 1, 128)?;
            check_length(v, "tags.member.value", 0, 256)?;
        }
        let transitive_tag_keys = params.list("TransitiveTagKeys");
        for key in &transitive_tag_keys {
            if !tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                return Err(QueryError::bad_request(
                    "InvalidParameterValue",
                    "The specified transitive tag key must be included in the requested tags.",
                ));
            }
        }
        let source_identity = params.get("SourceIdentity").map(str::to_string);
        if let Some(s) = &source_identity {
            check_length(s, "sourceIdentity", 2, 64)?;
        }
        Ok(SessionRequest {
            duration,
            policy,
            policy_arns,
            tags,
            transitive_tag_keys,
            source_identity,
        })
    }

    pub fn sets_tags(&self) -> bool {
        !self.tags.is_empty() || !self.transitive_tag_keys.is_empty()
    }

    /// Request keys the trust policy may test: the requested tags and source identity.
    pub fn push_context(&self, context: &mut Vec<(String, Vec<String>)>) {
        for (k, v) in &self.tags {
            context.push((format!("aws:RequestTag/{k}"), vec![v.clone()]));
        }
        if !self.tags.is_empty() {
            context.push((
                "aws:TagKeys".into(),
                self.tags.iter().map(|(k, _)| k.clone()).collect(),
            ));
        }
        if !self.transitive_tag_keys.is_empty() {
            context.push((
                "sts:TransitiveTagKeys".into(),
                self.transitive_tag_keys.clone(),
            ));
        }
        if let Some(s) = &self.source_identity {
            context.push(("sts:SourceIdentity".into(), vec![s.clone()]));
        }
    }

    /// `DurationSeconds` checked against 900 and `max`, or `default` (capped at `max`).
    pub fn duration(&self, default: i64, max: i64, role: bool) -> Result<i64, QueryError> {
        match self.duration {
            None => Ok(default.min(max)),
            Some(d) if d < 900 => Err(validation(
                &d.to_string(),
                "durationSeconds",
                "Member must have value greater than or equal to 900",
            )),
            Some(d) if d > max && role => Err(QueryError::bad_request(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            )),
            Some(d) if d > max => Err(validation(
                &d.to_string(),
                "durationSeconds",
                &format!("Member must have value less than or equal to {max}"),
            )),
            Some(d) => Ok(d),
        }
    }

    /// The session's stored attributes; every managed session policy must exist.
    pub async fn into_attrs(self, state: &State) -> Result<SessionAttrs, QueryError> {
        for arn in &self.policy_arns {
            if crate::authz::managed_document(state, arn).await.is_none() {
                return Err(QueryError::bad_request(
                    "InvalidParameterValue",
                    format!("Policy {arn} does not exist or is not attachable."),
                ));
            }
        }
        let mut tags: Vec<(String, String)> = Vec::new();
        for (k, v) in self.tags {
            if tags.iter().any(|(ek, _)| ek.eq_ignore_ascii_case(&k)) {
                return Err(QueryError::bad_request(
                    "InvalidParameterValue",
                    "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
                ));
            }
            tags.push((k, v));
        }
        Ok(SessionAttrs {
            policy: self.policy,
            policy_arns: self.policy_arns,
            tags,
            transitive_tag_keys: self.transitive_tag_keys,
            source_identity: self.source_identity,
            federated_provider: None,
            console: false,
            issued: crate::time::now_ms() / 1000,
        })
    }
}
