"""Database schema as forward migrations; `meta.schema_version` says how far a file has come."""

from __future__ import annotations

from collections.abc import Callable

from assistant.errors import DatabaseError

from .types import Connection, as_text

# Each migration runs once, in order, inside the transaction that bumps schema_version.
# Never edit a released migration: append a new one.
MIGRATIONS: list[str | Callable[[Connection], None]] = [
    # 1: accounts, patients, entries, search index, audit log
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        display_name TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('clinician', 'admin')),
        disabled INTEGER NOT NULL DEFAULT 0,
        created TEXT NOT NULL,
        password_changed TEXT NOT NULL
    );
    CREATE TABLE patients (
        id TEXT PRIMARY KEY,
        mrn TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        birth_date TEXT,
        sex TEXT NOT NULL DEFAULT 'unknown',
        data TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX patients_mrn ON patients(mrn);
    CREATE TABLE entries (
        ref TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        type TEXT NOT NULL,
        when_ts TEXT,
        data TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'import'
    );
    CREATE INDEX entries_patient ON entries(patient_id, type);
    CREATE VIRTUAL TABLE search USING fts5(
        patient_id UNINDEXED, ref UNINDEXED, kind UNINDEXED, text,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        patient_id TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    -- Append-only: the application never updates or deletes audit rows. The hash chain catches
    -- anyone who drops these triggers and edits rows anyway.
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TABLE recent (
        user TEXT NOT NULL, patient_id TEXT NOT NULL, opened TEXT NOT NULL,
        PRIMARY KEY (user, patient_id)
    );
    """,
    # 2: the app's own documents (care plans, saved summaries), versioned
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        series TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        created TEXT NOT NULL,
        created_by TEXT NOT NULL,
        signed_by TEXT,
        signed_at TEXT,
        supersedes TEXT,
        UNIQUE (series, version)
    );
    CREATE INDEX documents_patient ON documents(patient_id, kind);
    -- Signed and superseded versions are read-only; the only change allowed is signed -> superseded.
    CREATE TRIGGER documents_signed_readonly BEFORE UPDATE ON documents
        WHEN OLD.status IN ('signed', 'superseded') AND (NEW.data IS NOT OLD.data
            OR NEW.signed_by IS NOT OLD.signed_by OR NEW.signed_at IS NOT OLD.signed_at
            OR NOT (NEW.status = OLD.status OR NEW.status = 'superseded'))
        BEGIN SELECT RAISE(ABORT, 'a signed document is read-only; create a new version'); END;
    CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
        WHEN OLD.status IN ('signed', 'superseded')
        BEGIN SELECT RAISE(ABORT, 'a signed document cannot be deleted'); END;
    """,
    # 3: signed audit rows (who signed: 'user', 'system', '' before signing) and each account's
    # public signing key; rows from before stay unsigned and are reported as such
    """
    ALTER TABLE audit ADD COLUMN signer TEXT NOT NULL DEFAULT '';
    ALTER TABLE audit ADD COLUMN sig TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN sign_key TEXT NOT NULL DEFAULT '';
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    row = conn.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone()
    if row is None:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(as_text(row[0])) if row else 0


def migrate(conn: Connection) -> int:
    """Apply pending migrations; refuse a file written by a newer version of the app."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"the database has schema version {version}, newer than this app "
                            f"understands ({SCHEMA_VERSION}); upgrade the app")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        step = MIGRATIONS[number - 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if callable(step):
                step(conn)
            else:
                for statement in _split(step):
                    conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                         (str(number),))
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _split(script: str) -> list[str]:
    # executescript() would commit our transaction; split on statement ends instead, keeping
    # trigger bodies (which contain ';') whole.
    out, buf = [], []
    for line in script.strip().splitlines():
        if line.strip().startswith("--"):
            continue
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and (not joined.upper().startswith("CREATE TRIGGER")
                                     or joined.upper().endswith("END;")):
            out.append(joined)
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out
