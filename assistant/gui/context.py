"""What every view needs from the app: the session (and its DB worker), settings and the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .dbworker import DbWorker
from .model_manager import ModelManager
from .session import Session

if TYPE_CHECKING:
    from assistant.config import Settings


@dataclass
class AppContext:
    session: Session
    settings: Settings
    models: ModelManager

    @property
    def db(self) -> DbWorker:
        return self.session.db

    @property
    def user(self) -> str:
        account = self.session.account
        if account is None:
            return ""
        return str(account.shown_name)
