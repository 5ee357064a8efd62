//! Why a policy document was rejected.
//!
//! IAM answers every rejection with the error code `MalformedPolicyDocument`
//! and a message; S3 answers bucket-policy rejections with `MalformedPolicy`.
//! The variants keep the checks that differ by policy kind apart so the
//! caller can pick the error code of the API it is serving, while
//! [`std::fmt::Display`] always yields AWS's exact message text.

/// A policy document AWS would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A generic document error; the string is AWS's exact message,
    /// e.g. `Syntax errors in policy.`.
    #[error("{0}")]
    Malformed(String),
    /// A statement of a resource-based or trust policy names no principal.
    #[error("Missing required field Principal")]
    MissingPrincipal,
    /// An identity-based or session policy names a principal.
    #[error("Policy document should not specify a principal.")]
    UnexpectedPrincipal,
    /// A `Principal` entry that can never name anybody (e.g. `{"AWS": "bob"}`).
    /// The string is the offending `"Type":"value"` pair.
    #[error("Invalid principal in policy: {0}")]
    InvalidPrincipal(String),
    /// A role trust policy carries a `Resource` (the role itself is the resource).
    #[error("Has prohibited field Resource")]
    ProhibitedResource,
    /// A role trust policy allows something other than assuming the role.
    #[error("AssumeRole policy may only specify STS AssumeRole actions.")]
    TrustActionNotAssumeRole,
}

impl PolicyError {
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        PolicyError::Malformed(message.into())
    }
}

/// AWS's messages for the validation stages, verbatim.
pub(crate) mod msg {
    pub const SYNTAX: &str = "Syntax errors in policy.";
    pub const VERSION: &str = "Policy document must be version 2012-10-17 or greater.";
    pub const LEGACY: &str = "The policy failed legacy parsing";
    pub const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
    pub const NO_ACTIONS: &str = "Policy statement must contain actions.";
    pub const NO_RESOURCES: &str = "Policy statement must contain resources.";
    pub const NO_VENDOR: &str =
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    pub const ONE_COLON: &str = "Actions/Condition can contain only one colon.";
    pub const VENDOR_REGEX: &str =
        "Resource vendor must be fully qualified and cannot contain regexes.";
    pub const IAM_PATH: &str = "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.";
}
