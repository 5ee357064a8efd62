//! Who is making a request, as authorization sees it.

/// The authenticated caller (or the lack of one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An unsigned request.
    Anonymous,
    /// The root user of an account.
    Root { account_id: String },
    /// An IAM user.
    User { account_id: String, name: String },
}

impl Principal {
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Principal::Anonymous => None,
            Principal::Root { account_id } | Principal::User { account_id, .. } => Some(account_id),
        }
    }

    /// The principal's ARN, as `aws:PrincipalArn` and S3 owner fields show it.
    pub fn arn(&self) -> String {
        match self {
            Principal::Anonymous => "*".to_string(),
            Principal::Root { account_id } => format!("arn:aws:iam::{account_id}:root"),
            Principal::User { account_id, name } => {
                format!("arn:aws:iam::{account_id}:user/{name}")
            }
        }
    }
}
