"""``landrenew users …`` and ``serve``'s refusal of an insecure production secret."""

from __future__ import annotations

from pathlib import Path

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
