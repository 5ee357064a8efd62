//! Reasoning about wildcard patterns as sets of strings, which the checks need beyond matching
//! one text: does `s3:*` include `s3:Get*` (a redundant action)? can `arn:aws:s3:::logs*` name
//! an object (an ARN format with `${…}` parts)?
//!
//! `*` stands for any run of characters and `?` for one, as in [`crate::glob`]; the
//! segment-bound `*` of ARN matching is not modelled, which only makes the answers a little
//! more generous (a check may stay silent where AWS would speak, never the reverse).

use crate::glob::{self, Token};

/// The largest comparison table built (pattern length × pattern length); longer patterns are
/// not compared, and the checks that ask stay silent about them.
const MAX_CELLS: usize = 1 << 22;

/// A bottom-up table over two token lists: `cell(i, j)` is decided from the cells right of
/// and below it, so no recursion (a long pattern cannot exhaust the stack). `None` when the
/// table would be too large.
fn table<A, B>(
    a: &[A],
    b: &[B],
    step: impl Fn(usize, usize, &dyn Fn(usize, usize) -> bool) -> bool,
) -> Option<bool> {
    let width = b.len() + 1;
    let cells = (a.len() + 1).checked_mul(width)?;
    if cells > MAX_CELLS {
        return None;
    }
    let mut t = vec![false; cells];
    for i in (0..=a.len()).rev() {
        for j in (0..=b.len()).rev() {
            let value = {
                let get = |x: usize, y: usize| t.get(x * width + y).copied().unwrap_or(false);
                step(i, j, &get)
            };
            t[i * width + j] = value;
        }
    }
    t.first().copied()
}

/// Whether every text `specific` matches is also matched by `general`.
pub(super) fn covers(general: &str, specific: &str, case_insensitive: bool) -> bool {
    let g = tokens(general, case_insensitive);
    let s = tokens(specific, case_insensitive);
    table(&g, &s, |i, j, at| match (g.get(i), s.get(j)) {
        (None, None) => true,
        // A `*` of the general pattern absorbs nothing, or one more token of the specific one.
        (Some(Token::Star), _) => at(i + 1, j) || (j < s.len() && at(i, j + 1)),
        // Only a `*` covers a `*`; a `?` covers one character, literal or `?`.
        (Some(Token::Question), Some(Token::Literal(_) | Token::Question)) => at(i + 1, j + 1),
        (Some(Token::Literal(a)), Some(Token::Literal(b))) if a == b => at(i + 1, j + 1),
        _ => false,
    })
    .unwrap_or(false)
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
    table(a, b, |i, j, at| {
        match (a.get(i).copied(), b.get(j).copied()) {
            (None, None) => true,
            (Some(Tok::Any), _) => at(i + 1, j) || (j < b.len() && at(i, j + 1)),
            (_, Some(Tok::Any)) => at(i, j + 1) || (i < a.len() && at(i + 1, j)),
            (Some(Tok::Name), other) => {
                at(i + 1, j)
                    || (other.is_some_and(|t| t == Tok::Name || name_char(t)) && at(i, j + 1))
            }
            (other, Some(Tok::Name)) => {
                at(i, j + 1) || (other.is_some_and(name_char) && at(i + 1, j))
            }
            (Some(x), Some(y)) => (x == Tok::One || y == Tok::One || x == y) && at(i + 1, j + 1),
            _ => false,
        }
    })
    // Too long to compare: assume it may overlap, so no finding is made up.
    .unwrap_or(true)
}

/// Whether a single-character token can stand for a character a `Name` part may hold.
fn name_char(t: Tok) -> bool {
    matches!(t, Tok::One) || matches!(t, Tok::Lit(c) if c != '/')
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
