"""Settings read once from JOIST_* variables; the instance key is never weak or half-written."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from service.settings import Settings, SettingsError


def test_a_short_instance_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({"JOIST_DATA_DIR": str(tmp_path), "JOIST_SECRET_KEY": "short"})
    (tmp_path / "secret.key").write_text("\n")
    with pytest.raises(SettingsError, match=r"secret\.key"):
        Settings.from_env({"JOIST_DATA_DIR": str(tmp_path)})


def test_concurrent_first_starts_agree_on_one_key(tmp_path: Path) -> None:
    keys: list[str] = []
    threads = [
        threading.Thread(target=lambda: keys.append(Settings.from_env({"JOIST_DATA_DIR": str(tmp_path)}).secret_key))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1
    assert len(keys[0]) >= 32
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]


def test_bad_numbers_are_named() -> None:
    with pytest.raises(SettingsError, match="JOIST_MAX_BODY_BYTES"):
        Settings.from_env({"JOIST_MAX_BODY_BYTES": "lots", "JOIST_SECRET_KEY": "k" * 40})


def test_outbound_allow_list_is_read_and_checked() -> None:
    env = {"JOIST_SECRET_KEY": "k" * 40, "JOIST_OUTBOUND_ALLOW": "127.0.0.1/32,::1/128"}
    assert [str(n) for n in Settings.from_env(env).outbound_allow] == ["127.0.0.1/32", "::1/128"]
    with pytest.raises(SettingsError, match="JOIST_OUTBOUND_ALLOW"):
        Settings.from_env(env | {"JOIST_OUTBOUND_ALLOW": "localhost"})
