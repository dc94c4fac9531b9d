"""Settings: built-in defaults < site file (IT) < user file < environment, each value knowing its source."""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias, overload

from platformdirs import site_config_dir, site_data_dir, user_config_dir, user_data_dir

from assistant.errors import BadInputError

APP = "clinician-assistant"
# In the site models folder, this file names the pack folder `assistant model install` made the default.
DEFAULT_PACK_FILE = "default.txt"

SettingValue: TypeAlias = str | int | bool
# The keys of each value type (KEYS below; tests/core/test_config.py checks that the two agree), so
# that `settings["models.threads"]` is typed int and `settings["models.device"]` str.
TextKey = Literal["organisation.name", "organisation.address", "organisation.logo", "organisation.phone",
                  "database.path",
                  "models.pack_dir", "models.install_dir", "models.device", "summary.unverified",
                  "careplan.unverified", "audit.witness_path",
                  "knowledge.trusted_keys", "knowledge.packs_dir"]
NumberKey = Literal["models.threads", "session.idle_lock_minutes", "security.password_min_length",
                    "audit.retention_days", "audit.witness_every"]
FlagKey = Literal["models.spin", "audit.witness_syslog", "models.speculative"]


@dataclass(frozen=True)
class Key:
    """One setting: dotted name, type, default, and whether a user may change it in the app."""

    name: str
    type: type[SettingValue]
    default: SettingValue
    description: str
    env: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def _default_db() -> str:
    return str(Path(user_data_dir(APP, appauthor=False)) / "clinical.db")


KEYS: tuple[Key, ...] = (
    Key("organisation.name", str, "", "Organisation name printed on reports"),
    Key("organisation.address", str, "", "Address printed on reports (one line, or lines separated by '\\n')"),
    Key("organisation.logo", str, "", "Path to a PNG/JPEG logo for report letterheads"),
    Key("organisation.phone", str, "", "Clinic phone number printed on patient handouts under 'Who to "
        "call'; empty prints a blank line to write it in by hand"),
    Key("database.path", str, "", "Database file; empty means per-user data folder; ~ and $VAR / %VAR% "
        "are expanded (e.g. a shared path with $USER)", env="ASSISTANT_DB"),
    Key("models.pack_dir", str, "", "Model pack folder; empty means the site default pack (set by "
        "`assistant model install`), else the pack shipped with the app", env="ASSISTANT_MODEL"),
    Key("models.install_dir", str, "", "Folder `assistant model install` copies packs into; empty means "
        "the system location for this OS", env="ASSISTANT_MODELS_DIR"),
    Key("models.device", str, "auto", "Inference device", env="ASSISTANT_DEVICE",
        choices=("auto", "cpu", "cuda", "directml", "coreml")),
    Key("models.threads", int, 0, "CPU threads for inference; 0 means all physical cores", minimum=0,
        maximum=256),
    Key("models.spin", bool, True, "Inference threads spin-wait between steps: quicker on a workstation "
        "the app has to itself; turn off on shared or busy machines", env="ASSISTANT_SPIN"),
    Key("models.speculative", bool, True, "Greedy text is drafted from matches in the prompt and checked "
        "several tokens per model pass: about twice as fast on summaries and care plans, exactly the text "
        "of one token per pass; off, one token per pass (speculation also turns itself off where a start-up "
        "check finds the checks rounding otherwise)",
        env="ASSISTANT_SPECULATIVE"),
    Key("session.idle_lock_minutes", int, 10, "Lock the app after this many idle minutes", minimum=1,
        maximum=240),
    Key("security.password_min_length", int, 10, "Minimum password length for new passwords",
        minimum=8, maximum=128),
    Key("audit.retention_days", int, 3650, "Keep audit rows at least this many days", minimum=365,
        maximum=36500),
    # The witness lives outside the database so that rewriting the log inside it shows. Next to the
    # database, anyone who can write the database can truncate it too: sites should point this at a
    # file clinicians can append to but not rewrite (root-owned, mode 0622 and `chattr +a`), and
    # lock the setting in the site file.
    Key("audit.witness_path", str, "", "Append-only file that witnesses the audit log's head (row count, "
        "head hash, time); empty means '<database>.audit-witness' beside the database",
        env="ASSISTANT_AUDIT_WITNESS"),
    Key("audit.witness_every", int, 1, "Witness the audit head after this many new rows (and always at "
        "close)", minimum=1, maximum=1000),
    Key("audit.witness_syslog", bool, False, "Also send each witness line (row count, head hash, time; "
        "no patient data) to the operating system's log (syslog / journald)"),
    Key("summary.unverified", str, "drop",
        "Model sentences the checker cannot support: drop (count shown, reachable) or mark in place",
        choices=("mark", "drop")),
    Key("careplan.unverified", str, "drop",
        "Care-plan model sentences the checker cannot support: drop (counted in a note) or mark in place "
        "(signing stays refused until they are deleted or rewritten)", choices=("mark", "drop")),
)
KEYS += (
    Key("knowledge.trusted_keys", str, "", "Ed25519 public keys (base64, comma-separated) whose signed "
        "knowledge packs this site installs", env="ASSISTANT_KNOWLEDGE_KEYS"),
    Key("knowledge.packs_dir", str, "", "Folder of installed knowledge packs; empty means the system "
        "location for this OS", env="ASSISTANT_KNOWLEDGE_PACKS"),
)
KEY_BY_NAME = {k.name: k for k in KEYS}


def site_config_path() -> Path:
    """The IT-managed site file: /etc/clinician-assistant/site.toml, %ProgramData%\\clinician-assistant\\site.toml."""
    if os.environ.get("ASSISTANT_SITE_CONFIG"):
        return Path(os.environ["ASSISTANT_SITE_CONFIG"])
    if sys.platform.startswith("linux"):
        return Path("/etc") / APP / "site.toml"
    return Path(site_config_dir(APP, appauthor=False)) / "site.toml"


def user_config_path() -> Path:
    if os.environ.get("ASSISTANT_USER_CONFIG"):
        return Path(os.environ["ASSISTANT_USER_CONFIG"])
    return Path(user_config_dir(APP, appauthor=False)) / "settings.toml"


def site_data_path() -> Path:
    """Machine-wide data: /var/lib/clinician-assistant, %ProgramData%\\clinician-assistant, /Library/..."""
    if os.environ.get("ASSISTANT_SITE_DATA"):
        return Path(os.environ["ASSISTANT_SITE_DATA"])
    if sys.platform.startswith("linux"):
        return Path("/var/lib") / APP
    return Path(site_data_dir(APP, appauthor=False))


def app_root() -> Path:
    """Folder holding `resources/` and `models/`: the PyInstaller bundle, or the source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    """Fonts, knowledge tables, prompts and demo charts: ASSISTANT_RESOURCES, else the copy inside
    the installed package (a wheel: setup.py puts resources/ there), else the checkout's resources/
    (an editable install, tests) or the PyInstaller bundle's."""
    env = os.environ.get("ASSISTANT_RESOURCES")
    if env:
        return Path(env)
    packaged = Path(__file__).resolve().parent / "resources"
    return packaged if packaged.is_dir() else app_root() / "resources"


def bundled_pack_dir() -> Path:
    """The default pack shipped with the app (models/default in a checkout or in the bundle)."""
    return app_root() / "models" / "default"


def _flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in doc.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


def _check(key: Key, value: Any, where: str) -> SettingValue:
    if key.type is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if key.type is bool and isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
        value = value.strip().lower() in ("1", "true")
    if key.type is bool and not isinstance(value, bool):
        raise BadInputError(f"{where}: {key.name} must be true or false, not {value!r}")
    if key.type is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadInputError(f"{where}: {key.name} must be a whole number, not {value!r}")
    if key.type is str and not isinstance(value, str):
        raise BadInputError(f"{where}: {key.name} must be text, not {value!r}")
    if key.choices and value not in key.choices:
        raise BadInputError(f"{where}: {key.name} must be one of {', '.join(key.choices)}, not {value!r}")
    if key.minimum is not None and value < key.minimum or key.maximum is not None and value > key.maximum:
        raise BadInputError(f"{where}: {key.name} must be between {key.minimum:g} and {key.maximum:g}, "
                            f"not {value!r}")
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return _flatten(tomllib.load(f))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as e:
        raise BadInputError(f"{path}: not valid TOML ({e})") from None
    except OSError as e:
        raise BadInputError(f"{path}: cannot read ({e.strerror})") from None


def _locked_names(site: dict[str, Any], path: Path) -> set[str]:
    raw = site.pop("locked", [])
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise BadInputError(f"{path}: locked must be a list of setting names, e.g. locked = "
                            "[\"models.device\"] (before any [section])")
    for name in raw:
        if name not in KEY_BY_NAME:
            raise BadInputError(f"{path}: locked names unknown setting {name!r}; known: "
                                f"{', '.join(KEY_BY_NAME)}")
    return set(raw)


def _expand_path(value: str) -> str:
    # $VAR and ${VAR} everywhere; %VAR% as well on Windows (os.path.expandvars does both there).
    return os.path.expanduser(os.path.expandvars(value)) if value else value


@dataclass
class Settings:
    """Effective settings with the source of each value; `locked` keys are fixed by the site."""

    values: dict[str, SettingValue] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()

    @overload
    def __getitem__(self, name: TextKey) -> str: ...
    @overload
    def __getitem__(self, name: NumberKey) -> int: ...
    @overload
    def __getitem__(self, name: FlagKey) -> bool: ...
    @overload
    def __getitem__(self, name: str) -> SettingValue: ...

    def __getitem__(self, name: str) -> SettingValue:
        return self.values[name]

    @property
    def db_path(self) -> Path:
        return Path(_expand_path(self["database.path"]) or _default_db())

    @property
    def models_dir(self) -> Path:
        """Where `assistant model install` puts packs (the site models folder)."""
        configured = _expand_path(str(self.values.get("models.install_dir", "")))
        return Path(configured) if configured else site_data_path() / "models"

    @property
    def pack_dir(self) -> Path:
        """The pack to run: models.pack_dir, else the site default pack, else the one shipped with the app."""
        configured = _expand_path(str(self.values.get("models.pack_dir", "")))
        if configured:
            return Path(configured)
        site_default = installed_default_pack(self.models_dir)
        return site_default if site_default is not None else bundled_pack_dir()

    def can_change(self, name: str) -> bool:
        return name not in self.locked


def installed_default_pack(models_dir: Path) -> Path | None:
    """The pack folder named by `default.txt` in the site models folder, when it exists."""
    try:
        name = (models_dir / DEFAULT_PACK_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = models_dir / name
    return path if path.is_dir() else None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    s = Settings({k.name: k.default for k in KEYS}, {k.name: "default" for k in KEYS})
    site_path = site_config_path()
    site = _read_toml(site_path)
    locked = _locked_names(site, site_path)
    for layer, path in ((site, site_path), (_read_toml(user_config_path()), user_config_path())):
        for name, value in layer.items():
            key = KEY_BY_NAME.get(name)
            if key is None:
                raise BadInputError(f"{path}: unknown setting {name!r}; known: {', '.join(KEY_BY_NAME)}")
            if layer is not site and name in locked:
                continue  # fixed by the site: a user file cannot override it
            s.values[name] = _check(key, value, str(path))
            s.sources[name] = str(path)
    for key in KEYS:
        if key.env and env.get(key.env) and key.name not in locked:
            s.values[key.name] = _check(key, env[key.env], f"environment {key.env}")
            s.sources[key.name] = f"environment {key.env}"
    s.locked = frozenset(locked)
    return s
