//! The one schema both backends share. `{BYTES}` marks text columns that must sort by bytes:
//! SQLite's default BINARY collation already does; PostgreSQL needs `COLLATE "C"`.
//!
//! Migrations are append-only: a database records how many have run in `cairn_settings`.

/// Each entry is one migration: statements separated by `;`.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE IF NOT EXISTS cairn_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    created BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_enc TEXT NOT NULL,
    account_id TEXT NOT NULL,
    user_name TEXT,
    status TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS buckets (
    name TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    created BIGINT NOT NULL,
    object_ownership TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS buckets_by_account ON buckets (account_id, name);
CREATE TABLE IF NOT EXISTS bucket_configs (
    bucket TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (bucket, kind)
);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    object_key TEXT {BYTES} NOT NULL,
    version_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    layout TEXT NOT NULL,
    attrs TEXT NOT NULL,
    tags TEXT NOT NULL,
    PRIMARY KEY (bucket, object_key)
);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    object_key TEXT {BYTES} NOT NULL,
    initiated BIGINT NOT NULL,
    attrs TEXT NOT NULL,
    tags TEXT NOT NULL,
    initiator TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, object_key, initiated, upload_id);
CREATE TABLE IF NOT EXISTS upload_parts (
    upload_id TEXT NOT NULL,
    part_number BIGINT NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    blob TEXT NOT NULL,
    checksums TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
)
"#,
    r#"
CREATE TABLE IF NOT EXISTS iam_entities (
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    path TEXT NOT NULL,
    created BIGINT NOT NULL,
    attrs TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, name_key)
);
CREATE TABLE IF NOT EXISTS iam_inline_policies (
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_key TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, name_key, policy_name)
);
CREATE TABLE IF NOT EXISTS iam_attachments (
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_key TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, name_key, policy_arn)
);
CREATE INDEX IF NOT EXISTS iam_attachments_by_policy ON iam_attachments (policy_arn);
CREATE TABLE IF NOT EXISTS iam_group_members (
    account_id TEXT NOT NULL,
    group_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    PRIMARY KEY (account_id, group_key, user_key)
);
CREATE INDEX IF NOT EXISTS iam_group_members_by_user ON iam_group_members (account_id, user_key);
CREATE TABLE IF NOT EXISTS iam_policies (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    id TEXT NOT NULL,
    path TEXT NOT NULL,
    description TEXT,
    default_version TEXT NOT NULL,
    next_version BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS iam_policy_versions (
    arn TEXT NOT NULL,
    version_id TEXT NOT NULL,
    document TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (arn, version_id)
);
CREATE INDEX IF NOT EXISTS access_keys_by_user ON access_keys (account_id, user_name)
"#,
    r#"
ALTER TABLE accounts ADD COLUMN name TEXT
"#,
    r#"
CREATE TABLE IF NOT EXISTS object_versions (
    bucket TEXT NOT NULL,
    object_key TEXT {BYTES} NOT NULL,
    version_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    delete_marker BIGINT NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    layout TEXT NOT NULL,
    attrs TEXT NOT NULL,
    tags TEXT NOT NULL,
    PRIMARY KEY (bucket, object_key, version_id)
);
CREATE INDEX IF NOT EXISTS object_versions_by_seq ON object_versions (bucket, object_key, seq)
"#,
    r#"
CREATE TABLE IF NOT EXISTS sts_sessions (
    access_key_id TEXT PRIMARY KEY,
    secret_enc TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    session_name TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    attrs TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sts_sessions_by_expiry ON sts_sessions (expires);
CREATE TABLE IF NOT EXISTS oidc_providers (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    url TEXT NOT NULL,
    attrs TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS oidc_providers_by_account ON oidc_providers (account_id, arn)
"#,
    r#"
CREATE TABLE IF NOT EXISTS access_key_usage (
    access_key_id TEXT PRIMARY KEY,
    used BIGINT NOT NULL,
    service TEXT NOT NULL,
    region TEXT NOT NULL
)
"#,
    r#"
CREATE TABLE IF NOT EXISTS login_profiles (
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    reset_required BIGINT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (account_id, user_id)
)
"#,
];
