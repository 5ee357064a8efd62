//! Wildcard patterns: `*` (any run of characters) and `?` (one character).
//!
//! Patterns are token lists rather than strings so that text substituted
//! from a policy variable (or written as `${*}`) stays literal.

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Literal(char),
    /// `*`; in ARN mode it stays within one colon-separated segment unless it
    /// ends the segment.
    Star,
    /// `?`; in ARN mode it never matches a colon.
    Question,
}

/// Tokens of a plain pattern where every `*` and `?` is a wildcard.
pub fn tokens(pattern: &str) -> Vec<Token> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Star,
            '?' => Token::Question,
            other => Token::Literal(other),
        })
        .collect()
}

/// Turns tokens back into text, wildcards written as `*`/`?` (for equality operators).
pub fn to_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Literal(c) => *c,
            Token::Star => '*',
            Token::Question => '?',
        })
        .collect()
}

/// Whether `text` matches the whole pattern. With `case_insensitive`, both
/// sides are compared lowercased.
pub fn matches(pattern: &[Token], text: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        let lowered: Vec<Token> = pattern
            .iter()
            .flat_map(|t| match t {
                Token::Literal(c) => c.to_lowercase().map(Token::Literal).collect::<Vec<_>>(),
                other => vec![*other],
            })
            .collect();
        let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        run(&lowered, &text, false)
    } else {
        let text: Vec<char> = text.chars().collect();
        run(pattern, &text, false)
    }
}

/// ARN matching as the IAM `Resource` element and `Arn*` conditions do it:
/// wildcards stay inside a colon-separated segment, except that a `*` which
/// ends a segment may run over colons ("Including wildcard characters in the
/// resource ARN" on
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>).
/// Case-sensitive.
pub fn matches_arn(pattern: &[Token], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    run(pattern, &text, true)
}

/// Dynamic-programming matcher over text positions.
fn run(pattern: &[Token], text: &[char], arn: bool) -> bool {
    // reachable[j]: the pattern prefix seen so far matches text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for (i, token) in pattern.iter().enumerate() {
        let mut next = vec![false; text.len() + 1];
        match token {
            Token::Star => {
                let crosses_colons =
                    !arn || matches!(pattern.get(i + 1), None | Some(Token::Literal(':')));
                next[0] = reachable[0];
                for j in 1..=text.len() {
                    let extend = next[j - 1] && (crosses_colons || text[j - 1] != ':');
                    next[j] = reachable[j] || extend;
                }
            }
            Token::Question => {
                for j in 1..=text.len() {
                    next[j] = reachable[j - 1] && !(arn && text[j - 1] == ':');
                }
            }
            Token::Literal(c) => {
                for j in 1..=text.len() {
                    next[j] = reachable[j - 1] && text[j - 1] == *c;
                }
            }
        }
        if !next.iter().any(|r| *r) {
            return false;
        }
        reachable = next;
    }
    reachable[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_wildcards() {
        // Action element: case-insensitive, * and ? wildcards
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
        let rows: &[(&str, &str, bool, bool)] = &[
            ("s3:*", "s3:GetObject", true, true),
            ("s3:Get*", "s3:getobject", true, true),
            ("S3:GETOBJECT", "s3:GetObject", true, true),
            ("s3:Get*", "s3:PutObject", true, false),
            ("s3:*Object", "s3:GetObject", true, true),
            ("s3:*Object", "s3:GetObjectAcl", true, false),
            ("s3:GetObjec?", "s3:GetObject", true, true),
            ("s3:GetObjec?", "s3:GetObjec", true, false),
            ("*", "", false, true),
            ("a*b*c", "aXXbYYc", false, true),
            ("a*b*c", "aXXbYY", false, false),
            ("abc", "ABC", false, false),
        ];
        for (pattern, text, ci, want) in rows {
            assert_eq!(
                matches(&tokens(pattern), text, *ci),
                *want,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn arn_segments() {
        let rows: &[(&str, &str, bool)] = &[
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", true),
            ("arn:aws:s3:::*", "arn:aws:s3:::bucket", true),
            (
                "arn:aws:iam::*:user/bob",
                "arn:aws:iam::123456789012:user/bob",
                true,
            ),
            (
                "arn:aws:iam::12345678901?:user/bob",
                "arn:aws:iam::123456789012:user/bob",
                true,
            ),
            ("arn:aws:s3:::b*t", "arn:aws:s3:::b:t", false),
            ("arn:aws:s3:::b?t", "arn:aws:s3:::b:t", false),
            ("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false),
            ("arn:aws:*", "arn:aws:s3:::bucket", true),
        ];
        for (pattern, text, want) in rows {
            assert_eq!(
                matches_arn(&tokens(pattern), text),
                *want,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn literal_tokens_do_not_wildcard() {
        let pattern = vec![Token::Literal('a'), Token::Literal('*')];
        assert!(matches(&pattern, "a*", false));
        assert!(!matches(&pattern, "ab", false));
    }
}
