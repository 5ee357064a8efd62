//! The policies of a simulation, each with what MatchedStatements says about it: its
//! SourcePolicyId and SourcePolicyType, and where each statement is in its text.
//!
//! The engine labels matched statements with a policy label and statement index; here a label is
//! the policy's index in [`Sources::all`], so every match leads back to its document.

use super::error::{SimError, SimResult};
use crate::authz::EntityDocuments;
use crate::query::params::Params;
use crate::state::State;
use cairn_policy::span::{PathElement, SourceMap};
use cairn_policy::{Policy, PolicyKind};
use std::sync::Arc;

/// SourcePolicyType: where a policy comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    /// Inline policy of a user (`user`), a group (`group`) or a role (`role`).
    User,
    Group,
    Role,
    AwsManaged,
    /// Customer-managed (IAM calls it `user-managed`).
    UserManaged,
    /// The ResourcePolicy parameter.
    Resource,
    /// Policies passed as parameters (PolicyInputList, PermissionsBoundaryPolicyInputList),
    /// attached to nothing.
    None,
}

impl SourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::User => "user",
            SourceType::Group => "group",
            SourceType::Role => "role",
            SourceType::AwsManaged => "aws-managed",
            SourceType::UserManaged => "user-managed",
            SourceType::Resource => "resource",
            SourceType::None => "none",
        }
    }
}

/// A line and column as the simulator reports them: the line from 1; the column is one past the
/// 1-based column of the statement's opening (or closing) brace — where a streaming JSON reader
/// stands after reading it. The aws CLI reference's simulate-custom-policy example, a one-line
/// policy whose statement object spans characters 37–166, reports Column 38 and 167.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One simulated policy.
pub struct Source {
    /// SourcePolicyId: the policy's name (inline or managed), `ResourcePolicy`,
    /// `PolicyInputList.N` or `PermissionsBoundaryPolicyInputList.N`.
    pub id: String,
    pub kind: SourceType,
    pub policy: Arc<Policy>,
    /// Start and end of each statement, by index; `None` where the text cannot be located.
    pub positions: Vec<Option<(Position, Position)>>,
}

impl Source {
    fn new(id: String, kind: SourceType, text: &str, policy: Arc<Policy>) -> Source {
        let map = SourceMap::new(text);
        let positions = (0..policy.statements.len())
            .map(|i| {
                let span =
                    map.locate(&[PathElement::Key("Statement".into()), PathElement::Index(i)])?;
                Some((
                    Position {
                        line: span.start.line,
                        column: span.start.column + 2,
                    },
                    Position {
                        line: span.end.line,
                        column: span.end.column + 1,
                    },
                ))
            })
            .collect();
        Source {
            id,
            kind,
            policy,
            positions,
        }
    }
}

/// Every policy of a simulation, split by the role it plays.
#[derive(Default)]
pub struct Sources {
    pub all: Vec<Source>,
    pub identity: Vec<usize>,
    pub boundary: Option<usize>,
    pub resource: Option<usize>,
}

/// Parses a policy given as a parameter: malformed is InvalidInput, naming the parameter.
fn parse_input(state: &State, id: &str, text: &str, kind: PolicyKind) -> SimResult<Arc<Policy>> {
    state
        .policies
        .parse(text, kind)
        .map_err(|e| SimError::InvalidInput(format!("{id}: {e}")))
}

/// SourcePolicyId and SourcePolicyType of an entity document, from its label: a managed
/// policy's ARN, or `"<kind> <name> inline policy <policy>"` (IAM names have no spaces).
fn classify(label: &str) -> (String, SourceType) {
    if label.starts_with("arn:") {
        let name = label.rsplit('/').next().unwrap_or(label).to_string();
        let kind = if label.starts_with("arn:aws:iam::aws:policy/") {
            SourceType::AwsManaged
        } else {
            SourceType::UserManaged
        };
        return (name, kind);
    }
    let parts: Vec<&str> = label.split(' ').collect();
    match parts.as_slice() {
        [kind, _, "inline", "policy", name] => {
            let kind = match *kind {
                "group" => SourceType::Group,
                "role" => SourceType::Role,
                _ => SourceType::User,
            };
            (name.to_string(), kind)
        }
        _ => (label.to_string(), SourceType::User),
    }
}

impl Sources {
    fn push(&mut self, source: Source) -> usize {
        self.all.push(source);
        self.all.len() - 1
    }

    /// An entity's stored policies. They were valid when stored; one that no longer parses
    /// cannot be simulated (PolicyEvaluation).
    pub fn of_entity(state: &State, docs: EntityDocuments) -> SimResult<Sources> {
        let mut sources = Sources::default();
        let stored = |label: &str, text: &str| -> SimResult<Source> {
            let policy = state
                .policies
                .parse(text, PolicyKind::Identity)
                .map_err(|e| {
                    SimError::PolicyEvaluation(format!(
                        "The policy {label} could not be evaluated: {e}"
                    ))
                })?;
            let (id, kind) = classify(label);
            Ok(Source::new(id, kind, text, policy))
        };
        for (label, text) in &docs.identity {
            let i = sources.push(stored(label, text)?);
            sources.identity.push(i);
        }
        if let Some((label, text)) = &docs.boundary {
            sources.boundary = Some(sources.push(stored(label, text)?));
        }
        Ok(sources)
    }

    /// Adds PolicyInputList: more identity policies, attached to nothing.
    pub fn add_policy_inputs(&mut self, state: &State, params: &Params) -> SimResult<()> {
        for (n, text) in params.list("PolicyInputList").iter().enumerate() {
            let id = format!("PolicyInputList.{}", n + 1);
            let policy = parse_input(state, &id, text, PolicyKind::Identity)?;
            let i = self.push(Source::new(id, SourceType::None, text, policy));
            self.identity.push(i);
        }
        Ok(())
    }

    /// Adds PermissionsBoundaryPolicyInputList (at most one; it replaces the entity's boundary)
    /// and ResourcePolicy.
    pub fn add_boundary_and_resource_inputs(
        &mut self,
        state: &State,
        params: &Params,
    ) -> SimResult<()> {
        let boundaries = params.list("PermissionsBoundaryPolicyInputList");
        if boundaries.len() > 1 {
            return Err(SimError::InvalidInput(
                "PermissionsBoundaryPolicyInputList takes one permissions boundary.".into(),
            ));
        }
        if let Some(text) = boundaries.first() {
            let id = "PermissionsBoundaryPolicyInputList.1".to_string();
            let policy = parse_input(state, &id, text, PolicyKind::Identity)?;
            self.boundary = Some(self.push(Source::new(id, SourceType::None, text, policy)));
        }
        if let Some(text) = params.get("ResourcePolicy") {
            let id = "ResourcePolicy".to_string();
            let policy = parse_input(state, &id, text, PolicyKind::Resource)?;
            self.resource = Some(self.push(Source::new(id, SourceType::Resource, text, policy)));
        }
        Ok(())
    }

    /// The engine's label for policy `i`.
    fn label(i: usize) -> String {
        i.to_string()
    }

    /// The policy a matched statement's label names.
    pub fn by_label(&self, label: &str) -> Option<&Source> {
        self.all.get(label.parse::<usize>().ok()?)
    }

    /// Labelled policies for [`crate::authz::simulation::Simulation`].
    pub fn labelled(&self, which: &[usize]) -> Vec<(String, Arc<Policy>)> {
        which
            .iter()
            .filter_map(|&i| Some((Self::label(i), self.all.get(i)?.policy.clone())))
            .collect()
    }

    /// Every policy that bears on a simulation's requests, for GetContextKeysFor*Policy.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.all.iter().map(|s| s.policy.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The aws CLI reference's simulate-custom-policy example reports this statement at
    /// Line 1, Column 38 to Line 1, Column 167.
    #[test]
    fn positions_as_the_cli_example_reports_them() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;
        let policy = Arc::new(cairn_policy::parse(text, PolicyKind::Identity).unwrap());
        let s = Source::new("PolicyInputList.1".into(), SourceType::None, text, policy);
        assert_eq!(
            s.positions,
            [Some((
                Position {
                    line: 1,
                    column: 38
                },
                Position {
                    line: 1,
                    column: 167
                }
            ))]
        );
    }

    #[test]
    fn statements_of_a_list_on_their_own_lines() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": \"*\"\n    }\n  ]\n}";
        let policy = Arc::new(cairn_policy::parse(text, PolicyKind::Identity).unwrap());
        let s = Source::new("p".into(), SourceType::User, text, policy);
        let p = |line, column| Position { line, column };
        assert_eq!(s.positions[0], Some((p(4, 6), p(4, 59))));
        assert_eq!(s.positions[1], Some((p(5, 6), p(7, 6))));
    }

    #[test]
    fn labels_name_their_source() {
        assert_eq!(
            classify("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
            ("AmazonS3ReadOnlyAccess".into(), SourceType::AwsManaged)
        );
        assert_eq!(
            classify("arn:aws:iam::123456789012:policy/team/Upsolver"),
            ("Upsolver".into(), SourceType::UserManaged)
        );
        assert_eq!(
            classify("group devs inline policy site"),
            ("site".into(), SourceType::Group)
        );
        assert_eq!(
            classify("user bob inline policy crud"),
            ("crud".into(), SourceType::User)
        );
    }
}
