//! Minting temporary credentials: an `ASIA…` key id, a secret and a session token, stored as a
//! session row (secret sealed, token only as a hash) so that any node can check them.

use crate::bootstrap::{new_access_key_id, new_secret_key};
use crate::query::QueryError;
use crate::query::xml::{Xml, iso8601};
use crate::state::State;
use base64::Engine as _;
use cairn_meta::{SessionKind, StsSession};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Temporary credentials as returned once to the caller.
pub struct Issued {
    pub access_key_id: String,
    pub secret: String,
    pub token: String,
    /// Expiry in milliseconds since the epoch.
    pub expires_ms: i64,
}

impl Issued {
    /// The `<Credentials>` element every STS action returns.
    pub fn render(&self, x: &mut Xml) {
        x.open("Credentials")
            .leaf("AccessKeyId", &self.access_key_id)
            .leaf("SecretAccessKey", &self.secret)
            .leaf("SessionToken", &self.token)
            .leaf("Expiration", &iso8601(self.expires_ms))
            .close("Credentials");
    }
}

/// SHA-256 (hex) of a session token: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who the credentials act as.
pub struct Subject<'a> {
    pub account_id: &'a str,
    pub kind: SessionKind,
    pub name: &'a str,
    pub id: &'a str,
    pub session_name: &'a str,
}

/// Mints and stores credentials valid for `duration_secs` from now.
pub async fn issue(
    state: &State,
    subject: Subject<'_>,
    duration_secs: i64,
    attrs: &super::session::SessionAttrs,
) -> Result<Issued, QueryError> {
    let now_ms = crate::time::now_ms();
    let mut raw = [0u8; 96];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::STANDARD.encode(raw);
    let secret = new_secret_key();
    let issued = Issued {
        access_key_id: new_access_key_id("ASIA"),
        secret,
        token,
        expires_ms: now_ms + duration_secs * 1000,
    };
    let session = StsSession {
        access_key_id: issued.access_key_id.clone(),
        secret_enc: state.master.seal(&issued.secret),
        token_hash: token_hash(&issued.token),
        account_id: subject.account_id.to_string(),
        kind: subject.kind,
        subject: subject.name.to_string(),
        subject_id: subject.id.to_string(),
        session_name: subject.session_name.to_string(),
        created: now_ms / 1000,
        expires: issued.expires_ms / 1000,
        attrs: serde_json::to_string(attrs).map_err(|_| internal())?,
    };
    state
        .meta
        .put_session(&session)
        .await
        .map_err(|e| crate::iam::meta_err(e, "session"))?;
    Ok(issued)
}

/// Mints a role session and renders what AssumeRole and AssumeRoleWithWebIdentity both return:
/// the credentials, the assumed-role user, the packed size and the source identity.
pub async fn issue_role_session(
    state: &State,
    role: &cairn_meta::IamEntity,
    session_name: &str,
    duration_secs: i64,
    attrs: &super::session::SessionAttrs,
) -> Result<Xml, QueryError> {
    let issued = issue(
        state,
        Subject {
            account_id: &role.account_id,
            kind: SessionKind::Role,
            name: &role.name,
            id: &role.id,
            session_name,
        },
        duration_secs,
        attrs,
    )
    .await?;
    let mut x = Xml::default();
    issued.render(&mut x);
    x.open("AssumedRoleUser")
        .leaf("AssumedRoleId", &format!("{}:{session_name}", role.id))
        .leaf(
            "Arn",
            &format!(
                "arn:aws:sts::{}:assumed-role/{}/{session_name}",
                role.account_id, role.name
            ),
        )
        .close("AssumedRoleUser");
    if let Some(size) = attrs.packed_size() {
        x.leaf("PackedPolicySize", &size.to_string());
    }
    x.opt_leaf("SourceIdentity", attrs.source_identity.as_deref());
    Ok(x)
}

fn internal() -> QueryError {
    QueryError::new(
        http::StatusCode::INTERNAL_SERVER_ERROR,
        "InternalFailure",
        "An internal error occurred.",
    )
}
