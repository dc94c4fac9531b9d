"""Care-plan documents as the editor sees them: sections of cited items, read from and written to the stored dict."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PlanItem:
    text: str
    citations: list[str] = field(default_factory=list)
    status: str = "verified"  # verified | unverified | deterministic | edited
    extra: dict[str, Any] = field(default_factory=dict)  # fields we do not edit, kept as they were


@dataclass
class PlanSection:
    key: str
    title: str
    items: list[PlanItem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


_ITEM_KEYS = {"text", "citations", "status"}
_SECTION_KEYS = {"key", "id", "title", "heading", "items"}


def read_sections(data: dict[str, Any]) -> list[PlanSection]:
    out = []
    for i, s in enumerate(data.get("sections") or ()):
        items = []
        for it in s.get("items") or ():
            if isinstance(it, str):
                items.append(PlanItem(it, [], "edited"))
                continue
            items.append(PlanItem(str(it.get("text", "")), [str(c) for c in it.get("citations") or ()],
                                  str(it.get("status", "verified")),
                                  {k: v for k, v in it.items() if k not in _ITEM_KEYS}))
        out.append(PlanSection(str(s.get("key") or s.get("id") or f"section{i + 1}"),
                               str(s.get("title") or s.get("heading") or f"Section {i + 1}"), items,
                               {k: v for k, v in s.items() if k not in _SECTION_KEYS}))
    return out


def write_sections(data: dict[str, Any], sections: list[PlanSection]) -> dict[str, Any]:
    """A copy of `data` with the edited sections; everything else in the document is kept."""
    out = copy.deepcopy(data)
    out["sections"] = [
        {**s.extra, "key": s.key, "title": s.title,
         "items": [{**it.extra, "text": it.text, "citations": list(it.citations), "status": it.status}
                   for it in s.items if it.text.strip()]}
        for s in sections]
    return out


def plan_title(data: dict[str, Any]) -> str:
    return str(data.get("title") or "Care plan")

