//! The web console's server side: IAM login profiles through aws-sdk-iam, the password sign-in
//! (a console session that is the user, IAM included), its throttling, and the pages' prefix.

use crate::harness::*;
use serde_json::{Value, json};

fn iam_code<E: aws_sdk_iam::error::ProvideErrorMetadata>(
    e: &aws_sdk_iam::error::SdkError<E>,
) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("?")
        .to_string()
}

async fn account_id(s: &Server) -> String {
    sts_with(s, ROOT_KEY, ROOT_SECRET, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_string()
}

/// POST /_console/api/signin → (status, Retry-After, JSON body).
async fn sign_in(s: &Server, body: Value) -> (u16, Option<String>, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/_console/api/signin", s.endpoint))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().await.unwrap();
    (
        status,
        retry,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

fn creds(v: &Value) -> (String, String, String) {
    let f = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    (f("accessKeyId"), f("secretAccessKey"), f("sessionToken"))
}

#[tokio::test]
async fn login_profiles_through_aws_sdk_iam_and_the_console_sign_in() {
    let s = Server::start();
    let account = account_id(&s).await;
    let iam = s.iam();
    iam.create_user().user_name("walker").send().await.unwrap();

    let e = iam
        .get_login_profile()
        .user_name("walker")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "NoSuchEntity");
    // AWS's default password policy: 8 characters, three kinds of character.
    let e = iam
        .create_login_profile()
        .user_name("walker")
        .password("short")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "PasswordPolicyViolation");
    let e = iam
        .create_login_profile()
        .user_name("nobody")
        .password("Good-pass-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "NoSuchEntity");
    let created = iam
        .create_login_profile()
        .user_name("walker")
        .password("Good-pass-1")
        .password_reset_required(true)
        .send()
        .await
        .unwrap();
    let p = created.login_profile().unwrap();
    assert_eq!(p.user_name(), "walker");
    assert!(p.password_reset_required());
    let e = iam
        .create_login_profile()
        .user_name("walker")
        .password("Good-pass-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "EntityAlreadyExists");
    let got = iam
        .get_login_profile()
        .user_name("walker")
        .send()
        .await
        .unwrap();
    assert!(got.login_profile().unwrap().password_reset_required());
    // A user with a console password cannot be deleted, as in IAM.
    let e = iam
        .delete_user()
        .user_name("walker")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "DeleteConflict");

    // Signing in: a reset is required first.
    let who = json!({"accountId": account, "userName": "walker", "password": "Good-pass-1"});
    let (status, _, body) = sign_in(&s, who.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("PasswordResetRequired"))
    );
    let mut with_new = who.clone();
    with_new["newPassword"] = json!("Newer-pass-2");
    let (status, _, body) = sign_in(&s, with_new).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["arn"],
        json!(format!("arn:aws:iam::{account}:user/walker"))
    );
    let (key, secret, token) = creds(&body);
    assert!(key.starts_with("ASIA"));
    assert!(
        !iam.get_login_profile()
            .user_name("walker")
            .send()
            .await
            .unwrap()
            .login_profile()
            .unwrap()
            .password_reset_required()
    );

    // The console session is the user: IAM answers it (unlike GetSessionToken credentials),
    // through the user's own policies.
    let console = iam_session(&s, &key, &secret, &token);
    let e = console.list_users().send().await.unwrap_err();
    assert_eq!(iam_code(&e), "AccessDenied");
    assert!(format!("{e:?}").contains(":user/walker is not authorized to perform: iam:ListUsers"));
    let who_am_i = sts_with(&s, &key, &secret, Some(&token))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        who_am_i.arn(),
        Some(format!("arn:aws:iam::{account}:user/walker").as_str())
    );
    let s3 = client_session(&s, &key, &secret, &token);
    assert_eq!(
        code(&s3.list_buckets().send().await.unwrap_err()),
        "AccessDenied"
    );

    // ChangePassword: needs iam:ChangePassword on oneself; a wrong old password is refused.
    let e = console
        .change_password()
        .old_password("Newer-pass-2")
        .new_password("Third-pass-3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "AccessDenied");
    iam.put_user_policy()
        .user_name("walker")
        .policy_name("own-password")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::{account}:user/${{aws:username}}"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let e = console
        .change_password()
        .old_password("not-it-Pass-9")
        .new_password("Third-pass-3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "AccessDenied");
    console
        .change_password()
        .old_password("Newer-pass-2")
        .new_password("Third-pass-3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        console
            .get_user()
            .send()
            .await
            .unwrap()
            .user()
            .unwrap()
            .user_name(),
        "walker"
    );
    let (status, _, _) = sign_in(&s, who.clone()).await;
    assert_eq!(status, 401);
    let mut third = who.clone();
    third["password"] = json!("Third-pass-3");
    assert_eq!(sign_in(&s, third.clone()).await.0, 200);

    // UpdateLoginProfile sets a password for the user; DeleteLoginProfile ends password sign-in.
    iam.update_login_profile()
        .user_name("walker")
        .password("Admin-set-4")
        .password_reset_required(false)
        .send()
        .await
        .unwrap();
    let mut admin_set = who.clone();
    admin_set["password"] = json!("Admin-set-4");
    assert_eq!(sign_in(&s, admin_set.clone()).await.0, 200);
    iam.delete_login_profile()
        .user_name("walker")
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in(&s, admin_set).await.0, 401);
    let e = iam
        .delete_login_profile()
        .user_name("walker")
        .send()
        .await
        .unwrap_err();
    assert_eq!(iam_code(&e), "NoSuchEntity");
    iam.delete_user_policy()
        .user_name("walker")
        .policy_name("own-password")
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("walker").send().await.unwrap();
}

#[tokio::test]
async fn failed_sign_ins_are_slowed_down_then_refused_for_a_while() {
    let s = Server::start();
    let account = account_id(&s).await;
    let iam = s.iam();
    iam.create_user().user_name("target").send().await.unwrap();
    iam.create_login_profile()
        .user_name("target")
        .password("Right-pass-1")
        .send()
        .await
        .unwrap();
    let attempt =
        |password: &str| json!({"accountId": account, "userName": "target", "password": password});

    // An unknown user and a wrong password get the same answer, after the same pause.
    let started = std::time::Instant::now();
    let (status, _, unknown) = sign_in(
        &s,
        json!({"accountId": account, "userName": "ghost", "password": "x"}),
    )
    .await;
    assert_eq!(status, 401);
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    let mut wrong = None;
    for _ in 0..3 {
        let (status, _, body) = sign_in(&s, attempt("Wrong-pass-1")).await;
        assert_eq!(status, 401);
        wrong = Some(body);
    }
    assert_eq!(wrong.unwrap(), unknown);

    // After three failures even the right password waits.
    let (status, retry, body) = sign_in(&s, attempt("Right-pass-1")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("TooManyAttempts"))
    );
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&secs), "{secs}");
    // Another user is not affected.
    iam.create_user()
        .user_name("bystander")
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name("bystander")
        .password("Other-pass-1")
        .send()
        .await
        .unwrap();
    let (status, _, _) = sign_in(
        &s,
        json!({"accountId": account, "userName": "bystander", "password": "Other-pass-1"}),
    )
    .await;
    assert_eq!(status, 200);

    tokio::time::sleep(std::time::Duration::from_millis(secs * 1000 + 200)).await;
    let (status, _, body) = sign_in(&s, attempt("Right-pass-1")).await;
    assert_eq!(status, 200, "{body}");
    // Success clears the count.
    let (status, _, _) = sign_in(&s, attempt("Wrong-pass-1")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_console_is_served_under_its_prefix() {
    let s = Server::start();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str| http.get(format!("{}{path}", s.endpoint)).send();

    let r = get("/_console").await.unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(r.headers()["location"], "/_console/");
    let r = get("/_console/").await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.text().await.unwrap().contains("js/app.js"));
    for asset in [
        "js/app.js",
        "js/sigv4.js",
        "js/s3.js",
        "js/iam.js",
        "console.css",
    ] {
        let r = get(&format!("/_console/{asset}")).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{asset}");
    }
    assert_eq!(
        get("/_console/nothing").await.unwrap().status().as_u16(),
        404
    );
    let cfg: Value = serde_json::from_str(
        &get("/_console/api/config")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(cfg["region"], "us-east-1");
    // Sign-in takes JSON only (a cross-site form cannot send it without a preflight).
    let r = http
        .post(format!("{}/_console/api/signin", s.endpoint))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("accountId=1&userName=a&password=b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
    // S3 is untouched: the root path is still ListBuckets (signed), and no bucket is named _console.
    let e = s
        .client()
        .create_bucket()
        .bucket("_console")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidBucketName");
}
