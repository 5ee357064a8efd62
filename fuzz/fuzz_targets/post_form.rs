//! The POST object form scanner the router runs ahead of s3s: boundary, then the form's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (boundary, body) = data.split_at(split);
    let Ok(boundary) = std::str::from_utf8(boundary) else {
        return;
    };
    cairn_server::s3::post_form::fuzz_parse(body.get(1..).unwrap_or_default(), boundary);
});
