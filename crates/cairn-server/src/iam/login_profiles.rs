//! Console passwords (IAM's LoginProfile): Create/Get/Update/DeleteLoginProfile and
//! ChangePassword. Passwords are kept only as Argon2id hashes (memory-hard, salted); checking one
//! runs on a blocking thread. The console's sign-in (`crate::console::signin`) verifies them.

use super::{Ctx, IamResult, meta_err};
use crate::principal::Principal;
use crate::query::QueryError;
use crate::query::xml::{Xml, iso8601};
use crate::time::now_ms;
use cairn_meta::{IamEntity, LoginProfile, MetaError};
use http::StatusCode;

/// IAM's length limit for a password parameter.
const MAX_PASSWORD: usize = 128;

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane) and a
/// random salt, as a PHC string.
pub async fn hash_password(password: &str) -> Result<String, QueryError> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .ok()
    .and_then(Result::ok)
    .ok_or_else(internal)
}

/// Whether `password` matches the stored hash. Without a hash (no such user or profile) a hash
/// is computed anyway, so that an unknown user takes as long to refuse as a wrong password.
pub async fn verify_password(hash: Option<&str>, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let Some(hash) = hash else {
        let _ = hash_password(password).await;
        return false;
    };
    let hash = hash.to_string();
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// AWS's default password policy (an account without a custom one): at least 8 characters and
/// three of the four kinds — upper case, lower case, digits, symbols.
pub fn check_password_policy(password: &str) -> Result<(), QueryError> {
    if password.chars().count() > MAX_PASSWORD
        || !password
            .chars()
            .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        return Err(super::names::validation(
            "***",
            "password",
            "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
        ));
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if password.chars().count() < 8 || kinds < 3 {
        return Err(QueryError::bad_request(
            "PasswordPolicyViolation",
            "Password does not conform to the account password policy: at least 8 characters, with three of upper case letters, lower case letters, numbers and symbols.",
        ));
    }
    Ok(())
}

fn internal() -> QueryError {
    QueryError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "ServiceFailure",
        "Request processing has failed due to an internal error.",
    )
}

fn no_profile(user: &str) -> QueryError {
    QueryError::new(
        StatusCode::NOT_FOUND,
        "NoSuchEntity",
        format!("Login Profile for User {user} cannot be found."),
    )
}

fn render(user: &IamEntity, p: &LoginProfile) -> Xml {
    let mut x = Xml::default();
    x.open("LoginProfile")
        .leaf("UserName", &user.name)
        .leaf("CreateDate", &iso8601(p.created))
        .leaf(
            "PasswordResetRequired",
            if p.reset_required { "true" } else { "false" },
        )
        .close("LoginProfile");
    x
}

/// `UserName`, or the calling IAM user when omitted.
async fn target(cx: &Ctx<'_>) -> Result<IamEntity, QueryError> {
    let name = match (cx.optional("UserName"), &cx.caller.principal) {
        (Some(n), _) => n.to_string(),
        (None, Principal::User { name, .. }) => name.clone(),
        (None, _) => return Err(cx.required("UserName").unwrap_err()),
    };
    super::users::user(cx, &name).await
}

async fn stored(cx: &Ctx<'_>, user: &IamEntity) -> Result<LoginProfile, QueryError> {
    cx.state
        .meta
        .get_login_profile(&cx.account_id, &user.id)
        .await
        .map_err(|e| meta_err(e, "login profile"))?
        .ok_or_else(|| no_profile(&user.name))
}

fn flag(cx: &Ctx<'_>, name: &str) -> Option<bool> {
    cx.optional(name).map(|v| v.eq_ignore_ascii_case("true"))
}

pub async fn create(cx: &Ctx<'_>) -> IamResult {
    let user = target(cx).await?;
    cx.authorize("CreateLoginProfile", &user.arn()).await?;
    let password = cx.required("Password")?;
    check_password_policy(password)?;
    let profile = LoginProfile {
        account_id: cx.account_id.clone(),
        user_id: user.id.clone(),
        password_hash: hash_password(password).await?,
        reset_required: flag(cx, "PasswordResetRequired").unwrap_or(false),
        created: now_ms(),
    };
    cx.state
        .meta
        .create_login_profile(&profile)
        .await
        .map_err(|e| match e {
            MetaError::AlreadyExists => QueryError::new(
                StatusCode::CONFLICT,
                "EntityAlreadyExists",
                format!("Login Profile for user {} already exists.", user.name),
            ),
            e => meta_err(e, "login profile"),
        })?;
    Ok(Some(render(&user, &profile)))
}

pub async fn get(cx: &Ctx<'_>) -> IamResult {
    let user = target(cx).await?;
    cx.authorize("GetLoginProfile", &user.arn()).await?;
    let profile = stored(cx, &user).await?;
    Ok(Some(render(&user, &profile)))
}

pub async fn update(cx: &Ctx<'_>) -> IamResult {
    let user = target(cx).await?;
    cx.authorize("UpdateLoginProfile", &user.arn()).await?;
    let mut profile = stored(cx, &user).await?;
    if let Some(password) = cx.optional("Password") {
        check_password_policy(password)?;
        profile.password_hash = hash_password(password).await?;
    }
    if let Some(reset) = flag(cx, "PasswordResetRequired") {
        profile.reset_required = reset;
    }
    cx.state
        .meta
        .update_login_profile(&profile)
        .await
        .map_err(|e| match e {
            MetaError::NoSuchEntity => no_profile(&user.name),
            e => meta_err(e, "login profile"),
        })?;
    Ok(None)
}

pub async fn delete(cx: &Ctx<'_>) -> IamResult {
    let user = target(cx).await?;
    cx.authorize("DeleteLoginProfile", &user.arn()).await?;
    cx.state
        .meta
        .delete_login_profile(&cx.account_id, &user.id)
        .await
        .map_err(|e| match e {
            MetaError::NoSuchEntity => no_profile(&user.name),
            e => meta_err(e, "login profile"),
        })?;
    Ok(None)
}

/// An IAM user changes its own password; a wrong old password counts as a failed sign-in (and
/// is slowed down the same way).
pub async fn change_password(cx: &Ctx<'_>) -> IamResult {
    let Principal::User { name, .. } = &cx.caller.principal else {
        return Err(QueryError::bad_request(
            "InvalidUserType",
            "Only IAM users can change their own password with ChangePassword.",
        ));
    };
    let old = cx.required("OldPassword")?;
    let new = cx.required("NewPassword")?;
    let user = super::users::user(cx, name).await?;
    cx.authorize("ChangePassword", &user.arn()).await?;
    let mut profile = stored(cx, &user).await?;
    let key = crate::console::throttle::Key::user(&cx.account_id, &user.name);
    let attempt = crate::console::throttle::SIGN_IN
        .begin(&key, None)
        .map_err(|wait| {
            QueryError::new(
                StatusCode::CONFLICT,
                "LimitExceeded",
                format!(
                    "Too many invalid password attempts. Try again in {} seconds.",
                    crate::console::throttle::whole_seconds(wait)
                ),
            )
        })?;
    if !verify_password(Some(&profile.password_hash), old).await {
        attempt.failed().await;
        return Err(QueryError::forbidden(
            "AccessDenied",
            "The old password is incorrect.",
        ));
    }
    attempt.succeeded();
    check_password_policy(new)?;
    profile.password_hash = hash_password(new).await?;
    profile.reset_required = false;
    cx.state
        .meta
        .update_login_profile(&profile)
        .await
        .map_err(|e| meta_err(e, "login profile"))?;
    Ok(None)
}
