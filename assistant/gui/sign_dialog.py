"""Sign a care plan: show what is signed (title, version, sections, full text), ask for confirmation and the password again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.assist.careplan.document import CarePlanDocument
from assistant.assist.careplan.review import refusal_message, unchecked_items, with_current_notes

from .session import describe_error
from .style import set_primary

if TYPE_CHECKING:
    from assistant.store.documents import StoredDocument

STATUS_WORDS = {"verified": "model text, checked against the record", "edited": "your text",
                "unverified": "UNCHECKED model text"}

# The item fields shown under its text, as the PDF shows them beside it.
TIMING = (("target", "Target"), ("interval", "When"), ("due", "Next due"))


def current_notes(data: dict[str, Any]) -> tuple[str, ...]:
    """The plan's notes computed from its content now (drafting notes kept, counts recomputed)."""
    return with_current_notes(CarePlanDocument.from_dict(data)).warnings


def sign_refusal(data: dict[str, Any]) -> str:
    """Why the plan cannot be signed yet (naming each unchecked model item), or ''."""
    blocking = unchecked_items(CarePlanDocument.from_dict(data))
    return refusal_message(blocking) if blocking else ""


def _title(section: dict[str, Any]) -> str:
    return str(section.get("title") or section.get("key") or "Section")


def section_counts(data: dict[str, Any]) -> list[tuple[str, int]]:
    """(section title, number of items) in the plan's order."""
    return [(_title(s), len(s.get("items") or ())) for s in data.get("sections") or ()]


def plan_text(data: dict[str, Any]) -> str:
    """The whole plan as plain text: every section and item, with whose words each item is."""
    lines: list[str] = []
    for section in data.get("sections") or ():
        lines.append(_title(section).upper())
        for item in section.get("items") or ():
            text = item if isinstance(item, str) else str(item.get("text", ""))
            status = "" if isinstance(item, str) else STATUS_WORDS.get(str(item.get("status", "")), "")
            lines.append(f"  • {text}" + (f"  [{status}]" if status else ""))
            fields = [] if isinstance(item, str) else [f"{label}: {item[k]}" for k, label in TIMING if item.get(k)]
            if fields:
                lines.append("      " + " · ".join(fields))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class SignDialog(QDialog):
    """Emits `submitted(password)`; the caller signs on the database thread and then calls
    `signed()` or `failed(message)`. The password is cleared as soon as it is handed on."""

    submitted = Signal(str)

    def __init__(self, doc: StoredDocument, data: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signDialog")
        self.setWindowTitle("Sign care plan")
        self.resize(640, 560)
        lay = QVBoxLayout(self)
        title = str(data.get("title") or "Care plan")
        self.heading = QLabel(f"<b>{_esc(title)}</b><br/>Version {doc.version} · draft")
        self.heading.setObjectName("signHeading")
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        counts = section_counts(data)
        self.sections = QLabel("<br/>".join(f"{_esc(t)}: {n} item{'s' if n != 1 else ''}" for t, n in counts))
        self.sections.setObjectName("signSections")
        lay.addWidget(self.sections)
        self.content = QPlainTextEdit(plan_text(data))
        self.content.setObjectName("signContent")
        self.content.setReadOnly(True)
        lay.addWidget(self.content, 1)
        explain = QLabel("Your signature covers the whole text above; the signed version cannot be "
                         "changed. Confirm, then enter your password to sign.")
        explain.setWordWrap(True)
        lay.addWidget(explain)
        self.confirm = QCheckBox("I have read this plan and it is correct")
        self.confirm.setObjectName("signConfirm")
        lay.addWidget(self.confirm)
        self.password = QLineEdit()
        self.password.setObjectName("signPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Your password")
        lay.addWidget(self.password)
        self.error = QLabel("")
        self.error.setObjectName("signError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b42318;")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.sign_button: QPushButton = set_primary(QPushButton("Sign"))
        self.sign_button.setObjectName("confirmSign")
        self.sign_button.setEnabled(False)
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.sign_button.clicked.connect(self._submit)
        self.password.textChanged.connect(lambda _t: self._ready())
        self.confirm.toggled.connect(lambda _on: self._ready())
        self.password.returnPressed.connect(self._submit)
        lay.addWidget(buttons)
        self.password.setFocus()

    def _ready(self) -> None:
        """Sign only with the content confirmed and a password given."""
        self.sign_button.setEnabled(self.confirm.isChecked() and bool(self.password.text())
                                    and self.password.isEnabled())

    def _submit(self) -> None:
        password = self.password.text()
        if not password or not self.sign_button.isEnabled():
            return
        self.password.clear()
        self.error.setText("Signing…")
        self.sign_button.setEnabled(False)
        self.password.setEnabled(False)
        self.submitted.emit(password)

    def failed(self, message: str) -> None:
        """Nothing was signed: say why and let the signer try again (or cancel)."""
        self.error.setText(f"Not signed: {message}")
        self.password.setEnabled(True)
        self.password.setFocus()
        self._ready()

    def failed_with(self, error: BaseException) -> None:
        self.failed(describe_error(error))

    def signed(self) -> None:
        self.accept()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
