//! SigV4 on the Query API: parsing the Authorization header and canonicalising a request (path,
//! query, headers) to verify it. Never a panic, whatever the header, URI or body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.splitn(4, '\n');
    let (auth, uri, headers, body) = (
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
        fields.next().unwrap_or_default(),
    );
    let Ok(parsed) = cairn_server::query::sigv4::parse_auth_header(auth) else {
        return;
    };
    let mut req = http::Request::builder().method("POST").uri(if uri.is_empty() { "/" } else { uri });
    req = req.header("x-amz-date", "20261125T100000Z");
    for line in headers.split(';') {
        if let Some((k, v)) = line.split_once(':') {
            req = req.header(k, v);
        }
    }
    let Ok(req) = req.body(()) else {
        return;
    };
    let (parts, ()) = req.into_parts();
    let _ = cairn_server::query::sigv4::verify(&parts, body.as_bytes(), &parsed, "secret");
});
