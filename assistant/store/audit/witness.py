"""The witness: the audit head (row count, head hash, time) appended outside the database.

Whoever can write the database can rewrite their own newest rows and sign them again with their own
key; what they cannot do is take back a line already appended to a file they may not rewrite, or a
message already in the system log. Lines hold no patient data. Where the file lies is the site's
choice (`audit.witness_path`): beside the database by default, where it only catches mistakes and
careless edits; a root-owned file with mode 0622 and `chattr +a` (append-only) is what makes it
evidence against account holders.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from ..types import utcnow

log = logging.getLogger(__name__)
WITNESS_SUFFIX = ".audit-witness"
SYSLOG_TAG = "clinician-assistant-audit"


@dataclass(frozen=True)
class WitnessRecord:
    """One line of the witness file: which log, how many rows, the newest row's hash, when."""

    log_id: str
    rows: int
    head: str
    ts: str


@dataclass(frozen=True)
class WitnessConfig:
    path: Path
    every: int = 1
    syslog: bool = False

    @classmethod
    def for_database(cls, db_path: Path) -> WitnessConfig:
        from assistant.config import load_settings

        settings = load_settings()
        configured = os.path.expandvars(os.path.expanduser(settings["audit.witness_path"]))
        path = Path(configured) if configured else db_path.with_name(db_path.name + WITNESS_SUFFIX)
        return cls(path, settings["audit.witness_every"], settings["audit.witness_syslog"])


def append(config: WitnessConfig, record: WitnessRecord) -> bool:
    """Append one line (one write() with O_APPEND: lines from several processes never interleave).
    A witness that cannot be written must not stop clinical work: it is logged, and `audit verify`
    later shows the rows it does not cover."""
    line = json.dumps({"log": record.log_id, "rows": record.rows, "head": record.head, "ts": record.ts},
                      separators=(",", ":")) + "\n"
    ok = True
    try:
        fd = os.open(config.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError as e:
        log.warning("audit witness %s not written: %s", config.path, e.strerror)
        ok = False
    if config.syslog:
        _to_syslog(line.strip())
    return ok


def _to_syslog(line: str) -> None:
    address = "/dev/log" if os.path.exists("/dev/log") else ("localhost", 514)
    try:
        handler = logging.handlers.SysLogHandler(address=address)
    except OSError as e:
        log.warning("audit witness not sent to the system log: %s", e.strerror)
        return
    try:
        handler.emit(logging.LogRecord(SYSLOG_TAG, logging.INFO, __file__, 0, f"{SYSLOG_TAG}: %s",
                                       (line,), None))
    finally:
        handler.close()


def read(path: Path, log_id: str) -> tuple[list[WitnessRecord], int] | None:
    """This log's records in the file, and how many lines could not be read; None without a file."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return [], -1
    records, bad = [], 0
    for line in text.splitlines():
        try:
            doc = json.loads(line)
            rec = WitnessRecord(str(doc["log"]), int(doc["rows"]), str(doc["head"]), str(doc["ts"]))
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        if rec.log_id == log_id:
            records.append(rec)
    return records, bad


def now_record(log_id: str, rows: int, head: str) -> WitnessRecord:
    return WitnessRecord(log_id, rows, head, utcnow())
