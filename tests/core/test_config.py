"""Layered settings: defaults < site < user < environment, locked keys, errors naming key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import config
from assistant.errors import BadInputError


@pytest.fixture
def layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the loader at a temporary site and user file; returns (site, user) paths."""
    site, user = tmp_path / "site.toml", tmp_path / "user.toml"
    monkeypatch.setenv("ASSISTANT_SITE_CONFIG", str(site))
    monkeypatch.setenv("ASSISTANT_USER_CONFIG", str(user))
    monkeypatch.setenv("ASSISTANT_SITE_DATA", str(tmp_path / "sitedata"))
    for key in config.KEYS:
        if key.env:
            monkeypatch.delenv(key.env, raising=False)
    return site, user


def test_defaults_when_no_files(layers) -> None:
    s = config.load_settings()
    assert s["models.device"] == "auto"
    assert s["session.idle_lock_minutes"] == 10
    assert set(s.sources.values()) == {"default"}
    assert s.locked == frozenset()


def test_precedence_defaults_site_user_env(layers) -> None:
    site, user = layers
    site.write_text('[models]\ndevice = "cpu"\nthreads = 2\n[session]\nidle_lock_minutes = 5\n')
    user.write_text('[models]\ndevice = "cuda"\n[session]\nidle_lock_minutes = 7\n')
    s = config.load_settings(env={"ASSISTANT_DEVICE": "directml"})
    assert s["models.device"] == "directml"
    assert s.sources["models.device"] == "environment ASSISTANT_DEVICE"
    assert s["session.idle_lock_minutes"] == 7 and s.sources["session.idle_lock_minutes"] == str(user)
    assert s["models.threads"] == 2 and s.sources["models.threads"] == str(site)
    assert s["audit.retention_days"] == 3650 and s.sources["audit.retention_days"] == "default"


def test_locked_keys_beat_user_and_environment(layers) -> None:
    site, user = layers
    site.write_text('locked = ["models.device", "database.path"]\n'
                    '[models]\ndevice = "cpu"\n[database]\npath = "/srv/shared/clinical.db"\n')
    user.write_text('[models]\ndevice = "cuda"\n[database]\npath = "/tmp/mine.db"\n')
    s = config.load_settings(env={"ASSISTANT_DEVICE": "cuda", "ASSISTANT_DB": "/tmp/env.db"})
    assert s["models.device"] == "cpu" and s.sources["models.device"] == str(site)
    assert s.db_path == Path("/srv/shared/clinical.db")
    assert not s.can_change("models.device") and s.can_change("models.threads")


@pytest.mark.parametrize("body, key", [
    ('[models]\ndevice = "gpu"\n', "models.device"),
    ('[session]\nidle_lock_minutes = "soon"\n', "session.idle_lock_minutes"),
    ('[session]\nidle_lock_minutes = 0\n', "session.idle_lock_minutes"),
    ('[security]\npassword_min_length = 4\n', "security.password_min_length"),
    ('[audit]\nretention_days = true\n', "audit.retention_days"),
    ('[organisation]\nname = 3\n', "organisation.name"),
    ('[organisation]\ncolour = "blue"\n', "organisation.colour"),
    ('locked = ["models.gpu"]\n', "models.gpu"),
])
def test_bad_site_value_names_key_and_file(layers, body: str, key: str) -> None:
    site, _ = layers
    site.write_text(body)
    with pytest.raises(BadInputError) as e:
        config.load_settings()
    assert str(site) in e.value.message and key in e.value.message
    assert "\n" not in e.value.message.split("; known")[0]


def test_bad_user_value_and_bad_env_named(layers) -> None:
    _, user = layers
    user.write_text("[models]\nthreads = -1\n")
    with pytest.raises(BadInputError, match=r"user\.toml: models\.threads must be between"):
        config.load_settings()
    user.write_text("")
    with pytest.raises(BadInputError, match="environment ASSISTANT_DEVICE: models.device"):
        config.load_settings(env={"ASSISTANT_DEVICE": "tpu"})


def test_invalid_toml_names_file(layers) -> None:
    site, _ = layers
    site.write_text("[models\ndevice = cpu\n")
    with pytest.raises(BadInputError, match=f"{site}: not valid TOML"):
        config.load_settings()


def test_locked_must_be_a_list(layers) -> None:
    site, _ = layers
    site.write_text('locked = "models.device"\n')
    with pytest.raises(BadInputError, match="locked must be a list"):
        config.load_settings()


def test_database_path_expands_variables(layers, monkeypatch: pytest.MonkeyPatch) -> None:
    site, _ = layers
    monkeypatch.setenv("CA_TEST_WARD", "ward7")
    site.write_text('[database]\npath = "/srv/$CA_TEST_WARD/clinical.db"\n')
    assert config.load_settings().db_path == Path("/srv/ward7/clinical.db")


def test_default_db_is_per_user(layers) -> None:
    assert config.load_settings().db_path.name == "clinical.db"


def test_pack_dir_resolution(layers, tmp_path: Path) -> None:
    site, _ = layers
    s = config.load_settings()
    assert s.models_dir == tmp_path / "sitedata" / "models"
    assert s.pack_dir == config.bundled_pack_dir()
    (s.models_dir / "tiny-1.0").mkdir(parents=True)
    (s.models_dir / config.DEFAULT_PACK_FILE).write_text("tiny-1.0\n")
    assert s.pack_dir == s.models_dir / "tiny-1.0"
    (s.models_dir / config.DEFAULT_PACK_FILE).write_text("../escape\n")
    assert s.pack_dir == config.bundled_pack_dir()
    site.write_text(f'[models]\npack_dir = "{tmp_path / "elsewhere"}"\n')
    assert config.load_settings().pack_dir == tmp_path / "elsewhere"


def test_password_policy_follows_site(layers) -> None:
    from assistant.store.accounts import check_password_policy

    site, _ = layers
    check_password_policy("ten chars!")
    site.write_text("[security]\npassword_min_length = 14\n")
    with pytest.raises(BadInputError, match="at least 14"):
        check_password_policy("ten chars!")
    check_password_policy("fourteen chars")


def test_resources_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert (config.resources_dir()).name == "resources"
    monkeypatch.setenv("ASSISTANT_RESOURCES", str(tmp_path))
    assert config.resources_dir() == tmp_path


def test_every_key_has_a_valid_default() -> None:
    for key in config.KEYS:
        assert config._check(key, key.default, "defaults") == key.default


def test_typed_key_names_match_the_keys() -> None:
    # Settings.__getitem__ types a value by its key's Literal set: they must list every key once.
    from typing import get_args

    typed = {config.TextKey: str, config.NumberKey: int, config.FlagKey: bool}
    names = [(name, tp) for alias, tp in typed.items() for name in get_args(alias)]
    assert sorted(names, key=lambda n: n[0]) == sorted(((k.name, k.type) for k in config.KEYS),
                                                       key=lambda n: n[0])
