"""What a de-identified export removed or generalised, per identifier kind (JSON and text)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from assistant.json_types import JSONObject

METHOD = ("HIPAA Safe Harbor, 45 CFR 164.514(b)(2): the 18 identifier kinds removed or generalised; "
          "dates shifted by a random per-patient offset that is not exported. Expert determination "
          "(164.514(b)(1)) is not implemented.")


@dataclass
class DeidReport:
    """Totals over every patient of one export."""

    patients: int = 0
    files: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, counts: Counter[str], file_name: str) -> None:
        self.patients += 1
        self.files.append(file_name)
        self.counts.update(counts)

    def to_dict(self) -> JSONObject:
        return {"method": METHOD, "patients": self.patients, "files": list(self.files),
                "removed_or_generalised": {k: v for k, v in sorted(self.counts.items()) if v}}

    def to_text(self) -> str:
        lines = [f"De-identified export: {self.patients} patient(s)", METHOD, "",
                 "Removed or generalised, by kind:"]
        width = max((len(k) for k in self.counts), default=10)
        for kind, n in sorted(self.counts.items()):
            if n:
                lines.append(f"  {kind:<{width}}  {n}")
        lines.append("")
        lines.append("Files: " + ", ".join(self.files))
        return "\n".join(lines) + "\n"
