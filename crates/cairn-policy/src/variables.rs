//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`,
//! and the escapes `${*}`, `${?}`, `${$}`.
//!
//! See <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>.
//! Substituted text is literal (a `*` in a user's value is not a wildcard).
//! A variable whose key is absent from the request, with no default, makes
//! the whole element unresolvable, so it matches nothing. Variables are only
//! recognised in version 2012-10-17 documents.

use crate::context::RequestContext;
use crate::glob::{self, Token};

/// Whether `text` has anything [`expand`] would substitute; when not, its
/// tokens are just [`glob::tokens`] of the text.
pub fn has_variables(text: &str, substitute: bool) -> bool {
    substitute && text.contains('$') && text.contains("${")
}

/// Expands `text` into pattern tokens; `None` when a variable has no value.
pub fn expand(text: &str, ctx: &RequestContext, substitute: bool) -> Option<Vec<Token>> {
    if !has_variables(text, substitute) {
        return Some(glob::tokens(text));
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.extend(glob::tokens(&rest[..start]));
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.extend(glob::tokens(&rest[start..]));
            return Some(out);
        };
        out.extend(resolve(&after[..end], ctx)?.chars().map(Token::Literal));
        rest = &after[end + 1..];
    }
    out.extend(glob::tokens(rest));
    Some(out)
}

/// The literal value of one variable body (the text between `${` and `}`).
fn resolve<'a>(body: &'a str, ctx: &'a RequestContext) -> Option<&'a str> {
    let body = body.trim();
    if matches!(body, "*" | "?" | "$") {
        return Some(body);
    }
    let (key, default) = match body.split_once(',') {
        Some((key, default)) => (key.trim(), Some(unquote(default.trim()))),
        None => (body, None),
    };
    match ctx.lookup(key) {
        Some(values) if values.len() == 1 => values.iter().next(),
        _ => default,
    }
}

fn unquote(text: &str) -> &str {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::RequestPrincipal;

    fn ctx() -> RequestContext {
        RequestContext::new(
            RequestPrincipal::user(
                "123456789012",
                "arn:aws:iam::123456789012:user/bob",
                "bob",
                "AIDAEXAMPLE",
            ),
            "s3:GetObject",
            "arn:aws:s3:::b/k",
        )
        .with_key("aws:PrincipalTag/team", &["blue"])
        .with_key("s3:prefix", &["a*b"])
    }

    fn text(pattern: &str, substitute: bool) -> Option<String> {
        expand(pattern, &ctx(), substitute).map(|t| glob::to_text(&t))
    }

    #[test]
    fn substitutes_per_the_variables_page() {
        let rows: &[(&str, Option<&str>)] = &[
            (
                "arn:aws:s3:::bucket/home/${aws:username}/*",
                Some("arn:aws:s3:::bucket/home/bob/*"),
            ),
            ("${aws:USERNAME}", Some("bob")),
            ("${aws:userid}", Some("AIDAEXAMPLE")),
            ("${aws:PrincipalTag/team}", Some("blue")),
            (
                "${aws:PrincipalTag/missing, 'company-wide'}",
                Some("company-wide"),
            ),
            ("${aws:PrincipalTag/missing}", None),
            ("${*}${?}${$}", Some("*?$")),
            ("no-variable", Some("no-variable")),
            ("${unterminated", Some("${unterminated")),
        ];
        for (pattern, want) in rows {
            assert_eq!(text(pattern, true).as_deref(), *want, "{pattern}");
        }
    }

    #[test]
    fn substituted_text_is_literal() {
        let tokens = expand("${s3:prefix}", &ctx(), true).unwrap_or_default();
        assert!(tokens.iter().all(|t| matches!(t, Token::Literal(_))));
        assert!(glob::matches(&tokens, "a*b", false));
        assert!(!glob::matches(&tokens, "aXb", false));
    }

    #[test]
    fn old_versions_keep_text() {
        assert_eq!(
            text("home/${aws:username}", false).as_deref(),
            Some("home/${aws:username}")
        );
    }
}
