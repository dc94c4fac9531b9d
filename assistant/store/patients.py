"""Patients and chart entries in the store: transactional import, search, load, notes, recents."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.errors import BadInputError, OrphanEntriesError
from assistant.records.domain import Entry, Note, Patient
from assistant.records.fhir_import import ParsedFile
from assistant.records.record import PatientRecord
from assistant.records.serde import entry_from_row, patient_from_row, to_jsonable

from .audit import AuditLog
from .types import Connection, Row, StoreContext, as_int, as_text, as_text_or_none, one, utcnow


@dataclass(frozen=True)
class PatientSummary:
    """One row of the patient list (no chart contents)."""

    id: str
    mrn: str
    name: str
    birth_date: str | None
    sex: str
    snippet: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "mrn": self.mrn, "name": self.name, "birth_date": self.birth_date,
                "sex": self.sex}


@dataclass
class ImportStats:
    """What one stored file added or updated."""

    patients_new: int = 0
    patients_updated: int = 0
    entries_new: int = 0
    entries_updated: int = 0
    by_type: Counter[str] = field(default_factory=Counter)


_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn typed text into an FTS5 prefix query: every word must match the start of a token."""
    tokens = _TOKEN.findall(text)
    return " ".join(f'"{t}"*' for t in tokens)


def _when(e: Entry) -> str | None:
    w = e.when
    return w.isoformat() if w else None


def _status(e: Entry) -> str:
    """The statuses an audit row names when an entry changes ('active/confirmed')."""
    parts = [getattr(e, name, "") for name in ("status", "clinical_status", "verification_status")]
    return "/".join(p for p in parts if p) or "-"


def _summary(r: Row, snippet: str = "") -> PatientSummary:
    """A list row from `SELECT id, mrn, name, birth_date, sex ...`."""
    return PatientSummary(as_text(r[0]), as_text(r[1]), as_text(r[2]), as_text_or_none(r[3]),
                          as_text(r[4]), snippet)


def _put_patient(conn: Connection, p: Patient, now: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO patients(id, mrn, name, birth_date, sex, data, updated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (p.id, p.mrn, p.name, p.birth_date.isoformat() if p.birth_date else None, p.sex,
         json.dumps(to_jsonable(p)), now))
    conn.execute("DELETE FROM search WHERE ref = ?", (p.ref,))
    conn.execute("INSERT INTO search(patient_id, ref, kind, text) VALUES (?, ?, 'patient', ?)",
                 (p.id, p.ref, " ".join([p.name, p.mrn, *(i.value for i in p.identifiers)])))


def _index_note(conn: Connection, n: Note) -> None:
    conn.execute("DELETE FROM search WHERE ref = ?", (n.ref,))
    conn.execute("INSERT INTO search(patient_id, ref, kind, text) VALUES (?, ?, 'note', ?)",
                 (n.patient_id, n.ref, f"{n.title}\n{n.text}"))


class Patients:
    """`store.patients`: import charts, find patients, open a chart (audited), add notes."""

    def __init__(self, ctx: StoreContext, audit: AuditLog) -> None:
        self._ctx = ctx
        self._audit = audit

    def import_parsed(self, parsed: ParsedFile, source: str = "") -> ImportStats:
        """Store one parsed file in one transaction: it lands whole or not at all."""
        stats = ImportStats()
        now = utcnow()
        with self._ctx.transaction() as conn:
            orphans = [pid for pid in sorted(parsed.outside_patients())
                       if not conn.execute("SELECT 1 FROM patients WHERE id = ?", (pid,)).fetchone()]
            if orphans:
                raise OrphanEntriesError(
                    f"{parsed.path}: entries refer to {len(orphans)} patient(s) that are neither in the "
                    "file nor in the database; nothing from this file was stored: import the file "
                    "that holds their Patient resource first")
            for p in parsed.patients:
                existed = conn.execute("SELECT 1 FROM patients WHERE id = ?", (p.id,)).fetchone()
                _put_patient(conn, p, now)
                if existed:
                    stats.patients_updated += 1
                else:
                    stats.patients_new += 1
            for e in parsed.entries:
                existed = conn.execute("SELECT 1 FROM entries WHERE ref = ?", (e.ref,)).fetchone()
                # Same FHIR id means the same entry: re-import replaces it, never duplicates it.
                conn.execute(
                    "INSERT OR REPLACE INTO entries(ref, patient_id, type, when_ts, data) VALUES (?, ?, ?, ?, ?)",
                    (e.ref, e.patient_id, e.resource_type, _when(e), json.dumps(to_jsonable(e))))
                if existed:
                    stats.entries_updated += 1
                else:
                    stats.entries_new += 1
                stats.by_type[e.resource_type] += 1
                if isinstance(e, Note):
                    _index_note(conn, e)
            patient_ids = sorted({p.id for p in parsed.patients} | {e.patient_id for e in parsed.entries})
            for pid in patient_ids:
                self._audit.record("chart.import", pid, f"{source} {len(parsed.entries)} entries")
        return stats

    # --- finding patients ------------------------------------------------------------------
    def count(self) -> int:
        return as_int(one(self._ctx.conn.execute("SELECT count(*) FROM patients"))[0])

    def resolve(self, key: str) -> str:
        """A patient id from an id, an MRN, or a name that matches exactly one patient."""
        conn = self._ctx.conn
        row = conn.execute("SELECT id FROM patients WHERE id = ? OR mrn = ?", (key, key)).fetchall()
        if len(row) == 1:
            return as_text(row[0][0])
        rows = conn.execute("SELECT id FROM patients WHERE lower(name) = lower(?)", (key,)).fetchall()
        if len(rows) == 1:
            return as_text(rows[0][0])
        if len(rows) > 1:
            raise BadInputError(f"{len(rows)} patients are named {key!r}; use the id or MRN")
        raise BadInputError(f"no patient with id, MRN or name {key!r}; see `assistant patients`")

    def recent(self, limit: int = 10) -> list[PatientSummary]:
        """The patients this account opened last, newest first."""
        rows = self._ctx.conn.execute(
            "SELECT p.id, p.mrn, p.name, p.birth_date, p.sex FROM recent r JOIN patients p "
            "ON p.id = r.patient_id WHERE r.user = ? ORDER BY r.opened DESC LIMIT ?",
            (self._ctx.account.name, limit))
        return [_summary(r) for r in rows]

    # --- charts ----------------------------------------------------------------------------
    def load_patient(self, patient_id: str) -> Patient:
        row = self._ctx.conn.execute("SELECT data FROM patients WHERE id = ?", (patient_id,)).fetchone()
        if row is None:
            raise BadInputError(f"no patient {patient_id!r}")
        return patient_from_row(json.loads(as_text(row[0])))

    def load_record(self, patient_id: str, audit: bool = True) -> PatientRecord:
        """The whole chart as one object; every open is audited."""
        patient = self.load_patient(patient_id)
        rows = self._ctx.conn.execute("SELECT type, data FROM entries WHERE patient_id = ?", (patient_id,))
        entries = [entry_from_row(as_text(t), json.loads(as_text(d))) for t, d in rows]
        if audit:
            with self._ctx.transaction() as conn:
                self._audit.record("chart.open", patient_id)
                conn.execute("INSERT OR REPLACE INTO recent(user, patient_id, opened) VALUES (?, ?, ?)",
                             (self._ctx.account.name, patient_id, utcnow()))
        return PatientRecord.build(patient, entries)

    def add_note(self, note: Note) -> Note:
        """Save a note written in the app (encrypted like everything else, indexed, audited)."""
        if not note.text.strip():
            raise BadInputError("a note needs some text")
        self.load_patient(note.patient_id)
        with self._ctx.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO entries(ref, patient_id, type, when_ts, data, origin) "
                         "VALUES (?, ?, ?, ?, ?, 'app')",
                         (note.ref, note.patient_id, note.resource_type, _when(note),
                          json.dumps(to_jsonable(note))))
            _index_note(conn, note)
            self._audit.record("note.add", note.patient_id, note.ref)
        return note

    def add_entries(self, entries: Sequence[Entry], action: str = "entry.add") -> None:
        """Store new entries made in the app, in one transaction, each audited."""
        self.write_entries(entries, (), action)

    def supersede(self, replaced: Sequence[Entry], new: Sequence[Entry], action: str = "entry.correct",
                  note: str = "") -> None:
        """Replace stored entries by new versions (a correction marks the old one entered-in-error,
        a stop or a resolve changes its status) and add the entries that supersede them: one
        transaction, one audit row per entry naming what it was and what it is now."""
        self.write_entries(new, replaced, action, note)

    def write_entries(self, new: Sequence[Entry], replaced: Sequence[Entry], action: str, note: str = "") -> None:
        if not new and not replaced:
            raise BadInputError("nothing to save")
        patients = {e.patient_id for e in (*new, *replaced)}
        for pid in patients:
            self.load_patient(pid)
        with self._ctx.transaction() as conn:
            for e in replaced:
                row = conn.execute("SELECT data FROM entries WHERE ref = ? AND patient_id = ?",
                                   (e.ref, e.patient_id)).fetchone()
                if row is None:
                    raise BadInputError(f"no entry {e.ref} in this patient's chart")
                before = entry_from_row(e.resource_type, json.loads(as_text(row[0])))
                conn.execute("UPDATE entries SET when_ts = ?, data = ? WHERE ref = ?",
                             (_when(e), json.dumps(to_jsonable(e)), e.ref))
                why = f": {note}" if note else ""  # the reason given, e.g. for entered-in-error
                self._audit.record(action, e.patient_id, f"{e.ref} {_status(before)} -> {_status(e)}{why}")
            for e in new:
                if conn.execute("SELECT 1 FROM entries WHERE ref = ?", (e.ref,)).fetchone():
                    raise BadInputError(f"an entry {e.ref} is already stored")
                conn.execute("INSERT INTO entries(ref, patient_id, type, when_ts, data, origin) "
                             "VALUES (?, ?, ?, ?, ?, 'app')",
                             (e.ref, e.patient_id, e.resource_type, _when(e), json.dumps(to_jsonable(e))))
                detail = f"{e.ref} supersedes {e.supersedes}" if e.supersedes else e.ref
                self._audit.record(action, e.patient_id, detail)

    # Last in the class: below it, `list` would name this method rather than the type.
    def list(self, search: str = "", limit: int = 500) -> list[PatientSummary]:
        """All patients by name, or those whose name, MRN, identifiers or note text match `search`."""
        conn = self._ctx.conn
        cols = "p.id, p.mrn, p.name, p.birth_date, p.sex"
        query = fts_query(search)
        if not query:
            rows = conn.execute(f"SELECT {cols}, '' FROM patients p ORDER BY p.name LIMIT ?", (limit,))
            return [_summary(r, as_text(r[5])) for r in rows]
        hits = conn.execute(
            "SELECT patient_id, kind, snippet(search, 3, '[', ']', '…', 8) FROM search "
            "WHERE search MATCH ? ORDER BY rank LIMIT ?", (f"text : ({query})", limit * 4)).fetchall()
        # Name/MRN hits first, then patients found through their notes (with the matching words).
        best: dict[str, str] = {}
        for pid, kind, snip in sorted(hits, key=lambda h: h[1] != "patient"):
            best.setdefault(as_text(pid), "" if kind == "patient" else as_text(snip))
        if not best:
            return []
        marks = ",".join("?" * len(best))
        found = {s.id: s for s in map(_summary, conn.execute(
            f"SELECT {cols} FROM patients p WHERE p.id IN ({marks})", list(best)))}
        ordered = sorted(found, key=lambda pid: (best[pid] != "", found[pid].name.lower()))[:limit]
        # Note snippets are chart text: showing them is audited like opening the chart, one row per
        # patient. The term stays in the detail, which is encrypted at rest with the rest of the log:
        # a hash of a name or a diagnosis would be reversed by guessing, and the reviewer needs it.
        with self._ctx.transaction():
            for pid in ordered:
                if best[pid]:
                    self._audit.record("search.snippets", pid, f"term {search!r}")
        return [replace(found[pid], snippet=best[pid]) for pid in ordered]
