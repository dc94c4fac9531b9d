"""`store.audit`: append rows as the signed-in person (hash-linked, signed, witnessed), list them."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..types import Connection, StoreContext, as_int, as_text, utcnow
from . import witness
from .chain import GENESIS, RECOVERY_AUTHOR, AuditCheck, AuditEvent, digest, event
from .signing import Signer, enrol_detail, load_system_signer, new_system_signer, user_signer
from .verify import verify_log

LOG_ID_META = "audit_witness_id"


class AuditLog:
    """Append events as the signed-in account, list them, verify chain, signatures and witness."""

    def __init__(self, ctx: StoreContext, signing_key: Ed25519PrivateKey | None = None,
                 witness_config: witness.WitnessConfig | None = None, via_recovery: bool = False) -> None:
        self._ctx = ctx
        # Rows written with the recovery key name no person: no person's key can sign them.
        self._author = RECOVERY_AUTHOR if via_recovery else ctx.account.name
        self._signer = user_signer(signing_key) if signing_key is not None and not via_recovery else None
        self._witness = witness_config
        self._unwitnessed = 0  # rows this session appended since its last witness line

    def record(self, action: str, patient_id: str = "", detail: str = "") -> None:
        """Append one event (who, what, which chart, when). Joins the caller's transaction if any."""
        with self._ctx.transaction() as conn:
            self._start(conn)
            if self._signer is not None:
                self._enrol_self(conn, self._signer)
            self._append(conn, action, patient_id, detail, self._signer or self._system(conn))

    def enrol(self, subject: str, public: str) -> None:
        """Record another account's new signing key (an admin creating or resetting the account), and
        keep it with the account. Joins the caller's transaction."""
        with self._ctx.transaction() as conn:
            self._start(conn)
            if self._signer is not None:
                self._enrol_self(conn, self._signer)
            self._append(conn, "key.enrol", "", enrol_detail(subject, public),
                         self._signer or self._system(conn))
            conn.execute("UPDATE users SET sign_key = ? WHERE name = ?", (public, subject))

    def restart_witness(self, reason: str) -> None:
        """Start witnessing under a new log id (after a restore the old witness lines describe the
        displaced log, not this one). The row that says so is signed like any other: a clinician's
        restart is reported by `audit verify`."""
        with self._ctx.transaction() as conn:
            self._start(conn)
            log_id = secrets.token_hex(8)
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (LOG_ID_META, log_id))
            if self._signer is not None:
                self._enrol_self(conn, self._signer)
            self._append(conn, "audit.witness", "", f"witness {log_id}: {reason}",
                         self._signer or self._system(conn))

    def events(self, patient_id: str | None = None, limit: int = 100,
               user: str | None = None) -> list[AuditEvent]:
        """The newest events first, of one chart or of all, of one account or of all."""
        sql = "SELECT seq, ts, user, action, patient_id, detail, hash FROM audit"
        where = [(c, v) for c, v in (("patient_id", patient_id), ("user", user)) if v]
        args: tuple[object, ...] = tuple(v for _, v in where)
        if where:
            sql += " WHERE " + " AND ".join(f"{c} = ?" for c, _ in where)
        sql += " ORDER BY seq DESC LIMIT ?"
        rows = self._ctx.conn.execute(sql, (*args, limit)).fetchall()
        return [event(r) for r in rows]

    def verify(self, witness: bool = True) -> AuditCheck:
        """Chain, signatures, enrolled keys and (unless `witness` is False) the witness file."""
        return verify_log(self._ctx.conn, self._witness if witness else None)

    # --- witnessing ----------------------------------------------------------------------------
    def after_commit(self) -> None:
        """Called by the store after each commit: witness the head every `audit.witness_every` rows."""
        if self._witness is not None and self._unwitnessed >= self._witness.every:
            self.witness_now()

    def witness_into(self, config: witness.WitnessConfig) -> None:
        """Witness into another file from now on: a staged restore's rows are witnessed where the
        database it becomes is witnessed."""
        self._witness = config

    def witness_now(self) -> None:
        """Witness the committed head (at close, and at intervals), if this session added rows."""
        config = self._witness
        if config is None or not self._unwitnessed:
            return
        conn = self._ctx.conn
        head = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        log_id = conn.execute("SELECT value FROM meta WHERE key = ?", (LOG_ID_META,)).fetchone()
        if head is None or log_id is None:
            return
        witness.append(config, witness.now_record(as_text(log_id[0]), as_int(head[0]),
                                                         as_text(head[1])))
        self._unwitnessed = 0

    # --- writing -----------------------------------------------------------------------------
    def _start(self, conn: Connection) -> None:
        """The first row of a log that signs: the system key and the witness id it uses. Rows before
        it (a database from before signing existed) are reported as unsigned, not as failures."""
        if conn.execute("SELECT 1 FROM meta WHERE key = ?", (LOG_ID_META,)).fetchone():
            return
        system = new_system_signer(conn)
        log_id = secrets.token_hex(8)
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (LOG_ID_META, log_id))
        self._append(conn, "audit.signing", "", f"signing on; system {system.public}; witness {log_id}",
                     system, author="system")

    def _system(self, conn: Connection) -> Signer:
        signer = load_system_signer(conn)
        if signer is None:
            raise AssertionError("the audit log has no system key after it started signing")
        return signer

    def _enrol_self(self, conn: Connection, signer: Signer) -> None:
        """An account from before signing enrols the key it got at sign-in, signed by that key."""
        row = conn.execute("SELECT sign_key FROM users WHERE name = ?", (self._author,)).fetchone()
        if row is not None and row[0] != signer.public:
            self._append(conn, "key.enrol", "", enrol_detail(self._author, signer.public), signer)
            conn.execute("UPDATE users SET sign_key = ? WHERE name = ?", (signer.public, self._author))

    def _append(self, conn: Connection, action: str, patient_id: str, detail: str, signer: Signer,
                author: str | None = None) -> None:
        user = self._author if author is None else author
        row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (as_int(row[0]) + 1, row[1]) if row else (1, GENESIS)
        ts = utcnow()
        h = digest(prev, seq, ts, user, action, patient_id, detail)
        conn.execute("INSERT INTO audit(seq, ts, user, action, patient_id, detail, prev_hash, hash, signer,"
                     " sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (seq, ts, user, action, patient_id, detail, prev, h, signer.kind, signer.sign(h)))
        # The head is kept apart from the rows so that deleting the newest rows is caught too.
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head', ?)", (f"{seq}:{h}",))
        self._unwitnessed += 1
