"""Sign-in and lock screens: pages of the main window, so locking hides work without destroying it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .style import icon, set_primary


def _card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    card = QFrame()
    card.setObjectName("card")
    card.setFixedWidth(440)
    card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    lay = QVBoxLayout(card)
    lay.setContentsMargins(32, 28, 32, 28)
    lay.setSpacing(12)
    head = QHBoxLayout()
    logo = QLabel()
    logo.setPixmap(icon("app").pixmap(48, 48))
    head.addWidget(logo)
    title = QLabel("Clinician Assistant")
    title.setObjectName("appTitle")
    head.addWidget(title, 1)
    lay.addLayout(head)
    return card, lay


class SignInPage(QWidget):
    """User name and password; the database is unlocked on the DB thread, never here."""

    submitted = Signal(str, str)

    def __init__(self, db_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        _, lay = _card(self)
        sub = QLabel("Sign in to unlock the encrypted patient database.")
        sub.setObjectName("hint")
        sub.setWordWrap(True)
        lay.addWidget(sub)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.user = QLineEdit()
        self.user.setObjectName("user")
        self.user.setPlaceholderText("user name")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password")
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        lay.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        self.button = set_primary(QPushButton("Sign in"))
        self.button.setObjectName("signIn")
        self.button.setDefault(True)
        lay.addWidget(self.button)
        self.db_label = QLabel(db_label)
        self.db_label.setObjectName("hint")
        self.db_label.setWordWrap(True)
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.db_label)
        self.button.clicked.connect(self._submit)
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)

    def _submit(self) -> None:
        user, password = self.user.text().strip(), self.password.text()
        if not user or not password:
            self.show_error("Enter your user name and password.")
            return
        self.set_busy(True)
        self.submitted.emit(user, password)

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText("Unlocking…" if busy else "Sign in")
        self.user.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if busy:
            self.error.hide()

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error.setText(text)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()

    def reset(self, keep_user: bool = True) -> None:
        self.set_busy(False)
        self.error.hide()
        self.password.clear()
        if not keep_user:
            self.user.clear()
        (self.password if self.user.text() else self.user).setFocus()


class LockPage(QWidget):
    """Shown over the workspace after idle time; the same user's password resumes where they were."""

    unlock = Signal(str)
    sign_out = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        _, lay = _card(self)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password")
        lay.addWidget(self.password)
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        buttons = QHBoxLayout()
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setObjectName("lockSignOut")
        self.button = set_primary(QPushButton("Unlock"))
        self.button.setObjectName("unlock")
        self.button.setDefault(True)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        lay.addLayout(buttons)
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.sign_out_button.clicked.connect(self.sign_out)

    def prepare(self, user: str, unsaved: bool) -> None:
        text = (f"<b>Session locked.</b><br>Signed in as <b>{user}</b>. Enter your password to "
                "continue where you left off.")
        if unsaved:
            text += "<br><br>Your unsaved edits are kept."
        self.message.setText(text)
        self.password.clear()
        self.error.hide()
        self.set_busy(False)
        self.password.setFocus()

    def _submit(self) -> None:
        if not self.password.text():
            self.show_error("Enter your password.")
            return
        self.set_busy(True)
        self.unlock.emit(self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.button.setText("Checking…" if busy else "Unlock")

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error.setText(text)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()
