//! The form parameters of a Query API call.

use std::collections::HashMap;

/// Decoded `key=value` pairs of the body (and query string).
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(body: &[u8], query: Option<&str>) -> Params {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .chain(form_urlencoded::parse(body))
        {
            map.insert(k.into_owned(), v.into_owned());
        }
        Params(map)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `Name.member.1`, `Name.member.2`, … in order.
    pub fn list(&self, name: &str) -> Vec<String> {
        (1..)
            .map_while(|i| self.0.get(&format!("{name}.member.{i}")).cloned())
            .collect()
    }

    /// `Tags.member.N.Key` / `.Value` pairs.
    pub fn tags(&self, name: &str) -> Vec<(String, String)> {
        (1..)
            .map_while(|i| {
                let k = self.0.get(&format!("{name}.member.{i}.Key"))?;
                let v = self
                    .0
                    .get(&format!("{name}.member.{i}.Value"))
                    .cloned()
                    .unwrap_or_default();
                Some((k.clone(), v))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_tags_follow_the_member_convention() {
        let p = Params::parse(
            b"Action=TagUser&UserName=a&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&TagKeys.member.1=x&TagKeys.member.2=y",
            Some("Version=2010-05-08"),
        );
        assert_eq!(p.get("Action"), Some("TagUser"));
        assert_eq!(p.get("Version"), Some("2010-05-08"));
        assert_eq!(
            p.tags("Tags"),
            vec![("k1".into(), "v1".into()), ("k2".into(), String::new())]
        );
        assert_eq!(p.list("TagKeys"), vec!["x".to_string(), "y".to_string()]);
    }
}
