"""Installed knowledge packs: install a signed pack, list, roll back; which pack is active."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.clinical.knowledge import KnowledgeError
from assistant.clinical.knowledge_pack import PackInfo, verify, version_key
from assistant.config import load_settings, resources_dir, site_data_path

ACTIVE = "active.txt"  # the folder name of the active pack; absent or empty: the built-in pack
HISTORY = "history.txt"  # folder names activated before, oldest first (for rollback)


def packs_dir() -> Path:
    configured = load_settings()["knowledge.packs_dir"]
    return Path(configured) if configured else site_data_path() / "knowledge"


def trusted_keys() -> tuple[str, ...]:
    return tuple(k.strip() for k in load_settings()["knowledge.trusted_keys"].split(",") if k.strip())


def builtin_dir() -> Path:
    return resources_dir() / "knowledge"


def builtin() -> PackInfo:
    """The pack shipped with the application, checked against its manifest (no signature)."""
    return verify(builtin_dir(), (), signed=False)


def active_dir() -> Path:
    """The folder the clinical code reads: the installed active pack, else the built-in one."""
    marker = packs_dir() / ACTIVE
    name = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    return packs_dir() / name if name else builtin_dir()


def active() -> PackInfo:
    """The active pack, verified: an installed one against a trusted signature, the built-in one
    against its manifest."""
    folder = active_dir()
    if folder == builtin_dir():
        return builtin()
    return verify(folder, trusted_keys())


def _history() -> list[str]:
    path = packs_dir() / HISTORY
    return [x for x in path.read_text(encoding="utf-8").split() if x] if path.is_file() else []


def _activate(name: str, history: list[str]) -> None:
    root = packs_dir()
    root.mkdir(parents=True, exist_ok=True)
    for file, text in ((HISTORY, "\n".join(history) + "\n"), (ACTIVE, name + "\n")):
        tmp = root / (file + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(root / file)  # atomic: a crash leaves the old pack active
    from assistant.clinical.knowledge import clear_caches

    clear_caches()


def install(source: Path) -> PackInfo:
    """Verify a signed pack and make it active. Unsigned, altered, untrusted or not newer than the
    active pack: refused with the reason, and the active pack stays in use."""
    incoming = verify(source, trusted_keys())
    current = active()
    if version_key(incoming.version) <= version_key(current.version):
        raise KnowledgeError(f"knowledge pack {incoming.label} is not newer than the active "
                             f"{current.label}: refused")
    name = f"{incoming.name}-{incoming.version}"
    target = packs_dir() / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    installed = verify(target, trusted_keys())  # the copy, not only the source, is what runs
    previous = active_dir()
    history = _history() + ([previous.name] if previous != builtin_dir() else [])
    _activate(name, history)
    return installed


def rollback() -> PackInfo:
    """Make the previously active pack (or the built-in one) active again."""
    history = _history()
    if not history and active_dir() == builtin_dir():
        raise KnowledgeError("the built-in knowledge pack is active: nothing to roll back to")
    previous = history.pop() if history else ""
    _activate(previous, history)
    return active()


def installed() -> list[PackInfo]:
    """Every installed pack that still verifies, oldest version first, then the built-in one."""
    out = []
    root = packs_dir()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.is_dir():
            try:
                out.append(verify(folder, trusted_keys()))
            except KnowledgeError:
                continue
    return [builtin(), *sorted(out, key=lambda p: version_key(p.version))]
