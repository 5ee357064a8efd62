//! The console's files, embedded in the binary at build time (plain HTML, CSS and JavaScript
//! modules: no build step, nothing to install to run it).

macro_rules! assets {
    ($(($path:literal, $type:literal)),* $(,)?) => {
        const ASSETS: &[(&str, &str, &[u8])] = &[
            $(($path, $type, include_bytes!(concat!("assets", $path))),)*
        ];
    };
}

assets![
    ("/index.html", "text/html; charset=utf-8"),
    ("/console.css", "text/css; charset=utf-8"),
    ("/favicon.svg", "image/svg+xml"),
    ("/js/sigv4.js", "text/javascript; charset=utf-8"),
    ("/js/api.js", "text/javascript; charset=utf-8"),
    ("/js/ui.js", "text/javascript; charset=utf-8"),
    ("/js/app.js", "text/javascript; charset=utf-8"),
    ("/js/policy_editor.js", "text/javascript; charset=utf-8"),
    ("/js/s3.js", "text/javascript; charset=utf-8"),
    ("/js/iam.js", "text/javascript; charset=utf-8"),
];

/// The file at `path` (below the prefix; `/` is the page), with its content type.
pub fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    let path = if path == "/" { "/index.html" } else { path };
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, t, b)| (*t, *b))
}
