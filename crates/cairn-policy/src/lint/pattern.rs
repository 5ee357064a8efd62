//! Reasoning about wildcard patterns as sets of strings, which the checks need beyond matching
//! one text: does `s3:*` include `s3:Get*` (a redundant action)? can `arn:aws:s3:::logs*` name
//! an object (an ARN format with `${…}` parts)?
//!
//! `*` stands for any run of characters and `?` for one, as in [`crate::glob`]; the
//! segment-bound `*` of ARN matching is not modelled, which only makes the answers a little
//! more generous (a check may stay silent where AWS would speak, never the reverse).

use crate::glob::{self, Token};

/// Whether every text `specific` matches is also matched by `general`.
pub(super) fn covers(general: &str, specific: &str, case_insensitive: bool) -> bool {
    let g = tokens(general, case_insensitive);
    let s = tokens(specific, case_insensitive);
    let mut memo = vec![None; (g.len() + 1) * (s.len() + 1)];
    covers_at(&g, &s, 0, 0, &mut memo)
}

fn covers_at(g: &[Token], s: &[Token], i: usize, j: usize, memo: &mut [Option<bool>]) -> bool {
    let slot = i * (s.len() + 1) + j;
    if let Some(known) = memo[slot] {
        return known;
    }
    let result = match (g.get(i), s.get(j)) {
        (None, None) => true,
        // A `*` of the general pattern absorbs nothing, or one more token of the specific one.
        (Some(Token::Star), _) => {
            covers_at(g, s, i + 1, j, memo) || (j < s.len() && covers_at(g, s, i, j + 1, memo))
        }
        // Only a `*` covers a `*`; a `?` covers one character, literal or `?`.
        (Some(Token::Question), Some(Token::Literal(_) | Token::Question)) => {
            covers_at(g, s, i + 1, j + 1, memo)
        }
        (Some(Token::Literal(a)), Some(Token::Literal(b))) if a == b => {
            covers_at(g, s, i + 1, j + 1, memo)
        }
        _ => false,
    };
    memo[slot] = Some(result);
    result
}

/// One element of a pattern when two are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `*`: any run of characters.
    Any,
    /// `?`: one character.
    One,
    /// A `${…}` part of an ARN format that names one thing (`${BucketName}`): any run of
    /// characters without a `/`.
    Name,
}

fn toks(text: &str) -> Vec<Tok> {
    text.chars()
        .map(|c| match c {
            '*' => Tok::Any,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// Whether some ARN both matches `pattern` and has the shape of an ARN format of the Service
/// Authorization Reference (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). Parts that
/// are paths (`${ObjectName}`, `${…WithPath}`, `${EntityPath}`) may hold `/`; the others may not.
pub(super) fn overlaps_format(pattern: &str, format: &str) -> bool {
    let mut f = Vec::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        f.extend(toks(&rest[..start]));
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + end];
        let path = name == "ObjectName" || name.ends_with("WithPath") || name.ends_with("Path");
        f.push(if path { Tok::Any } else { Tok::Name });
        rest = &rest[start + end + 1..];
    }
    f.extend(toks(rest));
    overlap_toks(&toks(pattern), &f)
}

fn overlap_toks(a: &[Tok], b: &[Tok]) -> bool {
    let mut memo = vec![None; (a.len() + 1) * (b.len() + 1)];
    overlaps_at(a, b, 0, 0, &mut memo)
}

/// Whether a single-character token can stand for a character a `Name` part may hold.
fn name_char(t: Tok) -> bool {
    matches!(t, Tok::One) || matches!(t, Tok::Lit(c) if c != '/')
}

fn overlaps_at(a: &[Tok], b: &[Tok], i: usize, j: usize, memo: &mut [Option<bool>]) -> bool {
    let slot = i * (b.len() + 1) + j;
    if let Some(known) = memo[slot] {
        return known;
    }
    let result = match (a.get(i).copied(), b.get(j).copied()) {
        (None, None) => true,
        (Some(Tok::Any), _) => {
            overlaps_at(a, b, i + 1, j, memo) || (j < b.len() && overlaps_at(a, b, i, j + 1, memo))
        }
        (_, Some(Tok::Any)) => {
            overlaps_at(a, b, i, j + 1, memo) || (i < a.len() && overlaps_at(a, b, i + 1, j, memo))
        }
        (Some(Tok::Name), other) => {
            overlaps_at(a, b, i + 1, j, memo)
                || (other.is_some_and(|t| t == Tok::Name || name_char(t))
                    && overlaps_at(a, b, i, j + 1, memo))
        }
        (other, Some(Tok::Name)) => {
            overlaps_at(a, b, i, j + 1, memo)
                || (other.is_some_and(name_char) && overlaps_at(a, b, i + 1, j, memo))
        }
        (Some(x), Some(y)) => {
            let one = x == Tok::One || y == Tok::One || x == y;
            one && overlaps_at(a, b, i + 1, j + 1, memo)
        }
        _ => false,
    };
    memo[slot] = Some(result);
    result
}

/// A policy value with its policy variables (`${aws:username}`) read as `*`: what the
/// variable stands for is unknown until a request comes.
pub(super) fn without_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push('*');
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn tokens(text: &str, case_insensitive: bool) -> Vec<Token> {
    if case_insensitive {
        glob::tokens(&text.to_lowercase())
    } else {
        glob::tokens(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_rows() {
        let rows: &[(&str, &str, bool)] = &[
            ("s3:*", "s3:GetObject", true),
            ("s3:*", "s3:Get*", true),
            ("s3:Get*", "s3:*", false),
            ("s3:Get*", "s3:GetObject", true),
            ("S3:GET*", "s3:getobject", true),
            ("s3:Get?bject", "s3:GetObject", true),
            ("s3:Get?bject", "s3:Get*bject", false),
            ("*", "anything:at*all", true),
            ("s3:GetObject", "s3:GetObject", true),
            ("s3:GetObject", "s3:GetObjectAcl", false),
            ("arn:aws:s3:::b*", "arn:aws:s3:::b/*", true),
        ];
        for (g, s, want) in rows {
            assert_eq!(covers(g, s, true), *want, "{g} ⊇ {s}");
        }
        assert!(!covers("arn:aws:s3:::B*", "arn:aws:s3:::b", false));
    }

    #[test]
    fn overlap_rows() {
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let user = "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}";
        let rows: &[(&str, &str, bool)] = &[
            ("arn:aws:s3:::bucket", object, false),
            ("arn:aws:s3:::bucket", bucket, true),
            ("arn:aws:s3:::bucket/*", object, true),
            ("arn:aws:s3:::bucket/*", bucket, false),
            ("arn:aws:s3:::bucket*", object, true),
            ("arn:aws:s3:::bucket?x", object, true),
            ("*", object, true),
            ("arn:aws:iam::123456789012:user/*", user, true),
            ("arn:aws:iam::123456789012:user/team/bob", user, true),
            ("arn:aws:iam::123456789012:usr/x", user, false),
        ];
        for (a, f, want) in rows {
            assert_eq!(overlaps_format(a, f), *want, "{a} ∩ {f}");
        }
        assert!(overlap_toks(&toks("a?c"), &toks("*b*")));
        assert!(!overlap_toks(&toks("abc"), &toks("a?d")));
        assert_eq!(
            without_variables("arn:aws:iam::1:user/${aws:username}"),
            "arn:aws:iam::1:user/*"
        );
    }
}
