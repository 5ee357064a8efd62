//! The Query protocol's form parser (IAM/STS): body and query string, lists and tag maps.
#![no_main]

use cairn_server::query::params::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (body, query) = data.split_at(split);
    let query = std::str::from_utf8(query).ok();
    let params = Params::parse(body, query);
    let _ = params.get("Action");
    let _ = params.list("ClientIDList.member");
    let _ = params.list("PolicyArns.member");
    let _ = params.tags("Tags.member");
});
