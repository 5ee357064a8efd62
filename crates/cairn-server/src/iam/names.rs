//! IAM's rules for names, paths and ids, with its ValidationError wording.

use crate::query::QueryError;
use rand::Rng;

/// `1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: …`.
pub fn validation(value: &str, field: &str, constraint: &str) -> QueryError {
    QueryError::bad_request(
        "ValidationError",
        format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
        ),
    )
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// User, group, role and policy names: `[\w+=,.@-]+` up to `max` characters.
pub fn check_name(value: &str, field: &str, max: usize) -> Result<(), QueryError> {
    if value.is_empty() || value.chars().count() > max {
        return Err(validation(
            value,
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    if !value.chars().all(name_char) {
        return Err(validation(
            value,
            field,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ));
    }
    Ok(())
}

/// Paths: `/` alone or `/…/`, printable ASCII, up to 512 characters.
pub fn check_path(value: &str, field: &str) -> Result<(), QueryError> {
    let ok = value.starts_with('/')
        && value.ends_with('/')
        && value.len() <= 512
        && value.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    if ok {
        Ok(())
    } else {
        Err(validation(
            value,
            field,
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ))
    }
}

/// A unique id with AWS's prefix (`AIDA`, `AGPA`, `ANPA`, `AROA`): 21 upper-case characters.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::thread_rng();
    let tail: String = (0..17)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_follow_iam_rules() {
        assert!(check_name("kpsync-user", "userName", 64).is_ok());
        assert!(check_name("a+b=c,d.e@f_g-h", "userName", 64).is_ok());
        assert!(check_name("has space", "userName", 64).is_err());
        assert!(check_name(&"x".repeat(65), "userName", 64).is_err());
        assert!(check_name("", "userName", 64).is_err());
        assert!(check_path("/", "path").is_ok());
        assert!(check_path("/division/team/", "path").is_ok());
        assert!(check_path("division", "path").is_err());
        assert!(check_path("/no-trailing", "path").is_err());
        assert_eq!(new_id("AIDA").len(), 21);
    }
}
