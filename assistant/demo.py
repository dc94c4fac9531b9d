"""Create the demo database (five fictional patients, DEMO ONLY accounts) unless a database already exists."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import resources_dir
from assistant.errors import AssistantError, BadInputError, DatabaseError
from assistant.json_types import JSON
from assistant.records.date_shift import shift_dates

if TYPE_CHECKING:
    from assistant.records.fhir_import import ParsedFile
    from assistant.store.keyring import KdfParams

# ---- DEMO ONLY ------------------------------------------------------------------------------------
# Well-known credentials of the demo database, which holds fictional patients only. They are printed
# on purpose and listed in the README. Never use these accounts, or a demo database, for real patients.
DEMO_CLINICIAN = "demo"
DEMO_CLINICIAN_PASSWORD = "demo-password"
DEMO_ADMIN = "demo-admin"
DEMO_ADMIN_PASSWORD = "demo-admin-password"
# -------------------------------------------------------------------------------------------------

DEMO_MARKER = "demo"  # meta key set to '1' in a database this module created
DEMO_DIR = resources_dir() / "demo"
# Bundle.meta.tag naming the day a bundle's dates are written as of (resources/demo/README.md).
ANCHOR_SYSTEM = "https://clinician-assistant.invalid/fhir/DEMO/anchor"


def demo_files(source: Path = DEMO_DIR) -> list[Path]:
    """The demo bundles, in a stable order."""
    files = sorted(source.glob("*.json"))
    if not files:
        raise BadInputError(f"{source}: no demo patient bundles (*.json) found")
    return files


def bundle_anchor(doc: JSON, where: str = "bundle") -> date:
    """The day a demo bundle's dates are written as of (its Bundle.meta anchor tag)."""
    meta = doc.get("meta") if isinstance(doc, dict) else None
    tags = meta.get("tag") if isinstance(meta, dict) else None
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and tag.get("system") == ANCHOR_SYSTEM:
            try:
                return date.fromisoformat(str(tag.get("code")))
            except ValueError:
                break
    raise BadInputError(f"{where}: no anchor day (Bundle.meta.tag {ANCHOR_SYSTEM} with a YYYY-MM-DD code); "
                        "rebuild it with resources/demo/make_demo.py")


def dated_bundle(doc: JSON, today: date, where: str = "bundle") -> JSON:
    """The bundle with every date moved so that its anchor day becomes `today` (pure).

    The stories end the evening before the anchor day, so the newest entry is always in the past:
    an order that runs for a week is still running, a result from "yesterday" is still recent.
    """
    return shift_dates(doc, (today - bundle_anchor(doc, where)).days)


def load_demo_bundle(path: Path, today: date | None = None) -> JSON:
    """A demo bundle read from `path`, its dates moved to `today` (default: the UTC date now, so the newest entry, the evening before, is always past)."""
    try:
        doc: JSON = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BadInputError(f"{path}: cannot read the demo bundle ({e})") from None
    return dated_bundle(doc, today or datetime.now(UTC).date(), str(path))


def write_dated(files: Sequence[Path], folder: Path, today: date | None = None) -> list[Path]:
    """Each demo bundle with its dates moved to `today`, written under `folder` by the same name."""
    out = []
    for f in files:
        target = folder / f.name
        target.write_text(json.dumps(load_demo_bundle(f, today), ensure_ascii=False), encoding="utf-8")
        out.append(target)
    return out


def parse_demo(path: Path, today: date | None = None) -> ParsedFile:
    """One demo bundle parsed (no database) with its dates moved to `today`: the chart as the demo
    database made that day holds it."""
    from assistant.records.fhir_import import parse_file

    with tempfile.TemporaryDirectory(prefix="demo-dated-") as tmp:
        (dated,) = write_dated([path], Path(tmp), today)
        parsed = parse_file(dated)
    parsed.path = path
    return parsed


def _database_files(path: Path) -> list[Path]:
    from assistant.store.keyring import Keyring

    return [path, Keyring.path_for(path), path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm")]


def exists(path: Path) -> bool:
    """True if a database or its key file is at `path` (either means: leave it alone)."""
    return any(p.exists() for p in _database_files(path)[:2])


def is_demo_database(path: Path) -> bool:
    """True only for a database this module made: it opens with the demo admin and carries the marker."""
    from assistant.store.database import Store
    from assistant.store.keyring import Keyring

    try:
        keyring = Keyring.load(Keyring.path_for(path))
    except DatabaseError:
        return False
    if DEMO_ADMIN not in keyring.slots:
        return False  # not worth trying a password on someone else's database
    try:
        with Store.open(path, DEMO_ADMIN, DEMO_ADMIN_PASSWORD) as store:
            return store.meta(DEMO_MARKER) == "1"
    except AssistantError:
        return False


def _build(path: Path, files: list[Path], kdf: KdfParams | None,
           today: date | None = None) -> tuple[str, int]:
    """Create the demo database at `path` (which must be free); return (recovery key, patient count).

    The bundles' dates are moved to `today` first (write_dated), beside the database being built.
    """
    from assistant.records.fhir_import import parse_file
    from assistant.store.database import Store

    store, recovery = Store.create(path, DEMO_ADMIN, DEMO_ADMIN_PASSWORD,
                                   display_name="Demo administrator (DEMO ONLY)", kdf=kdf)
    try:
        with store.transaction():
            store.conn.execute("INSERT INTO meta(key, value) VALUES (?, '1')", (DEMO_MARKER,))
            store.audit.record("demo.create", detail="fictional demo database with DEMO ONLY accounts")
        store.accounts.add(DEMO_CLINICIAN, DEMO_CLINICIAN_PASSWORD, "clinician",
                           display_name="Demo clinician (DEMO ONLY)", kdf=kdf)
        dated_dir = path.parent / "dated"
        dated_dir.mkdir()
        for f in write_dated(files, dated_dir, today):
            store.patients.import_parsed(parse_file(f), source=f"demo:{f.name}")
        count = store.patients.count()
    finally:
        store.close()
    return recovery, count


def create_demo_database(path: Path, force: bool = False, source: Path = DEMO_DIR,
                         kdf: KdfParams | None = None,
                         today: date | None = None) -> tuple[str, int] | None:
    """Create the demo database at `path`; None if a database is already there and not replaced.

    The patients' dates are moved so that each bundle's anchor day is `today` (default: the day it
    is made), so what the README shows of them (a current amoxicillin order, a recent potassium of
    6.1) is true on any day the database is made.

    It is built in a temporary folder beside `path` and moved into place whole, so an interrupted
    run never leaves a half-made database that later runs would take for a finished one. With
    `force`, an existing database is replaced only if it is a demo database; any other is refused.
    """
    path = Path(path).expanduser()
    if exists(path):
        if not force:
            return None
        if not is_demo_database(path):
            raise BadInputError(f"{path}: this is not a demo database (or its demo admin was changed); "
                                "refusing to replace it. Use --db to choose another path.")
    files = demo_files(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_dir = Path(tempfile.mkdtemp(prefix=".demo-build-", dir=path.parent))
    try:
        built = build_dir / path.name
        result = _build(built, files, kdf, today)
        for old in _database_files(path):
            old.unlink(missing_ok=True)
        for new, final in zip(_database_files(built), _database_files(path), strict=True):
            if new.exists():
                new.replace(final)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    return result


def _print_credentials() -> None:
    print("  DEMO ONLY sign-in (fictional patients; never use these accounts for real data):")
    print(f"    clinician: {DEMO_CLINICIAN} / {DEMO_CLINICIAN_PASSWORD}")
    print(f"    admin:     {DEMO_ADMIN} / {DEMO_ADMIN_PASSWORD}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.demo",
        description="Create the demo database with five fictional patients and DEMO ONLY accounts. "
                    "Does nothing if a database already exists at the path.")
    parser.add_argument("--db", metavar="PATH",
                        help="database file (default: ASSISTANT_DB or the configured database path)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild the database if it is a demo database (any other is never touched)")
    args = parser.parse_args(argv)
    try:
        if args.db:
            path = Path(args.db).expanduser()
        else:
            from assistant.config import load_settings

            path = load_settings().db_path
        result = create_demo_database(path, force=args.force)
        if result is None:
            print(f"A database already exists at {path}; left unchanged.")
            if is_demo_database(path):
                print("  It is the demo database (rebuild it with --force).")
                _print_credentials()
            return 0
        recovery, count = result
    except AssistantError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return e.exit_code
    print(f"Demo database created: {path}")
    print(f"  {count} fictional demo patients imported from {DEMO_DIR}.")
    _print_credentials()
    print(f"  DEMO recovery key (demo database only; not needed to sign in): {recovery}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
