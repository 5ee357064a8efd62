//! Seed 002 end to end: a role trusted through web identity (`accounts.google.com`, and an
//! account's own OIDC provider), a third party exchanging signed ID tokens for temporary
//! credentials, and every bad token refused with AWS's error.

use crate::harness::*;
use crate::oidc_fixture::{Alg, TestIssuer};
use aws_sdk_s3::Client;

const SERVICE_ACCOUNT: &str = "112233445566778899000";

fn sts_anonymous(s: &Server) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::new()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(&s.endpoint)
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// A server trusting the test issuer's keys for `issuer`, and a JWKS dir kept alive.
fn server_for(issuer: &TestIssuer) -> (Server, tempfile::TempDir) {
    let keys = tempfile::tempdir().unwrap();
    let jwks = issuer.write_jwks(keys.path());
    let s = Server::start_with(&["--oidc-jwks", &issuer.pin_arg(&jwks)]);
    (s, keys)
}

/// Seed 002: bucket, the append-only policy, and `transfer-role` trusting Google's service
/// account; returns the role ARN.
async fn seed_002(s: &Server, trust: &str) -> String {
    let root = s.client();
    root.create_bucket()
        .bucket("thanx-sync")
        .send()
        .await
        .unwrap();
    root.put_object()
        .bucket("thanx-sync")
        .key("existing.csv")
        .body(b"a,b".to_vec().into())
        .send()
        .await
        .unwrap();
    let iam = s.iam();
    let policy = iam
        .create_policy()
        .policy_name("thanx-writer")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::thanx-sync/*"}]}"#)
        .send()
        .await
        .unwrap();
    let role = iam
        .create_role()
        .role_name("transfer-role")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("transfer-role")
        .policy_arn(policy.policy().unwrap().arn().unwrap())
        .send()
        .await
        .unwrap();
    role.role().unwrap().arn().to_string()
}

fn google_trust(sub: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["sts:AssumeRoleWithWebIdentity"],"Principal":{{"Federated":"accounts.google.com"}},"Condition":{{"StringEquals":{{"accounts.google.com:sub":"{sub}"}}}}}}]}}"#
    )
}

#[tokio::test]
async fn seed_002_google_web_identity_role() {
    let google = TestIssuer::google();
    let (s, _keys) = server_for(&google);
    let role_arn = seed_002(&s, &google_trust(SERVICE_ACCOUNT)).await;
    let sts = sts_anonymous(&s);
    let claims = google.google_service_account_claims(SERVICE_ACCOUNT, "https://thanx.example");
    for alg in [Alg::Rs256, Alg::Es256] {
        let out = sts
            .assume_role_with_web_identity()
            .role_arn(&role_arn)
            .role_session_name("thanx-sync")
            .web_identity_token(google.sign(claims.clone(), alg))
            .send()
            .await
            .unwrap();
        assert_eq!(out.subject_from_web_identity_token(), Some(SERVICE_ACCOUNT));
        assert_eq!(out.provider(), Some("https://accounts.google.com"));
        let creds = out.credentials().unwrap();
        assert!(creds.access_key_id().starts_with("ASIA"));
        let c: Client = client_session(
            &s,
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token(),
        );
        // The connection test: write then delete a test object…
        c.put_object()
            .bucket("thanx-sync")
            .key("connection-test")
            .body(b"ok".to_vec().into())
            .send()
            .await
            .unwrap();
        c.delete_object()
            .bucket("thanx-sync")
            .key("connection-test")
            .send()
            .await
            .unwrap();
        // …and nothing else: no reads, no listing.
        let err = c
            .get_object()
            .bucket("thanx-sync")
            .key("existing.csv")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "AccessDenied");
        let err = c
            .list_objects_v2()
            .bucket("thanx-sync")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "AccessDenied");
        let me = sts_with(
            &s,
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token()),
        )
        .get_caller_identity()
        .send()
        .await
        .unwrap();
        assert!(
            me.arn()
                .unwrap()
                .ends_with(":assumed-role/transfer-role/thanx-sync")
        );
    }

    // Another service account's token, a forgery, an expired token: refused.
    let other =
        google.google_service_account_claims("999999999999999999999", "https://thanx.example");
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("thanx-sync")
        .web_identity_token(google.sign(other, Alg::Rs256))
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("thanx-sync")
        .web_identity_token(google.forge(claims.clone(), Alg::Rs256))
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "InvalidIdentityToken");
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("thanx-sync")
        .web_identity_token(google.expired(claims.clone(), Alg::Es256))
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "ExpiredTokenException");
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("thanx-sync")
        .web_identity_token("not.a.token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "InvalidIdentityToken");
}

#[tokio::test]
async fn google_audience_conditions() {
    let google = TestIssuer::google();
    let (s, _keys) = server_for(&google);
    // Pin the audience too: `accounts.google.com:oaud` is the requested audience when the
    // token has an `azp` (`accounts.google.com:aud` is then the azp).
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{{"Federated":"accounts.google.com"}},"Condition":{{"StringEquals":{{"accounts.google.com:aud":"{SERVICE_ACCOUNT}","accounts.google.com:oaud":"https://thanx.example"}}}}}}]}}"#
    );
    let role_arn = seed_002(&s, &trust).await;
    let sts = sts_anonymous(&s);
    let good = google.google_service_account_claims(SERVICE_ACCOUNT, "https://thanx.example");
    sts.assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("aud-ok")
        .web_identity_token(google.sign(good, Alg::Rs256))
        .send()
        .await
        .unwrap();
    let wrong_audience =
        google.google_service_account_claims(SERVICE_ACCOUNT, "https://someone-else.example");
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("aud-bad")
        .web_identity_token(google.sign(wrong_audience, Alg::Rs256))
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
}

#[tokio::test]
async fn oidc_provider_of_the_account() {
    let idp = TestIssuer::new("https://idp.example.com");
    let (s, _keys) = server_for(&idp);
    let iam = s.iam();
    let account = sts_with(&s, ROOT_KEY, ROOT_SECRET, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_string();
    let provider_arn = format!("arn:aws:iam::{account}:oidc-provider/idp.example.com");
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{{"Federated":"{provider_arn}"}},"Condition":{{"StringEquals":{{"idp.example.com:sub":"ci-bot","idp.example.com:aud":"sync-app"}}}}}}]}}"#
    );
    let role_arn = seed_002(&s, &trust).await;
    let sts = sts_anonymous(&s);
    let token = idp.sign(idp.claims("ci-bot", "sync-app"), Alg::Es256);
    // No provider registered yet.
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "InvalidIdentityToken");
    iam.create_open_id_connect_provider()
        .url("https://idp.example.com")
        .client_id_list("other-app")
        .send()
        .await
        .unwrap();
    // The token's audience is not a client id of the provider.
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "InvalidIdentityToken");
    iam.add_client_id_to_open_id_connect_provider()
        .open_id_connect_provider_arn(&provider_arn)
        .client_id("sync-app")
        .send()
        .await
        .unwrap();
    let out = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.audience(), Some("sync-app"));
    // A token for another subject is refused by the trust policy.
    let err = sts
        .assume_role_with_web_identity()
        .role_arn(&role_arn)
        .role_session_name("ci")
        .web_identity_token(idp.sign(idp.claims("intruder", "sync-app"), Alg::Rs256))
        .send()
        .await
        .unwrap_err();
    assert_eq!(sts_code(&err), "AccessDenied");
}
