"""Patient banner: name, age, sex, MRN and allergies, always visible above the chart tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from assistant.records.domain import Allergy
from assistant.records.record import PatientRecord

from .formatting import age_text, deceased_text, fmt_date, sex_text


def no_known_text(statement: Allergy) -> str:
    """"No known allergies (recorded 2026-05-01 by Dr Lee)": the statement with its date and author."""
    when = statement.recorded_at or statement.recorded
    said = [f"recorded {fmt_date(when)}" if when else "", f"by {statement.recorded_by}" if statement.recorded_by else ""]
    said = [s for s in said if s]
    return "No known allergies" + (f" ({' '.join(said)})" if said else "")


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        left = QVBoxLayout()
        left.setSpacing(2)
        self.name = QLabel()
        self.name.setObjectName("bannerName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("bannerFacts")
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A deceased patient's chart says so plainly, beside the name, in words and the date.
        self.deceased = QLabel()
        self.deceased.setObjectName("bannerDeceased")
        self.deceased.setTextFormat(Qt.TextFormat.PlainText)
        self.deceased.hide()
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.name)
        top.addWidget(self.deceased)
        top.addStretch(1)
        left.addLayout(top)
        left.addWidget(self.facts)
        lay.addLayout(left, 1)
        right = QVBoxLayout()
        right.setSpacing(4)
        caption = QLabel("Allergies")
        caption.setObjectName("bannerFacts")
        caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.allergies = QLabel()
        self.allergies.setWordWrap(True)
        self.allergies.setTextFormat(Qt.TextFormat.PlainText)
        self.allergies.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.allergies.setMaximumWidth(560)
        right.addWidget(caption)
        right.addWidget(self.allergies)
        lay.addLayout(right)

    def set_record(self, record: PatientRecord) -> None:
        p = record.patient
        self.name.setText(p.name or "(no name)")
        self.deceased.setText(deceased_text(p))
        self.deceased.setVisible(p.deceased or p.deceased_date is not None)
        facts = [age_text(p), sex_text(p.sex), f"born {fmt_date(p.birth_date)}" if p.birth_date else "",
                 f"MRN {p.mrn}" if p.mrn else "MRN not recorded"]
        self.facts.setText("   ·   ".join(f for f in facts if f))
        active = record.active_allergies
        if active:
            names = [a.substance or a.code.display or "unnamed allergen" for a in active]
            self.allergies.setObjectName("allergyChip")
            self.allergies.setText(", ".join(names))
            self.allergies.setToolTip("\n".join(
                f"{n}: {a.reaction or 'reaction not recorded'}"
                f"{' (' + a.criticality + ' criticality)' if a.criticality else ''}"
                for n, a in zip(names, active, strict=True)))
        elif (nka := record.no_known_allergies) is not None:
            # A statement someone made, so it says when and by whom (the user checks it is current).
            self.allergies.setObjectName("allergyNone")
            self.allergies.setText(no_known_text(nka))
            self.allergies.setToolTip("The patient was asked and reported no known allergies.")
        else:
            # No allergy entries is not the same as "no known allergies": say exactly what we know.
            self.allergies.setObjectName("allergyUnknown")
            self.allergies.setText("None recorded")
            self.allergies.setToolTip("The record has no allergy entries; ask the patient.")
        self.allergies.style().unpolish(self.allergies)
        self.allergies.style().polish(self.allergies)
