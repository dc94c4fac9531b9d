"""Adapters from the GUI to the core's clinical, llm, assist and reports APIs (no Qt; run on workers).

Each core package is imported here only, and its objects are turned into small view dataclasses,
so a change in a core signature is a change in this one module.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError, ModelPackError
from assistant.llm.stats import GenerationStats
from assistant.records.record import PatientRecord

if TYPE_CHECKING:  # the core modules themselves are imported where used: workers import them
    from assistant.assist.result import Summary
    from assistant.clinical.flags import RiskReport
    from assistant.config import Settings
    from assistant.llm.engine import Engine
    from assistant.records.domain import Observation
    from assistant.reports.raster import PageImage
    from assistant.store.database import Store
    from assistant.store.documents import StoredDocument


# --- risk flags -----------------------------------------------------------------------------
def evaluate_risk(record: PatientRecord) -> RiskReport:
    """The clinical engine's report: its flags (most severe first) go to the panel, the summary and
    the care-plan draft as they are."""
    from assistant.assist.generation import evaluate_risk as evaluate

    return evaluate(record)


# --- model packs and the engine -------------------------------------------------------------
@dataclass(frozen=True)
class PackInfo:
    path: Path
    name: str
    version: str
    licence: str
    source: str
    licence_text: str = ""


def pack_dir(settings: Settings) -> Path:
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


@dataclass
class EngineHandle:
    engine: Engine
    info: PackInfo
    device: str  # cpu, cuda, directml, coreml
    warning: str = ""  # e.g. a GPU was asked for and is not used


def gui_threads(settings: Settings) -> int:
    """Inference threads in the app: as configured, else all physical cores but one.

    ONNX Runtime's threads spin while they wait; on a two-core workstation two of them left the
    interface thread without a core for over half a second at a time. One core stays free.
    """
    if settings["models.threads"]:
        return int(settings["models.threads"])
    from assistant.llm.providers import physical_cores

    return max(1, physical_cores() - 1)


def load_engine(settings: Settings, cancel: threading.Event | None = None) -> EngineHandle:
    """Verify the pack (hashes every file) and start an inference session. Slow: call on a worker."""
    path = pack_dir(settings)
    info = read_pack_info(path)
    from assistant.llm.engine import Engine
    from assistant.llm.pack import ModelPack

    pack = ModelPack.load(path)
    if cancel is not None and cancel.is_set():
        # The task that asked is cancelled: it reports the cancel, whatever is raised here.
        raise AssistantError("model loading cancelled")
    engine = Engine(pack, device=settings["models.device"], threads=gui_threads(settings),
                    spin=bool(settings["models.spin"]), speculative=bool(settings["models.speculative"]))
    _warm_token_texts(engine)
    # The engine names DirectML as ONNX Runtime does ("dml"); settings and the status bar say "directml".
    device = {"dml": "directml"}.get(engine.device, engine.device)
    info = PackInfo(path, pack.name, pack.version, pack.licence or info.licence, pack.source,
                    info.licence_text)
    return EngineHandle(engine, info, device, engine.warning or "")


def _warm_token_texts(engine: Engine) -> None:
    """Decode every token once now (cached per tokenizer), not in the first summary: the batch
    decode holds the interpreter lock for tens of ms, best spent while nothing is on screen yet."""
    from assistant.llm.constraints import token_texts

    try:
        token_texts(engine.tokenizer)
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
class SummaryView:
    sentences: tuple[SentenceView, ...]
    source: str  # model | deterministic
    note: str = ""  # why deterministic, when it is
    stats: GenerationStats | None = None
    raw: Any = field(default=None, compare=False)
    dropped: tuple[SentenceView, ...] = ()  # model sentences left out as not supported by the record
    model: str = ""  # the model's name and version, for model text


def summary_view(summary: Summary, stats: GenerationStats | None = None) -> SummaryView:
    """The GUI's view of a summary (a fresh or a stored one)."""
    def view(items: Any) -> tuple[SentenceView, ...]:
        return tuple(SentenceView(s.text, s.citations, s.status, s.unsupported) for s in items if s.text.strip())

    return SummaryView(view(summary.all_sentences), summary.source, summary.reason,
                       stats if stats is not None else summary.stats, summary, view(summary.dropped),
                       summary.model)


def _stats(summary: Summary, engine: EngineHandle | None = None) -> GenerationStats | None:
    stats = summary.stats
    if stats is None or stats.tokens_per_s or engine is None:
        return stats
    # The engine did not report its speed: estimate it from the text and the decode time.
    decode_s = float(summary.timing.get("total_s", 0.0)) - stats.ttft_s
    count = getattr(engine.engine, "count_tokens", None)
    if decode_s <= 0 or count is None:
        return stats
    tokens = int(count(" ".join(s.text for s in summary.all_sentences)))
    return GenerationStats(new_tokens=tokens, decode_tokens_per_s=tokens / decode_s, ttft_s=stats.ttft_s)


def generate_summary(record: PatientRecord, risk: RiskReport | None, engine: EngineHandle | None,
                     on_text: Callable[[str], None], cancel: threading.Event,
                     unverified: str = "drop") -> SummaryView:
    """Stream checked sentences through `on_text`; return them with citations and status."""
    from assistant.assist.summary import generate_summary as generate

    summary = generate(record, risk, engine.engine if engine else None,
                       use_model=engine is not None, on_text=on_text, cancel=cancel,
                       unverified=unverified)
    return summary_view(summary, _stats(summary, engine))


# --- the stored summary ----------------------------------------------------------------------
@dataclass(frozen=True)
class StoredSummary:
    view: SummaryView
    saved_at: str  # when it was made (UTC ISO time of its save)


def summary_pack(engine: EngineHandle | None) -> str:
    """The pack identity (name, version, manifest digest) a summary made with `engine` is stored
    under; 'none' for the deterministic text."""
    from assistant.services.summaries import pack_identity

    return pack_identity(engine.engine if engine else None)


def expected_pack(engine: EngineHandle | None, loading: bool, settings: Settings) -> str:
    """The pack the next summary would be made with: the loaded engine's, the configured pack's
    (read from its manifest) while it loads, else 'none'. Reads a file: call on a worker."""
    if engine is not None or not loading:
        return summary_pack(engine)
    from assistant.services.summaries import pack_identity_at

    return pack_identity_at(pack_dir(settings))


# These take the Store: call them only inside DbWorker.submit().
def find_stored_summary(store: Store, record: PatientRecord, pack: str, unverified: str) -> StoredSummary | None:
    """The stored summary of this very record, pack and setting (audited as a reuse), else None."""
    from assistant.services.summaries import stored_outcome

    found = stored_outcome(store, record, pack, unverified)
    return StoredSummary(summary_view(found.summary), found.saved_at) if found else None


def store_summary(store: Store, record: PatientRecord, summary: SummaryView, pack: str, unverified: str) -> str:
    """Keep a finished summary as the patient's current one; when it was saved ('' if not kept)."""
    from assistant.services.summaries import save_summary

    if summary.raw is None:
        return ""
    doc = save_summary(store, record, summary.raw, pack, unverified)
    return doc.created if doc else ""


# --- care plan ------------------------------------------------------------------------------
CAREPLAN_KIND = "careplan"


def draft_careplan(record: PatientRecord, risk: RiskReport | None, engine: EngineHandle | None,
                   on_text: Callable[[str], None], cancel: threading.Event) -> dict[str, Any]:
    """A new draft (nothing stored) as the plain dict the store keeps. Slow: call on a worker."""
    from assistant.services import careplans

    doc = careplans.draft(record, risk, engine.engine if engine else None, cancel=cancel, on_text=on_text)
    return doc.to_dict()


# The document life cycle. These take the Store: call them only inside DbWorker.submit().
def plan_save_new(store: Store, data: dict[str, Any], series: str | None = None) -> StoredDocument:
    from assistant.assist.careplan.document import CarePlanDocument
    from assistant.services import careplans

    return careplans.save_draft(store, CarePlanDocument.from_dict(data), series=series)


def plan_edit(store: Store, doc_id: str, data: dict[str, Any]) -> StoredDocument:
    """Save the clinician's edits to a draft; the core marks changed items "edited"."""
    from assistant.assist.careplan.document import CarePlanDocument
    from assistant.services import careplans

    return careplans.edit(store, doc_id, CarePlanDocument.from_dict(data))


def plan_sign(store: Store, doc_id: str, password: str) -> StoredDocument:
    """Sign with the signer's password given again; refused for unchecked model text or a wrong password."""
    from assistant.services import careplans

    return careplans.sign(store, doc_id, password=password)


def plan_new_version(store: Store, doc_id: str) -> StoredDocument:
    from assistant.services import careplans

    return careplans.new_version(store, doc_id)


def plan_versions(store: Store, patient_id: str) -> list[StoredDocument]:
    return list(store.documents.list(patient_id, CAREPLAN_KIND))


# --- reports --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignerInfo:
    name: str = ""
    role: str = ""


def signer_info(store: Store, doc: StoredDocument) -> SignerInfo:
    """The signer's display name and role (DB thread); empty for a draft."""
    from assistant.services.documents import signature_for

    sig = signature_for(store, doc)
    return SignerInfo(sig.name, sig.role) if sig else SignerInfo()


def careplan_pdf(data: dict[str, Any], record: PatientRecord, doc: StoredDocument, signer: SignerInfo,
                 settings: Settings, cancel: threading.Event | None = None) -> bytes:
    """The care-plan PDF (DRAFT watermark until signed). Worker thread."""
    from assistant.reports import render_careplan_pdf
    from assistant.reports.layout import Letterhead

    return render_careplan_pdf(
        data, record, status=doc.status, version=doc.version, signed_by=doc.signed_by,
        signed_at=doc.signed_at, document_id=doc.id, signer_name=signer.name, signer_role=signer.role,
        letterhead=Letterhead.from_settings(settings), cancel=cancel.is_set if cancel else None)


def summary_pdf(summary: SummaryView, risk: RiskReport | None, record: PatientRecord, document_id: str,
                settings: Settings, cancel: threading.Event | None = None) -> bytes:
    """The summary PDF; the flags are evaluated from the record when `risk` is not given."""
    from assistant.reports.layout import Letterhead
    from assistant.services.documents import summary_pdf as render

    return render(summary.raw, record, risk=risk, document_id=document_id,
                  letterhead=Letterhead.from_settings(settings), cancel=cancel.is_set if cancel else None)


def handout_pdf(data: dict[str, Any], record: PatientRecord, doc: StoredDocument, settings: Settings,
                cancel: threading.Event | None = None) -> bytes:
    """The patient handout of a stored plan, in the patient's language. Worker thread."""
    from assistant.assist.careplan.document import CarePlanDocument
    from assistant.services.documents import handout_pdf as render

    return render(CarePlanDocument.from_dict(data), record, status=doc.status, settings=settings,
                  cancel=cancel.is_set if cancel else None)


def medlist_pdf(record: PatientRecord, document_id: str, settings: Settings,
                cancel: threading.Event | None = None) -> bytes:
    """The current medication list. Worker thread."""
    from assistant.services.documents import medlist_pdf as render

    return render(record, document_id=document_id, settings=settings,
                  cancel=cancel.is_set if cancel else None)


def export_filename(kind: str, record: PatientRecord, version: int | None = None, status: str = "") -> str:
    """The default file name: document, the patient's initials and birth year, date, plan version."""
    from assistant.services.documents import export_filename as name
    from assistant.services.documents import patient_short

    return name(kind, patient_short(record), version=version, status=status)


def pdf_pages(pdf: bytes, dpi: int, cancel: Callable[[], bool] | None = None) -> Iterator[PageImage]:
    """Page images of a PDF for a printer, rendered one at a time as they are asked for."""
    from assistant.reports.raster import page_images

    return page_images(pdf, dpi=dpi, cancel=cancel)


# --- reference intervals for the trend chart ------------------------------------------------
def reference_band(obs: Observation, sex: str) -> tuple[float | None, float | None, str] | None:
    """The interval to shade behind a measure: the result's own, else the knowledge table's adult
    interval (the same one the summary judges values by), with where it came from."""
    if obs.reference_low is not None or obs.reference_high is not None:
        return obs.reference_low, obs.reference_high, "record"
    from assistant.assist.labranges import reference_range
    from assistant.assist.vocabulary import vocabulary

    spec = vocabulary().spec_for(obs.code.code) if obs.code.code else None
    if spec is None:
        return None
    found = reference_range(spec, obs, sex)
    if not found or (found[0] is None and found[1] is None):
        return None
    return found[0], found[1], "adult reference interval, not the laboratory's own"


WORKER_MODULES = ("assistant.clinical.flags", "assistant.assist.summary",
                  "assistant.assist.careplan.drafting")


def warm_core_modules() -> None:
    """Import what the flags, summary and care-plan workers run, before a patient is opened: an
    import on a worker holds the interpreter lock in long stretches, stalling the interface."""
    for module in WORKER_MODULES:
        importlib.import_module(module)
    from assistant.assist.careplan.templates import load_templates

    load_templates()  # cached


def warm_reference_tables() -> None:
    """Read the vocabulary and interval tables once on a worker, so the first chart does not."""
    from assistant.assist import labranges
    from assistant.assist.vocabulary import vocabulary

    vocabulary()
    labranges._table()
