"""File choosers that never open the database's files: stat-only icons, the database hidden, Documents first.

Why: Qt's stock chooser opens and closes every file it lists to guess its type (MIME sniffing for
the icon and the "Type" column), the database, its `-wal` and `-shm` included. On Linux closing
any descriptor of a file drops every POSIX lock the process holds on it, so SQLite in the app
silently loses its locks; the next process to close the database then thinks it is the last user,
checkpoints and deletes the WAL under the app, and later writes are lost (SQLite's "How To Corrupt
An SQLite Database File", section 2.2). These choosers are Qt's own widgets (never a platform
dialog that could sniff files in-process), with an icon provider that looks only at what `stat`
says, a filter that hides the database and its sidecar files, and a start folder that is never the
database's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QFileInfo,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStandardPaths,
)
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QFileDialog, QFileSystemModel, QWidget

# SQLite's own files beside any database.
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def protected_paths() -> tuple[Path, ...]:
    """The configured database: no chooser may list (and so open) it or its sidecar files."""
    from assistant.config import load_settings

    try:
        return (load_settings().db_path.expanduser().resolve(),)
    except Exception:  # noqa: BLE001 - a broken settings file must not stop the chooser hiding SQLite files
        return ()


def is_protected(path: Path, protected: tuple[Path, ...]) -> bool:
    """True for a database's file or one beside it named after it (`x.db-wal`, `x.db.keys`,
    `x.db.lock`...), and for any SQLite `-wal`/`-shm`/`-journal` file."""
    name = path.name
    if name.endswith(_SIDE_SUFFIXES):
        return True
    return any(path.parent == db.parent and name.startswith(db.name) for db in protected)


class StatOnlyIcons(QAbstractFileIconProvider):
    """Icons and type names from `stat` alone: a folder or a file, never the file's contents."""

    def icon(self, what: QFileInfo | QAbstractFileIconProvider.IconType) -> QIcon:
        if isinstance(what, QFileInfo):
            kind = (QAbstractFileIconProvider.IconType.Folder if what.isDir()
                    else QAbstractFileIconProvider.IconType.File)
            return super().icon(kind)
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        return "Folder" if info.isDir() else "File"


class HideDatabase(QSortFilterProxyModel):
    """Leaves the database's files out of the listing (the file model itself only stats them)."""

    def __init__(self, protected: tuple[Path, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._protected = protected

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, QFileSystemModel):
            return True
        return not is_protected(Path(model.filePath(model.index(row, 0, parent))), self._protected)


def start_folder(wanted: str | Path | None, protected: tuple[Path, ...]) -> str:
    """`wanted` unless it is empty or a database's folder; else the user's Documents (else home)."""
    db_folders = {db.parent for db in protected}
    if wanted:
        folder = Path(wanted).expanduser()
        folder = folder if folder.is_dir() else folder.parent
        if folder.resolve() not in db_folders:
            return str(Path(wanted).expanduser())
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if docs and Path(docs).is_dir() and Path(docs).resolve() not in db_folders:
        return docs
    return str(Path.home())


class SafeFileDialog(QFileDialog):
    """Qt's own chooser with the stat-only icons and the database hidden (tests drive it unshown)."""

    def __init__(self, parent: QWidget | None, caption: str, folder: str | Path | None = None,
                 name_filter: str = "") -> None:
        protected = protected_paths()
        super().__init__(parent, caption, start_folder(folder, protected), name_filter)
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self._icons = StatOnlyIcons()  # kept here: Qt does not own the provider
        self.setIconProvider(self._icons)
        self.setProxyModel(HideDatabase(protected, self))

    def chosen(self) -> list[str]:
        return self.selectedFiles() if self.exec() else []


def open_files(parent: QWidget | None, caption: str, name_filter: str) -> list[str]:
    dlg = SafeFileDialog(parent, caption, None, name_filter)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return dlg.chosen()


def existing_folder(parent: QWidget | None, caption: str, folder: str | Path | None = None) -> str:
    dlg = SafeFileDialog(parent, caption, folder)
    dlg.setFileMode(QFileDialog.FileMode.Directory)
    dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = dlg.chosen()
    return chosen[0] if chosen else ""


def save_file(parent: QWidget | None, caption: str, suggested: str | Path, name_filter: str) -> str:
    dlg = SafeFileDialog(parent, caption, Path(suggested).parent, name_filter)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.setFileMode(QFileDialog.FileMode.AnyFile)
    dlg.selectFile(Path(suggested).name)
    chosen = dlg.chosen()
    return chosen[0] if chosen else ""
