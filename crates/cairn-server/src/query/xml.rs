//! Writing Query-protocol (IAM/STS) XML responses.

use quick_xml::escape::escape;

/// An XML document under construction; text is always escaped.
#[derive(Default)]
pub struct Xml(String);

impl Xml {
    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag);
        self.0.push_str(&escape(text));
        self.close(tag)
    }

    /// Escaped text with no element (for lists of plain strings inside `<member>`).
    pub fn leaf_text(&mut self, text: &str) -> &mut Self {
        self.0.push_str(&escape(text));
        self
    }

    pub fn opt_leaf(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.leaf(tag, t);
        }
        self
    }

    /// `<tag><member>…</member>…</tag>`, each member written by `f`.
    pub fn members<T>(
        &mut self,
        tag: &str,
        items: &[T],
        mut f: impl FnMut(&mut Xml, &T),
    ) -> &mut Self {
        self.open(tag);
        for item in items {
            self.open("member");
            f(self, item);
            self.close("member");
        }
        self.close(tag)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata>…`.
pub fn response(action: &str, namespace: &str, request_id: &str, result: Option<Xml>) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{namespace}\">"
    );
    if let Some(result) = result {
        out.push_str(&format!(
            "<{action}Result>{}</{action}Result>",
            result.into_string()
        ));
    }
    out.push_str(&format!(
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ));
    out
}

/// `<ErrorResponse>` as IAM and STS send it.
pub fn error(namespace: &str, kind: &str, code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{namespace}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        escape(code),
        escape(message)
    )
}

/// ISO 8601 with seconds, as IAM prints dates.
pub fn iso8601(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&format).unwrap_or_default()
}

/// IAM returns policy documents URL-encoded.
pub fn url_encode(doc: &str) -> String {
    form_urlencoded::byte_serialize(doc.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_dates_are_iso() {
        let mut x = Xml::default();
        x.leaf("UserName", "a<b&c");
        assert_eq!(x.into_string(), "<UserName>a&lt;b&amp;c</UserName>");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(url_encode("{\"a\": 1}"), "%7B%22a%22%3A%201%7D");
    }
}
