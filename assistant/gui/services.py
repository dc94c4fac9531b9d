"""Adapters from the GUI to the core's clinical, llm, assist and reports APIs (no Qt; run on workers).

Each core package is imported here only, and its objects are turned into small view dataclasses,
so a change in a core signature is a change in this one module.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, ModelPackError
from assistant.records.record import PatientRecord

SEVERITIES = ("critical", "high", "moderate", "info")


class ServiceUnavailable(AssistantError):
    """A core feature this build does not have yet (or that failed to import)."""


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _need(module: str, what: str) -> Any:
    if not _available(module):
        raise ServiceUnavailable(f"{what} is not available in this build ({module} is missing)")
    return importlib.import_module(module)


# --- risk flags -----------------------------------------------------------------------------
@dataclass(frozen=True)
class FlagView:
    id: str
    title: str
    severity: str
    category: str
    evidence: tuple[str, ...]
    explanation: str
    missing: tuple[str, ...]
    reference: str


@dataclass(frozen=True)
class RiskView:
    flags: tuple[FlagView, ...]
    raw: Any = None  # the core RiskReport, handed back to the summary and care-plan drafts


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    # A structured reference (title, url...) prints as its citation.
    for attr in ("citation", "text", "title"):
        if hasattr(value, attr) and isinstance(getattr(value, attr), str):
            return getattr(value, attr)
    return str(value)


def flags_available() -> bool:
    return _available("assistant.clinical.flags")


def evaluate_risk(record: PatientRecord) -> RiskView:
    flags_mod = _need("assistant.clinical.flags", "Risk flags")
    report = flags_mod.evaluate(record)
    views = [FlagView(str(getattr(f, "id", "")), str(getattr(f, "title", "")),
                      str(getattr(f, "severity", "info")).lower(), str(getattr(f, "category", "")),
                      tuple(str(r) for r in getattr(f, "evidence", ()) or ()),
                      _text(getattr(f, "explanation", "")),
                      tuple(_text(m) for m in getattr(f, "missing", ()) or ()),
                      _text(getattr(f, "reference", "")))
             for f in report.flags]
    # The core already orders flags (severity, then category, then title); a stable sort by
    # severity only guards that order without changing it.
    order = {s: i for i, s in enumerate(SEVERITIES)}
    views.sort(key=lambda v: order.get(v.severity, len(order)))
    return RiskView(tuple(views), report)


# --- model packs and the engine -------------------------------------------------------------
@dataclass(frozen=True)
class PackInfo:
    path: Path
    name: str
    version: str
    licence: str
    source: str
    licence_text: str = ""


def pack_dir(settings: Any) -> Path:
    """The pack to run: the configured folder, else the site default, else the one shipped."""
    return Path(settings.pack_dir)


def read_pack_info(path: Path) -> PackInfo:
    """Name, version and licence from manifest.json (cheap: no model file is read)."""
    manifest = path / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelPackError(f"{path}: no model pack here (manifest.json missing); choose a pack "
                             "folder in Settings or run `make model`") from None
    except (OSError, ValueError) as e:
        raise ModelPackError(f"{manifest}: unreadable manifest ({e})") from None
    licence = data.get("licence") or data.get("license") or ""
    if isinstance(licence, dict):
        licence = licence.get("name") or licence.get("id") or json.dumps(licence)
    text = ""
    for name in ("LICENSE", "LICENSE.txt", "LICENCE", "LICENSE.md"):
        if (path / name).exists():
            text = (path / name).read_text(encoding="utf-8", errors="replace")
            break
    return PackInfo(path, str(data.get("name", path.name)), str(data.get("version", "")), str(licence),
                    str(data.get("source", "")), text)


def engine_available() -> bool:
    return _available("assistant.llm.engine") and _available("assistant.llm.pack")


@dataclass
class EngineHandle:
    engine: Any
    info: PackInfo
    device: str  # cpu, cuda, directml, coreml
    warning: str = ""  # e.g. a GPU was asked for and is not used


def gui_threads(settings: Any) -> int:
    """Inference threads in the app: as configured, else all physical cores but one.

    ONNX Runtime's threads spin while they wait; on a two-core workstation two of them left the
    interface thread without a core for over half a second at a time. One core stays free.
    """
    if settings["models.threads"]:
        return int(settings["models.threads"])
    from assistant.llm.providers import physical_cores

    return max(1, physical_cores() - 1)


def load_engine(settings: Any, cancel: threading.Event | None = None) -> EngineHandle:
    """Verify the pack (hashes every file) and start an inference session. Slow: call on a worker."""
    path = pack_dir(settings)
    info = read_pack_info(path)
    if not engine_available():
        raise ServiceUnavailable("the language-model engine is not available in this build")
    from assistant.llm.engine import Engine
    from assistant.llm.pack import ModelPack

    pack = ModelPack.load(path)
    if cancel is not None and cancel.is_set():
        raise ServiceUnavailable("model loading cancelled")
    engine = Engine(pack, device=settings["models.device"], threads=gui_threads(settings),
                    spin=bool(settings["models.spin"]))
    _warm_token_texts(engine)
    # The engine names DirectML as ONNX Runtime does ("dml"); settings and the status bar say "directml".
    device = {"dml": "directml"}.get(engine.device, engine.device)
    info = PackInfo(path, pack.name, pack.version, pack.licence or info.licence, pack.source,
                    info.licence_text)
    return EngineHandle(engine, info, device, str(getattr(engine, "warning", "") or ""))


def _warm_token_texts(engine: Any) -> None:
    """Decode every token once now (cached per tokenizer), not in the first summary: the batch
    decode holds the interpreter lock for tens of ms, best spent while nothing is on screen yet."""
    try:
        from assistant.llm.constraints import token_texts
    except ImportError:
        return
    tokenizer = getattr(engine, "tokenizer", None)
    try:
        if tokenizer is not None:
            token_texts(tokenizer)
    except Exception:  # noqa: BLE001 - only a head start: the first summary builds it otherwise
        pass


# --- summary --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SentenceView:
    text: str
    citations: tuple[str, ...] = ()
    status: str = "verified"  # verified | unverified | deterministic
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True)
class GenStats:
    tokens: int = 0
    tokens_per_s: float = 0.0
    ttft_s: float = 0.0


@dataclass(frozen=True)
class SummaryView:
    sentences: tuple[SentenceView, ...]
    source: str  # model | deterministic
    note: str = ""  # why deterministic, when it is
    stats: GenStats | None = None
    raw: Any = field(default=None, compare=False)


def summary_available() -> bool:
    return _available("assistant.assist.summary")


def _has(module: str, name: str) -> bool:
    return _available(module) and hasattr(importlib.import_module(module), name)


def _stats(obj: Any, engine: EngineHandle | None = None) -> GenStats | None:
    s = getattr(obj, "stats", None)
    if s is None:
        return None
    stats = GenStats(int(getattr(s, "tokens", 0) or 0), float(getattr(s, "tokens_per_s", 0.0) or 0.0),
                     float(getattr(s, "ttft_s", getattr(s, "ttft", 0.0)) or 0.0))
    if stats.tokens_per_s or engine is None:
        return stats
    # The engine did not report its speed: estimate it from the text and the decode time.
    timing = getattr(obj, "timing", {}) or {}
    decode_s = float(timing.get("total_s", 0.0)) - stats.ttft_s
    count = getattr(engine.engine, "count_tokens", None)
    if decode_s <= 0 or count is None:
        return stats
    tokens = int(count(" ".join(str(x.text) for x in getattr(obj, "all_sentences", ()))))
    return GenStats(tokens, tokens / decode_s, stats.ttft_s)


def generate_summary(record: PatientRecord, risk: RiskView | None, engine: EngineHandle | None,
                     on_text: Callable[[str], None], cancel: threading.Event,
                     unverified: str = "mark") -> SummaryView:
    """Stream checked sentences through `on_text`; return them with citations and status."""
    mod = _need("assistant.assist.summary", "Summaries")
    summary = mod.generate_summary(record, risk.raw if risk else None, engine.engine if engine else None,
                                   use_model=engine is not None, on_text=on_text, cancel=cancel,
                                   unverified=unverified)
    sentences = tuple(SentenceView(str(s.text), tuple(str(c) for c in getattr(s, "citations", ()) or ()),
                                   str(getattr(s, "status", "verified")),
                                   tuple(str(w) for w in getattr(s, "unsupported", ()) or ()))
                      for s in summary.all_sentences if str(s.text).strip())
    return SummaryView(sentences, str(getattr(summary, "source", "deterministic")),
                       str(getattr(summary, "reason", "") or ""), _stats(summary, engine), summary)


# --- care plan ------------------------------------------------------------------------------
CAREPLAN_MODULE = "assistant.assist.careplan.drafting"
CAREPLAN_KIND = "careplan"


def careplan_available() -> bool:
    return _available(CAREPLAN_MODULE)


def _careplan() -> Any:
    return _need(CAREPLAN_MODULE, "Care-plan drafting")


def draft_careplan(record: PatientRecord, risk: RiskView | None, engine: EngineHandle | None,
                   on_text: Callable[[str], None], cancel: threading.Event) -> dict[str, Any]:
    """A new draft (nothing stored) as the plain dict the store keeps. Slow: call on a worker."""
    doc = _careplan().draft_careplan(record, risk.raw if risk else None,
                                     engine.engine if engine else None, use_model=engine is not None,
                                     cancel=cancel, on_text=on_text)
    return dict(doc.to_dict())


# The document life cycle. These take the Store: call them only inside DbWorker.submit().
def _plan(data: dict[str, Any]) -> Any:
    from assistant.assist.careplan.document import CarePlanDocument

    return CarePlanDocument.from_dict(data)


def plan_save_new(store: Any, patient_id: str, data: dict[str, Any], series: str | None = None) -> Any:
    if careplan_available():
        return _careplan().save_draft(store, _plan(data), series=series)
    return store.save_document(patient_id, CAREPLAN_KIND, data, series=series)


def plan_edit(store: Any, doc_id: str, data: dict[str, Any]) -> Any:
    """Save the clinician's edits to a draft; the core marks changed items "edited"."""
    if careplan_available():
        return _careplan().edit(store, doc_id, _plan(data))
    return store.update_draft(doc_id, data)


def plan_sign(store: Any, doc_id: str) -> Any:
    if careplan_available():
        return _careplan().sign(store, doc_id)
    return store.sign_document(doc_id)


def plan_new_version(store: Any, doc_id: str) -> Any:
    if careplan_available():
        return _careplan().new_version(store, doc_id)
    doc = store.get_document(doc_id)
    return store.save_document(doc.patient_id, doc.kind, doc.data, series=doc.series)


def plan_versions(store: Any, patient_id: str) -> list[Any]:
    return list(store.list_documents(patient_id, CAREPLAN_KIND))


# --- reports --------------------------------------------------------------------------------
def reports_available() -> bool:
    return _has("assistant.reports", "render_careplan_pdf")


@dataclass(frozen=True)
class SignerInfo:
    name: str = ""
    role: str = ""


def signer_info(store: Any, doc: Any) -> SignerInfo:
    """The signer's display name and role (DB thread); empty for a draft."""
    if not _available("assistant.services.documents") or not getattr(doc, "signed_by", None):
        return SignerInfo()
    sig = importlib.import_module("assistant.services.documents").signature_for(store, doc)
    return SignerInfo(getattr(sig, "name", "") or "", getattr(sig, "role", "") or "") if sig else SignerInfo()


def _letterhead(settings: Any) -> Any:
    layout = importlib.import_module("assistant.reports.layout")
    return layout.Letterhead.from_settings(settings)


def careplan_pdf(data: dict[str, Any], record: PatientRecord, doc: Any, signer: SignerInfo,
                 settings: Any, cancel: threading.Event | None = None) -> bytes:
    """The care-plan PDF (DRAFT watermark until signed). Worker thread."""
    reports = _need("assistant.reports", "PDF reports")
    return bytes(reports.render_careplan_pdf(
        data, record, status=doc.status, version=doc.version, signed_by=doc.signed_by,
        signed_at=doc.signed_at, document_id=doc.id, signer_name=signer.name, signer_role=signer.role,
        letterhead=_letterhead(settings), cancel=cancel.is_set if cancel else None))


def summary_pdf(summary: SummaryView, risk: RiskView | None, record: PatientRecord, document_id: str,
                settings: Any, cancel: threading.Event | None = None) -> bytes:
    documents = _need("assistant.services.documents", "PDF reports")
    return bytes(documents.summary_pdf(summary.raw, record, risk=risk.raw if risk else None,
                                       document_id=document_id, letterhead=_letterhead(settings),
                                       cancel=cancel.is_set if cancel else None))


def pdf_pages(pdf: bytes, dpi: int, cancel: threading.Event | None = None) -> Any:
    """Page images of a PDF for a printer (pypdfium2 or poppler); AssistantError if neither."""
    support = _need("assistant.reports.raster", "Printing")
    return support.page_images(pdf, dpi=dpi, cancel=cancel.is_set if cancel else None)


# --- reference intervals for the trend chart ------------------------------------------------
def reference_band(obs: Any, sex: str) -> tuple[float | None, float | None, str] | None:
    """The interval to shade behind a measure: the result's own, else the knowledge table's adult
    interval (the same one the summary judges values by), with where it came from."""
    if obs.reference_low is not None or obs.reference_high is not None:
        return obs.reference_low, obs.reference_high, "record"
    if not (_available("assistant.assist.labranges") and _available("assistant.assist.vocabulary")):
        return None
    from assistant.assist.labranges import reference_range
    from assistant.assist.vocabulary import vocabulary

    spec = vocabulary().spec_for(obs.code.code) if obs.code.code else None
    if spec is None:
        return None
    found = reference_range(spec, obs, sex)
    if not found or (found[0] is None and found[1] is None):
        return None
    return found[0], found[1], "adult reference interval, not the laboratory's own"


WORKER_MODULES = ("assistant.clinical.flags", "assistant.assist.summary", CAREPLAN_MODULE)


def warm_core_modules() -> None:
    """Import what the flags, summary and care-plan workers run, before a patient is opened: an
    import on a worker holds the interpreter lock in long stretches, stalling the interface."""
    for module in WORKER_MODULES:
        if _available(module):
            importlib.import_module(module)
    if _has("assistant.assist.careplan.templates", "load_templates"):
        importlib.import_module("assistant.assist.careplan.templates").load_templates()  # cached


def warm_reference_tables() -> None:
    """Read the vocabulary and interval tables once on a worker, so the first chart does not."""
    if _available("assistant.assist.vocabulary"):
        from assistant.assist.vocabulary import vocabulary

        vocabulary()
    if _available("assistant.assist.labranges"):
        from assistant.assist import labranges

        labranges._table()
