//! The audit log (`--audit-log PATH`): one JSON line per request — when, who (principal ARN),
//! what (operation, action, resource), the decision and the statements that made it, from where,
//! and the HTTP status. Lines are appended by a dedicated thread (a request never waits on the
//! file) and flushed whenever the queue is empty, and at shutdown ([`AuditLog::close`]).

use crate::observe::{Check, Record};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;

pub struct AuditLog {
    tx: Mutex<Option<mpsc::Sender<String>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// One audit line.
#[derive(Serialize)]
pub struct Line<'a> {
    /// RFC 3339, UTC.
    pub time: String,
    pub request_id: &'a str,
    /// `*` for anonymous; absent when authentication failed.
    pub principal: Option<&'a str>,
    pub operation: Option<&'static str>,
    pub action: Option<&'a str>,
    pub resource: Option<&'a str>,
    /// `Allow`, `ExplicitDeny`, `ImplicitDeny`; absent when no authorization decision was made
    /// (authentication failed, or a request that needs none).
    pub decision: Option<&'static str>,
    /// The deciding statements (policy label, statement index, Sid, effect, kind of policy).
    pub statements: &'a [cairn_policy::MatchedStatement],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<&'static str>,
    pub source_ip: String,
    pub status: u16,
    /// Every decision of the request, when it took more than one (CopyObject, AssumeRole).
    #[serde(skip_serializing_if = "<[Check]>::is_empty")]
    pub checks: &'a [Check],
}

impl<'a> Line<'a> {
    pub fn new(
        record: &'a Record,
        request_id: &'a str,
        source: std::net::IpAddr,
        status: u16,
    ) -> Line<'a> {
        let deciding = record.deciding();
        Line {
            time: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            request_id,
            principal: record.principal.as_deref(),
            operation: record.operation,
            action: deciding.map(|c| c.action.as_str()),
            resource: deciding.map(|c| c.resource.as_str()),
            decision: deciding.map(|c| c.decision),
            statements: deciding.map_or(&[], |c| c.statements.as_slice()),
            decided_by: deciding.and_then(|c| c.by),
            source_ip: source.to_string(),
            status,
            checks: if record.checks.len() > 1 {
                &record.checks
            } else {
                &[]
            },
        }
    }
}

impl AuditLog {
    /// Opens (appending, mode 0600 when created) the file and starts its writer.
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        let (tx, rx) = mpsc::channel::<String>();
        let writer = std::thread::Builder::new()
            .name("cairn-audit".into())
            .spawn(move || {
                let mut out = std::io::BufWriter::new(file);
                while let Ok(line) = rx.recv() {
                    let mut result = out.write_all(line.as_bytes());
                    while let Ok(more) = rx.try_recv() {
                        result = result.and_then(|()| out.write_all(more.as_bytes()));
                    }
                    if let Err(e) = result.and_then(|()| out.flush()) {
                        tracing::error!(err = %e, "writing the audit log failed");
                    }
                }
            })?;
        Ok(AuditLog {
            tx: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Queues one line.
    pub fn record(&self, line: &Line<'_>) {
        let Ok(mut text) = serde_json::to_string(line) else {
            return;
        };
        text.push('\n');
        if let Ok(tx) = self.tx.lock()
            && let Some(tx) = tx.as_ref()
        {
            let _ = tx.send(text);
        }
    }

    /// Writes what is queued and stops the writer; later lines are dropped.
    pub fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Ok(mut w) = self.writer.lock()
            && let Some(handle) = w.take()
        {
            let _ = handle.join();
        }
    }
}
