"""The ``joist`` CLI as operators and the README use it, run as a real process."""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx

from tests.conftest import REPO_ROOT


def joist(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"joist {' '.join(args)} failed: {result.stderr}")
    return result


def test_db_upgrade_is_idempotent(cli_env: dict[str, str]) -> None:
    assert "newest revision" in joist(cli_env, "db", "upgrade").stdout


def test_create_builder_and_key_then_call_the_api(cli_env: dict[str, str], client: httpx.Client) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    created = joist(cli_env, "builders", "create", "--slug", slug, "--name", "Framing Co", "--plan", "business")
    assert slug in created.stdout
    out = joist(cli_env, "api-keys", "create", "--builder", slug, "--name", "ops", "--scopes", "read:api_keys")
    key = out.stdout.strip().splitlines()[-1]
    assert key.startswith("jst_live_")
    resp = client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200
    assert resp.headers["ratelimit-limit"] == "2000"
    assert [k["name"] for k in resp.json()["data"]] == ["ops"]


def test_cli_errors_are_clear_and_nonzero(cli_env: dict[str, str]) -> None:
    missing = joist(
        cli_env,
        "api-keys",
        "create",
        "--builder",
        "nobody-here",
        "--name",
        "x",
        "--scopes",
        "read:projects",
        check=False,
    )
    assert missing.returncode == 2
    assert "no builder with slug 'nobody-here'" in missing.stderr
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    joist(cli_env, "builders", "create", "--slug", slug, "--name", "A")
    dup = joist(cli_env, "builders", "create", "--slug", slug, "--name", "B", check=False)
    assert dup.returncode == 2 and "already exists" in dup.stderr
    bad_scope = joist(
        cli_env, "api-keys", "create", "--builder", slug, "--name", "x", "--scopes", "read:nothing", check=False
    )
    assert bad_scope.returncode == 2 and "read:nothing" in bad_scope.stderr
    bad_slug = joist(cli_env, "builders", "create", "--slug", "Not A Slug", "--name", "x", check=False)
    assert bad_slug.returncode == 2 and "slug" in bad_slug.stderr
    assert "Traceback" not in missing.stderr + dup.stderr + bad_scope.stderr + bad_slug.stderr


def test_seed_demo_is_idempotent_and_prints_a_working_key(cli_env: dict[str, str], client: httpx.Client) -> None:
    first = joist(cli_env, "seed", "--demo").stdout.strip().splitlines()[-1]
    second = joist(cli_env, "seed", "--demo").stdout.strip().splitlines()[-1]
    assert first == second and first.startswith("jst_live_")
    resp = client.get("/api/v1/api-keys", headers={"Authorization": f"Bearer {first}"})
    assert resp.status_code == 200
    assert [k["name"] for k in resp.json()["data"]] == ["Demo key"]
