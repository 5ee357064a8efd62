//! What a check reports, in the shape of Access Analyzer's `ValidatePolicyFinding`: a finding
//! type, AWS's issue code, AWS's message (`findingDetails`), the reference page's anchor
//! (`learnMoreLink`) and where in the text the problem is (`locations`).
//!
//! The issue codes and their types are AWS's (IAM User Guide, "IAM policy validation check
//! reference"); each code's link is the page plus `#access-analyzer-reference-policy-checks-`
//! and the check's type and title in lower case with dashes, as AWS returns it. The few checks
//! Cairn adds (see [`Issue::is_cairn_extension`]) link to the page that explains the risk.

use crate::span::Span;

/// The impact of a finding, as AWS classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingType {
    /// A part of the policy is not functional (it grants or denies nothing, or is invalid).
    Error,
    /// The policy allows access AWS considers overly permissive.
    SecurityWarning,
    /// Not a security issue, but not written to best practices.
    Warning,
    /// Style: no effect on access.
    Suggestion,
}

impl FindingType {
    /// The wire name: `ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }

    /// The anchor's type segment on AWS's reference page.
    fn anchor(self) -> &'static str {
        match self {
            FindingType::Error => "error",
            FindingType::SecurityWarning => "security-warning",
            FindingType::Warning => "general-warning",
            FindingType::Suggestion => "suggestion",
        }
    }
}

/// One step of a path into the policy, as AWS's `PathElement` union has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// The value of the member with this key (`{"value": "Statement"}`).
    Value(String),
    /// The member's key itself (`{"key": "aws:SourceIp"}`), for findings about a condition key.
    Key(String),
    /// An element of an array (only where the policy has an array there).
    Index(usize),
    /// Part of a string value: character offset and length.
    Substring { start: usize, length: usize },
}

/// Where a finding points: the path to the element and its span in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Vec<PathStep>,
    pub span: Span,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub issue: Issue,
    /// AWS's programmatic message with its placeholders filled in.
    pub details: String,
    pub locations: Vec<Location>,
}

impl Finding {
    pub fn new(issue: Issue, details: impl Into<String>, locations: Vec<Location>) -> Self {
        Finding {
            issue,
            details: details.into(),
            locations,
        }
    }

    pub fn finding_type(&self) -> FindingType {
        self.issue.finding_type()
    }

    pub fn issue_code(&self) -> &'static str {
        self.issue.code()
    }

    pub fn learn_more_link(&self) -> String {
        self.issue.learn_more_link()
    }
}

const REFERENCE: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";

macro_rules! issues {
    ($($variant:ident => $type:ident, $code:literal, $title:literal;)*) => {
        /// The checks Cairn runs, each with AWS's issue code and finding type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Issue {
            $($variant,)*
        }

        impl Issue {
            /// AWS's issue code, e.g. `INVALID_ACTION`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Issue::$variant => $code,)*
                }
            }

            pub fn finding_type(self) -> FindingType {
                match self {
                    $(Issue::$variant => FindingType::$type,)*
                }
            }

            /// The check's title on the reference page (it makes the link's anchor).
            pub fn title(self) -> &'static str {
                match self {
                    $(Issue::$variant => $title,)*
                }
            }
        }
    };
}

issues! {
    // Errors
    ArnAccountNotAllowed => Error, "ARN_ACCOUNT_NOT_ALLOWED", "ARN account not allowed";
    ArnRegionNotAllowed => Error, "ARN_REGION_NOT_ALLOWED", "ARN Region not allowed";
    DataTypeMismatch => Error, "DATA_TYPE_MISMATCH", "Data type mismatch";
    DuplicateKeysWithDifferentCase => Error, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "Duplicate keys with different case";
    InvalidAction => Error, "INVALID_ACTION", "Invalid action";
    InvalidArnAccount => Error, "INVALID_ARN_ACCOUNT", "Invalid ARN account";
    InvalidArnPrefix => Error, "INVALID_ARN_PREFIX", "Invalid ARN prefix";
    InvalidArnResource => Error, "INVALID_ARN_RESOURCE", "Invalid ARN resource";
    InvalidArnServiceCase => Error, "INVALID_ARN_SERVICE_CASE", "Invalid ARN service case";
    InvalidConditionKeyFormat => Error, "INVALID_CONDITION_KEY_FORMAT", "Invalid condition key format";
    InvalidConditionMultipleBoolean => Error, "INVALID_CONDITION_MULTIPLE_BOOLEAN", "Invalid condition multiple Boolean";
    InvalidConditionOperator => Error, "INVALID_CONDITION_OPERATOR", "Invalid condition operator";
    InvalidEffect => Error, "INVALID_EFFECT", "Invalid effect";
    InvalidGlobalConditionKey => Error, "INVALID_GLOBAL_CONDITION_KEY", "Invalid global condition key";
    InvalidPartition => Error, "INVALID_PARTITION", "Invalid partition";
    InvalidPolicyElement => Error, "INVALID_POLICY_ELEMENT", "Invalid policy element";
    InvalidPrincipalFormat => Error, "INVALID_PRINCIPAL_FORMAT", "Invalid principal format";
    InvalidPrincipalKey => Error, "INVALID_PRINCIPAL_KEY", "Invalid principal key";
    InvalidService => Error, "INVALID_SERVICE", "Invalid service";
    InvalidServiceConditionKey => Error, "INVALID_SERVICE_CONDITION_KEY", "Invalid service condition key";
    InvalidServiceInAction => Error, "INVALID_SERVICE_IN_ACTION", "Invalid service in action";
    InvalidVariableForOperator => Error, "INVALID_VARIABLE_FOR_OPERATOR", "Invalid variable for operator";
    InvalidVersion => Error, "INVALID_VERSION", "Invalid version";
    JsonSyntaxError => Error, "JSON_SYNTAX_ERROR", "Json syntax error";
    MissingAction => Error, "MISSING_ACTION", "Missing action";
    MissingArnField => Error, "MISSING_ARN_FIELD", "Missing ARN field";
    MissingEffect => Error, "MISSING_EFFECT", "Missing effect";
    MissingPrincipal => Error, "MISSING_PRINCIPAL", "Missing principal";
    MissingQualifier => Error, "MISSING_QUALIFIER", "Missing qualifier";
    MissingResource => Error, "MISSING_RESOURCE", "Missing resource";
    MissingStatement => Error, "MISSING_STATEMENT", "Missing statement";
    NullWithIfExists => Error, "NULL_WITH_IF_EXISTS", "Null with if exists";
    ScpSyntaxErrorActionWildcard => Error, "SCP_SYNTAX_ERROR_ACTION_WILDCARD", "SCP syntax error action wildcard";
    ScpSyntaxErrorPrincipal => Error, "SCP_SYNTAX_ERROR_PRINCIPAL", "SCP syntax error principal";
    UniqueSidsRequired => Error, "UNIQUE_SIDS_REQUIRED", "Unique Sids required";
    UnsupportedActionInPolicy => Error, "UNSUPPORTED_ACTION_IN_POLICY", "Unsupported action in policy";
    UnsupportedElementCombination => Error, "UNSUPPORTED_ELEMENT_COMBINATION", "Unsupported element combination";
    UnsupportedPrincipal => Error, "UNSUPPORTED_PRINCIPAL", "Unsupported principal";
    UnsupportedResourceArnInPolicy => Error, "UNSUPPORTED_RESOURCE_ARN_IN_POLICY", "Unsupported resource ARN in policy";
    UnsupportedSid => Error, "UNSUPPORTED_SID", "Unsupported Sid";
    UnsupportedWildcardInPrincipal => Error, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "Unsupported wildcard in principal";
    MissingBraceInVariable => Error, "MISSING_BRACE_IN_VARIABLE", "Missing brace in variable";
    EmptyVariable => Error, "EMPTY_VARIABLE", "Empty variable";
    VariableUnsupportedInElement => Error, "VARIABLE_UNSUPPORTED_IN_ELEMENT", "Variable unsupported in element";
    VariableUnsupportedInVersion => Error, "VARIABLE_UNSUPPORTED_IN_VERSION", "Variable unsupported in version";
    RoleTrustPolicySyntaxErrorNotPrincipal => Error, "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "Role trust policy syntax error notprincipal";
    RoleTrustPolicyUnsupportedWildcardInPrincipal => Error, "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "Role trust policy unsupported wildcard in principal";
    RoleTrustPolicySyntaxErrorResource => Error, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", "Role trust policy syntax error resource";
    MismatchedActionForPrincipal => Error, "MISMATCHED_ACTION_FOR_PRINCIPAL", "Mismatched action for principal";
    // Cairn's addition: an action none of whose resource types the statement's resources name.
    UnsupportedResourceForAction => Error, "UNSUPPORTED_RESOURCE_FOR_ACTION", "";
    // General warnings
    CreateSlrWithNotResource => Warning, "CREATE_SLR_WITH_NOT_RESOURCE", "Create SLR with NotResource";
    CreateSlrWithStarInActionAndNotResource => Warning, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Create SLR with star in action and NotResource";
    CreateSlrWithNotActionAndNotResource => Warning, "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Create SLR with NotAction and NotResource";
    CreateSlrWithStarInResource => Warning, "CREATE_SLR_WITH_STAR_IN_RESOURCE", "Create SLR with star in resource";
    CreateSlrWithStarInActionAndResource => Warning, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "Create SLR with star in action and resource";
    CreateSlrWithStarInResourceAndNotAction => Warning, "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Create SLR with star in resource and NotAction";
    DeprecatedGlobalConditionKey => Warning, "DEPRECATED_GLOBAL_CONDITION_KEY", "Deprecated global condition key";
    MissingVersion => Warning, "MISSING_VERSION", "Missing version";
    UniqueSidsRecommended => Warning, "UNIQUE_SIDS_RECOMMENDED", "Unique Sids recommended";
    WildcardWithoutLikeOperator => Warning, "WILDCARD_WITHOUT_LIKE_OPERATOR", "Wildcard without like operator";
    TypeMismatch => Warning, "TYPE_MISMATCH", "Type mismatch";
    TypeMismatchBoolean => Warning, "TYPE_MISMATCH_BOOLEAN", "Type mismatch Boolean";
    TypeMismatchDate => Warning, "TYPE_MISMATCH_DATE", "Type mismatch date";
    TypeMismatchIpRange => Warning, "TYPE_MISMATCH_IP_RANGE", "Type mismatch IP range";
    TypeMismatchNumber => Warning, "TYPE_MISMATCH_NUMBER", "Type mismatch number";
    TypeMismatchString => Warning, "TYPE_MISMATCH_STRING", "Type mismatch string";
    // Security warnings
    AllowWithNotPrincipal => SecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", "Allow with NotPrincipal";
    ForAllValuesWithSingleValuedKey => SecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "ForAllValues with single valued key";
    PassRoleWithNotResource => SecurityWarning, "PASS_ROLE_WITH_NOT_RESOURCE", "Pass role with NotResource";
    PassRoleWithStarInActionAndNotResource => SecurityWarning, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Pass role with star in action and NotResource";
    PassRoleWithNotActionAndNotResource => SecurityWarning, "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Pass role with NotAction and NotResource";
    PassRoleWithStarInResource => SecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Pass role with star in resource";
    PassRoleWithStarInActionAndResource => SecurityWarning, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Pass role with star in action and resource";
    PassRoleWithStarInResourceAndNotAction => SecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Pass role with star in resource and NotAction";
    StringLikeOperatorWithArnConditionKeys => SecurityWarning, "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", "String like operator with ARN condition keys";
    RestrictAccessToServicePrincipal => SecurityWarning, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "Restrict access to service principal";
    MissingConditionKeyForOidcPrincipal => SecurityWarning, "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", "Missing condition key for oidc principal";
    // Cairn's additions: Allow with NotAction / NotResource grants everything not listed.
    AllowWithNotAction => SecurityWarning, "ALLOW_WITH_NOT_ACTION", "";
    AllowWithNotResource => SecurityWarning, "ALLOW_WITH_NOT_RESOURCE", "";
    // Suggestions
    EmptyArrayAction => Suggestion, "EMPTY_ARRAY_ACTION", "Empty array action";
    EmptyArrayCondition => Suggestion, "EMPTY_ARRAY_CONDITION", "Empty array condition";
    EmptyArrayConditionForAllValues => Suggestion, "EMPTY_ARRAY_CONDITION_FORALLVALUES", "Empty array condition ForAllValues";
    EmptyArrayConditionForAnyValue => Suggestion, "EMPTY_ARRAY_CONDITION_FORANYVALUE", "Empty array condition ForAnyValue";
    EmptyArrayConditionIfExists => Suggestion, "EMPTY_ARRAY_CONDITION_IFEXISTS", "Empty array condition IfExists";
    EmptyArrayPrincipal => Suggestion, "EMPTY_ARRAY_PRINCIPAL", "Empty array principal";
    EmptyArrayResource => Suggestion, "EMPTY_ARRAY_RESOURCE", "Empty array resource";
    EmptyObjectCondition => Suggestion, "EMPTY_OBJECT_CONDITION", "Empty object condition";
    EmptyObjectPrincipal => Suggestion, "EMPTY_OBJECT_PRINCIPAL", "Empty object principal";
    EmptySidValue => Suggestion, "EMPTY_SID_VALUE", "Empty Sid value";
    NullWithQualifier => Suggestion, "NULL_WITH_QUALIFIER", "Null with qualifier";
    RedundantAction => Suggestion, "REDUNDANT_ACTION", "Redundant action";
    RedundantResource => Suggestion, "REDUNDANT_RESOURCE", "Redundant resource";
    RedundantStatement => Suggestion, "REDUNDANT_STATEMENT", "Redundant statement";
    WildcardInServiceName => Suggestion, "WILDCARD_IN_SERVICE_NAME", "Wildcard in service name";
}

impl Issue {
    /// Checks AWS does not run that Cairn adds (the issue asked for them): they have no title on
    /// AWS's reference page.
    pub fn is_cairn_extension(self) -> bool {
        self.title().is_empty()
    }

    /// The documentation link for this check.
    pub fn learn_more_link(self) -> String {
        match self {
            Issue::AllowWithNotAction => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html".into()
            }
            Issue::AllowWithNotResource => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html".into()
            }
            Issue::UnsupportedResourceForAction => {
                "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html".into()
            }
            _ => format!(
                "{REFERENCE}#access-analyzer-reference-policy-checks-{}-{}",
                self.finding_type().anchor(),
                self.title().to_ascii_lowercase().replace(' ', "-")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_the_reference_page_anchors_aws_returns() {
        // learnMoreLink values as returned by AWS (recorded ValidatePolicy responses).
        let rows = [
            (
                Issue::InvalidAction,
                "#access-analyzer-reference-policy-checks-error-invalid-action",
            ),
            (
                Issue::RedundantAction,
                "#access-analyzer-reference-policy-checks-suggestion-redundant-action",
            ),
            (
                Issue::PassRoleWithStarInActionAndResource,
                "#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-action-and-resource",
            ),
            (
                Issue::WildcardWithoutLikeOperator,
                "#access-analyzer-reference-policy-checks-general-warning-wildcard-without-like-operator",
            ),
            (
                Issue::UnsupportedResourceArnInPolicy,
                "#access-analyzer-reference-policy-checks-error-unsupported-resource-arn-in-policy",
            ),
        ];
        for (issue, anchor) in rows {
            assert_eq!(issue.learn_more_link(), format!("{REFERENCE}{anchor}"));
        }
        assert!(Issue::AllowWithNotAction.is_cairn_extension());
        assert!(!Issue::MissingVersion.is_cairn_extension());
    }
}
