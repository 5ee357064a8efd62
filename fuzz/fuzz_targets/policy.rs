//! The policy parser, the validator (Access Analyzer checks) and the evaluator: no input may
//! panic, and a policy that parses must evaluate.
#![no_main]

use cairn_policy::{PolicyKind, PolicySet, RequestContext, RequestPrincipal, evaluate, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = cairn_policy::lint::validate_policy(text, cairn_policy::lint::LintKind::IdentityPolicy);
    for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust] {
        let Ok(policy) = parse(text, kind) else {
            continue;
        };
        let principal = RequestPrincipal::user(
            "123456789012",
            "arn:aws:iam::123456789012:user/alice",
            "alice",
            "AIDAEXAMPLE",
        );
        let ctx = RequestContext::new(principal, "s3:GetObject", "arn:aws:s3:::bucket/a/b*c")
            .with_key("aws:SourceIp", &["10.1.2.3"])
            .with_key("s3:prefix", &["a/", "${aws:username}"])
            .with_key("aws:CurrentTime", &["2026-11-25T10:00:00Z"]);
        let mut set = PolicySet::default();
        match kind {
            PolicyKind::Identity => set.identity.push(("fuzz", &policy)),
            _ => set.resource.push(("fuzz", &policy)),
        }
        let _ = evaluate(&set, &ctx);
    }
});
