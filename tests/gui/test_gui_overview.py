"""Overview: flags by severity with evidence links, the summary streaming in, cancel, missing model."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QUrl

from assistant.clinical.rules.base import SEVERITIES
from assistant.gui import services
from assistant.llm.stats import GenerationStats


def wait_summary(qtbot, view, timeout=60000):
    qtbot.waitUntil(lambda: view.overview.summary is not None, timeout=timeout)
    return view.overview.summary


def test_missing_model_still_summarises_and_says_so(qtbot, signed_in, gui):
    window = signed_in
    qtbot.waitUntil(lambda: window.models.state == "none", timeout=10000)
    assert "not loaded" in window.status.model.text()
    assert "No model" in window.workspace.home.model_text.text()
    view = gui.open_patient(window, "Beatriz")
    summary = wait_summary(qtbot, view)
    assert summary.source == "deterministic" and summary.sentences
    assert "Built from the record" in view.overview.source.text()
    assert "no language model" in view.overview.source.text()
    html = view.overview.browser.toHtml()
    assert "cite:" in html and "Sources in the record" in view.overview.browser.toPlainText()


def test_flags_ordered_by_severity_and_expand_to_evidence(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    panel = view.overview.flags
    qtbot.waitUntil(lambda: view.overview.risk is not None, timeout=20000)
    flags = view.overview.risk.flags
    if not flags:
        pytest.skip("this record raises no flags")
    order = [SEVERITIES.index(f.severity) for f in flags]
    assert order == sorted(order)
    assert [c.flag.id for c in panel.cards] == [f.id for f in flags]
    card = next((c for c in panel.cards if c.flag.evidence), None)
    assert card is not None
    card.set_expanded(False)
    qtbot.mouseClick(card.toggle, Qt.MouseButton.LeftButton)
    assert not card.body.isHidden() and card.toggle.isChecked()
    body = card.body.text()
    assert card.flag.explanation[:30] in body.replace("&gt;", ">").replace("&lt;", "<") or not card.flag.explanation
    ref = card.flag.evidence[0]
    card.body.linkActivated.emit(f"cite:{ref}")
    assert view.current_key() != "overview"


def test_summary_citation_click_opens_entry(qtbot, signed_in, gui):
    view = gui.open_patient(signed_in, "Beatriz")
    wait_summary(qtbot, view)
    refs = [r for r in view.overview.citation_refs() if view.record.entry(r) is not None]
    assert refs, "the summary cites record entries"
    with qtbot.waitSignal(view.cite_followed, timeout=2000) as sig:
        view.overview.browser.anchorClicked.emit(QUrl(f"cite:{refs[0]}"))
    assert sig.args == [refs[0]]
    assert view.current_key() != "overview"


@pytest.fixture
def slow_summary(monkeypatch):
    """A stand-in generator that streams slowly and honours cancel, to exercise the UI plumbing."""
    state = {"started": threading.Event(), "cancelled": False}

    def fake(record, risk, engine, on_text, cancel, unverified="mark"):
        state["started"].set()
        sentences = []
        ref = record.conditions[0].ref if record.conditions else record.patient.ref
        for i in range(200):
            if cancel.is_set():
                state["cancelled"] = True
                break
            on_text(f"Sentence {i}. ")
            sentences.append(services.SentenceView(f"Sentence {i}.", (ref,), "verified"))
            time.sleep(0.02)
        return services.SummaryView(tuple(sentences), "model", "", GenerationStats(new_tokens=10, decode_tokens_per_s=42.0, ttft_s=0.1))

    monkeypatch.setattr(services, "generate_summary", fake)
    return state


def test_summary_streams_and_esc_cancels(qtbot, signed_in, gui, slow_summary):
    window = signed_in
    view = gui.open_patient(window, "Zachary")
    overview = view.overview
    qtbot.waitUntil(lambda: "Sentence 3." in overview.browser.toPlainText(), timeout=20000)
    assert overview.generating and overview.cancel_button.isVisible()
    assert not overview.regenerate.isEnabled()
    text_while_streaming = overview.browser.toPlainText()
    assert "Sentence 199." not in text_while_streaming
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.workspace.patients.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not overview.generating, timeout=5000)
    assert "cancelled" in overview.source.text().lower()
    assert overview.summary is None and overview.regenerate.isEnabled()
    qtbot.waitUntil(lambda: slow_summary["cancelled"], timeout=5000)
    # Regenerate after a cancel works, and a finished summary reports its speed.
    overview.regenerate.click()
    qtbot.waitUntil(lambda: overview.generating, timeout=5000)
    overview.cancel_button.click()
    qtbot.waitUntil(lambda: not overview.generating, timeout=5000)


def test_closing_patient_mid_generation_stops_the_worker(qtbot, signed_in, gui, slow_summary):
    window = signed_in
    view = gui.open_patient(window, "Zachary")
    qtbot.waitUntil(lambda: view.overview.generating and slow_summary["started"].is_set(), timeout=20000)
    window.workspace.close_patient()
    qtbot.waitUntil(lambda: slow_summary["cancelled"], timeout=5000)


def test_generation_speed_in_status_bar(qtbot, signed_in, gui, monkeypatch):
    def quick(record, risk, engine, on_text, cancel, unverified="mark"):
        on_text("One. ")
        return services.SummaryView((services.SentenceView("One.", (), "verified"),), "model", "",
                                    GenerationStats(new_tokens=50, decode_tokens_per_s=37.5, ttft_s=0.2))

    monkeypatch.setattr(services, "generate_summary", quick)
    view = gui.open_patient(signed_in, "Zachary")
    wait_summary(qtbot, view)
    assert "37.5 tokens/s" in signed_in.status.speed.text()


def test_unverified_sentences_are_marked(qtbot, signed_in, gui, monkeypatch):
    def mixed(record, risk, engine, on_text, cancel, unverified="mark"):
        ref = record.conditions[0].ref
        return services.SummaryView((services.SentenceView("Has asthma.", (ref,), "verified"),
                                     services.SentenceView("Takes 900 mg warfarin.", (), "unverified",
                                                           ("900 mg", "warfarin"))), "model", "")

    monkeypatch.setattr(services, "generate_summary", mixed)
    view = gui.open_patient(signed_in, "Zachary")
    wait_summary(qtbot, view)
    html = view.overview.browser.toHtml()
    text = view.overview.browser.toPlainText()
    assert "[unverified not found in the record: 900 mg, warfarin]" in text
    assert "#fff1c2" in html.lower()  # the highlight
    assert "1 model sentence could not be checked: it is highlighted" in view.overview.source.text()


def test_labels_are_truthful_and_dropped_sentences_can_be_revealed(qtbot, signed_in, gui, monkeypatch):
    def composed(record, risk, engine, on_text, cancel, unverified="drop"):
        ref = record.conditions[0].ref
        return services.SummaryView(
            (services.SentenceView("Zachary has asthma.", (ref,), "deterministic"),
             services.SentenceView("Asthma is recorded.", (ref,), "verified")), "model", "",
            dropped=(services.SentenceView("Takes 900 mg warfarin.", (), "unverified", ("900 mg", "warfarin")),),
            model="tiny-model 1")

    monkeypatch.setattr(services, "generate_summary", composed)
    view = gui.open_patient(signed_in, "Zachary")
    wait_summary(qtbot, view)
    overview = view.overview
    text = overview.browser.toPlainText()
    # Record-built text is labelled as such, above it nothing claims a check; model text says who wrote it.
    head, _, rest = text.partition("Zachary has asthma.")
    assert "From the record" in head and "checked" not in head
    assert "Written by the language model (tiny-model 1); each sentence checked against the entries it cites" in rest
    assert "every sentence was checked" not in overview.source.text()
    assert "1 left out as not supported by the record" in overview.source.text()
    assert "1 model sentence not shown: not supported by the record." in text
    assert "900 mg warfarin" not in text
    assert overview.show_dropped.isVisible() and overview.show_dropped.text() == "Show 1 unchecked sentence"
    qtbot.mouseClick(overview.show_dropped, Qt.MouseButton.LeftButton)
    revealed = overview.browser.toPlainText()
    assert "Not supported by the record — not checked" in revealed and "Takes 900 mg warfarin." in revealed
    overview.browser.anchorClicked.emit(QUrl("show:dropped"))
    assert "900 mg warfarin" not in overview.browser.toPlainText()


def test_source_line_says_plainly_when_no_model_sentence_is_shown():
    from assistant.gui.summary_view import source_line

    record_only = services.SentenceView("72-year-old man with asthma.", (), "deterministic")
    dropped = tuple(services.SentenceView(f"Invented {i}.", (), "unverified") for i in range(3))
    line = source_line(services.SummaryView((record_only,), "model", "", dropped=dropped, model="tiny 1"))
    assert line == ("From the record; 3 left out as not supported by the record; nothing written by "
                    "the language model tiny 1 is shown.")
    assert "checked" not in line
    nothing = source_line(services.SummaryView((record_only,), "model", "", model="tiny 1"))
    assert nothing == "From the record; the language model tiny 1 added nothing to it."


@pytest.fixture
def broken_pack(tmp_path, monkeypatch):
    """An installed pack whose files are damaged (issue 15 item 16): set before the app starts."""
    pack = tmp_path / "broken-pack"
    pack.mkdir()
    (pack / "manifest.json").write_text('{"name": "broken", "files": {"model.onnx": "0"}}', encoding="utf-8")
    (pack / "model.onnx").write_bytes(b"not an onnx model")
    monkeypatch.setenv("ASSISTANT_MODEL", str(pack))
    return pack


def test_a_broken_model_pack_falls_back_to_record_text_and_says_so(qtbot, broken_pack, signed_in, gui):
    window = signed_in
    qtbot.waitUntil(lambda: window.models.attempted and window.models.state == "none", timeout=20000)
    assert "No model: deterministic text" in window.models.message
    assert "broken-pack" in window.models.message or "manifest" in window.models.message  # the pack's fault, named
    assert "not loaded" in window.status.model.text()
    view = gui.open_patient(window, "Beatriz")
    summary = wait_summary(qtbot, view)
    assert summary.source == "deterministic" and summary.sentences
    assert "no language model" in view.overview.source.text()
