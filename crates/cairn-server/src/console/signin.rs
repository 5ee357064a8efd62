//! Console password sign-in: `POST /_console/api/signin` with `{accountId, userName, password}`
//! (and `newPassword` when the profile requires a reset) → temporary credentials for the user,
//! as JSON. The credentials are a user session marked `console` (12 hours): unlike
//! GetSessionToken's they may call IAM, as an AWS console session can; everything they do is
//! authorized as the user. Attempts are throttled ([`super::throttle`]); every refusal of a
//! name or password is the same answer, after the same work.

use super::{json, json_error};
use crate::iam::login_profiles::{check_password_policy, hash_password, verify_password};
use crate::state::State;
use crate::sts::credentials::{Subject, issue};
use crate::sts::session::SessionAttrs;
use cairn_meta::{EntityKind, LoginProfile, SessionKind};
use http::{Response, StatusCode};
use serde::Deserialize;

/// AWS console sessions of IAM users last 12 hours.
const SESSION_SECS: i64 = 12 * 3600;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignIn {
    account_id: String,
    user_name: String,
    password: String,
    #[serde(default)]
    new_password: Option<String>,
}

fn refused() -> Response<s3s::Body> {
    json_error(
        StatusCode::UNAUTHORIZED,
        "InvalidCredentials",
        "Your authentication information is incorrect. Please try again.",
    )
}

pub async fn sign_in(
    state: &State,
    body: &[u8],
    remote: Option<std::net::SocketAddr>,
) -> Response<s3s::Body> {
    let Ok(req) = serde_json::from_slice::<SignIn>(body) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Expected JSON {accountId, userName, password}.",
        );
    };
    let account_ok =
        req.account_id.len() == 12 && req.account_id.bytes().all(|b| b.is_ascii_digit());
    let key = super::throttle::Key::user(&req.account_id, &req.user_name);
    let attempt = match super::throttle::SIGN_IN.begin(&key, remote.map(|r| r.ip())) {
        Ok(a) => a,
        Err(wait) => {
            let secs = super::throttle::whole_seconds(wait);
            let mut resp = json_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyAttempts",
                &format!("Too many failed sign-in attempts. Try again in {secs} seconds."),
            );
            if let Ok(v) = http::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(http::header::RETRY_AFTER, v);
            }
            return resp;
        }
    };
    let user = if account_ok {
        state
            .meta
            .get_entity(&req.account_id, EntityKind::User, &req.user_name)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let profile: Option<LoginProfile> = match &user {
        Some(u) => state
            .meta
            .get_login_profile(&req.account_id, &u.id)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let ok = verify_password(
        profile.as_ref().map(|p| p.password_hash.as_str()),
        &req.password,
    )
    .await;
    let (Some(user), Some(mut profile), true) = (user, profile, ok) else {
        attempt.failed().await;
        return refused();
    };
    attempt.succeeded();
    if profile.reset_required {
        let Some(new) = req.new_password.as_deref() else {
            return json_error(
                StatusCode::FORBIDDEN,
                "PasswordResetRequired",
                "You must choose a new password before signing in.",
            );
        };
        if let Err(e) = check_password_policy(new) {
            return json_error(StatusCode::BAD_REQUEST, &e.code, &e.message);
        }
        if new == req.password {
            return json_error(
                StatusCode::BAD_REQUEST,
                "PasswordPolicyViolation",
                "The new password must differ from the current one.",
            );
        }
        let Ok(hash) = hash_password(new).await else {
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure", "");
        };
        profile.password_hash = hash;
        profile.reset_required = false;
        if state.meta.update_login_profile(&profile).await.is_err() {
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure", "");
        }
    }
    let attrs = SessionAttrs {
        console: true,
        issued: crate::time::now_ms() / 1000,
        ..Default::default()
    };
    let issued = issue(
        state,
        Subject {
            account_id: &req.account_id,
            kind: SessionKind::User,
            name: &user.name,
            id: &user.id,
            session_name: "",
        },
        SESSION_SECS,
        &attrs,
    )
    .await;
    match issued {
        Ok(c) => json(
            StatusCode::OK,
            &serde_json::json!({
                "accessKeyId": c.access_key_id,
                "secretAccessKey": c.secret,
                "sessionToken": c.token,
                "expiration": c.expires_ms,
                "accountId": req.account_id,
                "userName": user.name,
                "arn": user.arn(),
            }),
        ),
        Err(e) => json_error(e.status, &e.code, &e.message),
    }
}
