//! OIDC ID tokens and JWKS documents (AssumeRoleWithWebIdentity): parsing a token without
//! trusting it, the claim checks, and reading a key set. Never a panic on a hostile token.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    cairn_server::sts::web_identity::fuzzing::token(text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        cairn_server::sts::web_identity::fuzzing::jwks(&value);
    }
});
