"""``landrenew users …`` and ``serve``'s refusal of an insecure production secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.core.errors import ConfigurationError, InputError

runner = CliRunner()


def test_users_add_list_disable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["--db", db, "db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["--db", db, "users", "add", "zhang", "--role", "city_staff",
                            "--password-stdin"], input="a-long-password\n")
    assert r.exit_code == 0, r.output
    no_stdin = runner.invoke(app, ["--db", db, "users", "add", "li", "--role", "viewer"])
    assert isinstance(no_stdin.exception, InputError)
    assert "password-stdin" in str(no_stdin.exception)
    bad = runner.invoke(app, ["--db", db, "users", "add", "li", "--role", "district_staff",
                              "--password-stdin"], input="a-long-password\n")
    assert isinstance(bad.exception, InputError) and "district" in str(bad.exception)
    listed = runner.invoke(app, ["--db", db, "users", "list"])
    assert "zhang" in listed.output and "city_staff" in listed.output
    assert runner.invoke(app, ["--db", db, "users", "disable", "zhang"]).exit_code == 0
    assert "disabled" in runner.invoke(app, ["--db", db, "users", "list"]).output


def test_serve_refuses_default_secret_in_production(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANDRENEW_MODE", "production")
    monkeypatch.delenv("LANDRENEW_SECRET_KEY", raising=False)
    r = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "serve"])
    assert isinstance(r.exception, ConfigurationError) and "secret_key" in str(r.exception)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_builds_prints_the_accounts_and_serves(tmp_path: Path) -> None:
    """``landrenew demo``: builds the database when missing, prints the demo accounts and the
    URL, and serves it there; a printed account logs in. Then district staff are added for a
    district the demo built."""
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    port = _free_port()
    env = {**os.environ, "COLUMNS": "200", "LANDRENEW_WARM_ON_START": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "landrenew", "--db", db, "demo", "--parcels",
                             "200", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        for line in proc.stdout:  # the summary, the accounts, then the URL as it starts serving
            lines.append(line)
            if "serving on" in line:
                break
        out = "".join(lines)
        assert "300 parcels" in out and "demo accounts" in out  # 200 + 100 in other cities
        accounts = {row.split()[0]: row.split() for row in out.splitlines()
                    if row.startswith("  ") and len(row.split()) == 3}
        assert accounts["city"][1:] == ["city_staff", "demo-city-2024"]
        assert accounts["pengjiang"][1] == "district_staff"
        assert f"http://127.0.0.1:{port}/" in out
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the demo server did not answer"
            time.sleep(0.2)
        token = httpx.post(f"{base}/api/auth/token", data={
            "username": "city", "password": accounts["city"][2]}).json()["access_token"]
        parcels = httpx.get(f"{base}/api/parcels?limit=1",
                            headers={"Authorization": f"Bearer {token}"}).json()
        assert parcels["total"] == 300
        districts = httpx.get(f"{base}/api/districts",
                              headers={"Authorization": f"Bearer {token}"}).json()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    code = districts["items"][0]["code"]
    added = runner.invoke(app, ["--db", db, "users", "add", "wang", "--role", "district_staff",
                                "--district", code, "--password-stdin"],
                          input="a-long-password\n")
    assert added.exit_code == 0, added.output
    assert f"for {code}" in added.output
    listed = runner.invoke(app, ["--db", db, "users", "list"], env={"COLUMNS": "200"})
    assert any("wang" in row and code in row for row in listed.output.splitlines())
    unknown = runner.invoke(app, ["--db", db, "users", "add", "zhao", "--role",
                                  "district_staff", "--district", "999999",
                                  "--password-stdin"], input="a-long-password\n")
    assert isinstance(unknown.exception, InputError) and "999999" in str(unknown.exception)


@pytest.mark.parametrize(("env", "field"), [
    ({"LANDRENEW_MODE": "production"}, "SECRET_KEY"),
    ({"LANDRENEW_MODE": "staging"}, "MODE"),
    ({"LANDRENEW_TOKEN_MINUTES": "0"}, "TOKEN_MINUTES"),
])
def test_a_bad_setting_is_one_line_naming_it_for_every_command(
        tmp_path: Path, env: dict[str, str], field: str) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LANDRENEW_")}
    for command in (["users", "list"], ["demo", "--parcels", "100", "--no-serve"], ["serve"]):
        proc = subprocess.run([sys.executable, "-m", "landrenew", "--db",
                               f"sqlite:///{tmp_path / 'x.db'}", *command],
                              capture_output=True, text=True, env={**base, **env, "COLUMNS": "200"},
                              cwd=tmp_path, timeout=120)
        assert proc.returncode == 1, (command, proc.stderr)
        assert "[configuration]" in proc.stderr, command
        assert f"setting LANDRENEW_{field}:" in proc.stderr, command
        assert proc.stderr.startswith("错误 error [configuration]"), command  # nothing before
        assert len(proc.stderr.strip().splitlines()) <= 2, proc.stderr  # Chinese, then English
        assert "Traceback" not in proc.stderr and "pydantic" not in proc.stderr, command
    assert not (tmp_path / "x.db").exists()  # refused before anything was built
