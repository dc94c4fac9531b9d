"""The site's `careplan.unverified` setting: unchecked model sentences left out (drop) or kept marked."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from careplan_support import FakeEngine, demo_record

from assistant.gui import services


@pytest.mark.parametrize("mode", ["drop", "mark"])
def test_the_site_setting_decides_whether_unchecked_sentences_stay_marked(tmp_path: Path, monkeypatch, mode):
    site = tmp_path / "site.toml"
    site.write_text(f'[careplan]\nunverified = "{mode}"\n', encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_SITE_CONFIG", str(site))
    handle = SimpleNamespace(engine=FakeEngine())  # only .engine is read when drafting
    plan = services.draft_careplan(demo_record("01"), None, handle, lambda _: None,  # type: ignore[arg-type]
                                   threading.Event())
    statuses = [i["status"] for s in plan["sections"] for i in s["items"]]
    assert ("unverified" in statuses) == (mode == "mark")
    if mode == "drop":
        assert plan["dropped"] and any("left out" in w for w in plan["warnings"])
