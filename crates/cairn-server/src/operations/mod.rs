//! Which AWS operations Cairn answers, as one table ([`table`]) that docs/compatibility.md's
//! operation list is rendered from ([`markdown`]). Tests keep it true: every operation of AWS's
//! models (`aws/*.txt`, written from botocore by scripts/aws-operations.py) has exactly one row,
//! and the rows marked supported or partial are exactly the operations the dispatchers route —
//! the S3 trait methods `s3::route!` implements, the arms of IAM's and STS's `match` on
//! `Action`, Access Analyzer's routes.

mod table;

pub use table::{ACCESS_ANALYZER, IAM, S3, STS};

/// How much of an operation Cairn does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Answered as AWS answers it (a note may still name a detail).
    Supported,
    /// Answered, but part of what AWS does is missing: the note says what.
    Partial,
    /// Not implemented: S3 answers 501 NotImplemented, the Query APIs InvalidAction.
    NotSupported,
}

impl Support {
    pub fn as_str(self) -> &'static str {
        match self {
            Support::Supported => "supported",
            Support::Partial => "partial",
            Support::NotSupported => "not supported",
        }
    }
}

/// One AWS operation.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// AWS's operation name, as in the API reference.
    pub name: &'static str,
    pub support: Support,
    pub note: &'static str,
    /// The operation whose handler answers this one, when it is another (a deprecated
    /// operation that sends the same request as its successor).
    pub handled_as: Option<&'static str>,
}

impl Row {
    /// The name of the handler that answers the operation.
    pub fn handler(&self) -> &'static str {
        self.handled_as.unwrap_or(self.name)
    }
}

/// The services of the table, with their name in AWS's models and their rows.
pub const SERVICES: &[(&str, &str, &[Row])] = &[
    ("S3", "s3", S3),
    ("IAM", "iam", IAM),
    ("STS", "sts", STS),
    ("IAM Access Analyzer", "accessanalyzer", ACCESS_ANALYZER),
];

/// The table as markdown: per service a count line and one row per operation.
pub fn markdown() -> String {
    let mut out = String::new();
    for (title, _, rows) in SERVICES {
        let count = |s| rows.iter().filter(|r| r.support == s).count();
        out.push_str(&format!(
            "### {title}\n\n{} operations: {} supported, {} partial, {} not supported.\n\n",
            rows.len(),
            count(Support::Supported),
            count(Support::Partial),
            count(Support::NotSupported),
        ));
        out.push_str("| operation | support | notes |\n|---|---|---|\n");
        for r in rows.iter() {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                r.name,
                r.support.as_str(),
                r.note
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
