"""Sessions end, passwords are strong, logins are counted (the web face's account promises,
``docs/security.md``): on SQLite and PostGIS, through the real app.

- logging out, changing the password and disabling the user end the session on the server: the
  old cookie no longer opens a page, the old token no longer answers;
- weak passwords are refused with a Chinese (and English) reason by user creation, password
  change and ``landrenew users add``;
- 40 parallel wrong passwords against a live uvicorn let at most ``login_max_failures`` be
  checked; a rotating ``X-Forwarded-For`` is believed only from a configured proxy.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from landrenew.cli import app as cli
from landrenew.core.auth import create_user
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.server import create_app

from api.conftest import PASSWORD, World, post_login, running_server, settings_for

NEW_PASSWORD = "violet-lantern-harbour-42"


def _logged_in(w: World, name: str) -> tuple[TestClient, str]:
    """A browser logged in as ``name`` (session cookie) and an API token of ``name``."""
    browser = TestClient(w.client.app, headers={"Accept": "text/html"})
    assert post_login(browser, username=name, password=PASSWORD).status_code == 303
    token = w.client.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    return browser, token.json()["access_token"]


def _opens(w: World, cookie: str | None = None, token: str | None = None) -> bool:
    """Whether the credential still opens the platform: a page (cookie) or the API (token)."""
    if cookie is not None:
        client = TestClient(w.client.app, headers={"Accept": "text/html"},
                            cookies={"landrenew_session": cookie})
        page = client.get("/parcels", follow_redirects=False)
        me = client.get("/api/auth/me")
        assert (page.status_code == 200) == (me.status_code == 200)
        return page.status_code == 200
    r = w.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (200, 401)
    return r.status_code == 200


def test_logout_ends_the_session_at_once(world: World) -> None:
    create_user(world.store, "li", "city_staff", PASSWORD, actor="setup")
    browser, token = _logged_in(world, "li")
    cookie = browser.cookies["landrenew_session"]
    assert _opens(world, cookie=cookie) and _opens(world, token=token)
    r = browser.post("/logout", data={"csrf_token": browser.cookies["landrenew_csrf"]},
                     follow_redirects=False)
    assert r.status_code == 303
    assert not _opens(world, cookie=cookie)  # the old cookie, replayed, opens nothing
    assert _opens(world, token=token)  # another session of the user lives on
    out = world.client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204 and not _opens(world, token=token)
    events = world.client.get("/api/audit?entity_type=session", headers=world.headers("admin"))
    assert events.status_code == 200 and events.json()["total"] == 2


def test_a_password_change_ends_every_session_of_the_user(world: World) -> None:
    create_user(world.store, "wang", "city_staff", PASSWORD, actor="setup")
    browser, token = _logged_in(world, "wang")
    cookie = browser.cookies["landrenew_session"]
    h = {"Authorization": f"Bearer {token}"}
    wrong = world.client.post("/api/auth/password", headers=h,
                              json={"current_password": "not-it", "password": NEW_PASSWORD})
    assert wrong.status_code == 422 and _opens(world, token=token)
    weak = world.client.post("/api/auth/password", headers=h,
                             json={"current_password": PASSWORD, "password": "wang12345678"})
    assert weak.status_code == 422 and "密码太弱" in weak.json()["message"]
    ok = world.client.post("/api/auth/password", headers=h,
                           json={"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert ok.status_code == 204
    assert not _opens(world, cookie=cookie) and not _opens(world, token=token)
    again = world.client.post("/api/auth/token", data={"username": "wang",
                                                       "password": NEW_PASSWORD})
    assert again.status_code == 200


def test_disabling_a_user_ends_cookie_and_tokens(world: World) -> None:
    create_user(world.store, "zhao", "city_staff", PASSWORD, actor="setup")
    browser, token = _logged_in(world, "zhao")
    cookie = browser.cookies["landrenew_session"]
    r = world.client.patch("/api/users/zhao", headers=world.headers("admin"),
                           json={"is_active": False})
    assert r.status_code == 200
    assert not _opens(world, cookie=cookie) and not _opens(world, token=token)
    # enabling again does not bring the old sessions back
    world.client.patch("/api/users/zhao", headers=world.headers("admin"), json={"is_active": True})
    assert not _opens(world, cookie=cookie) and not _opens(world, token=token)


def test_an_administrator_resets_a_password_and_the_sessions_end(world: World) -> None:
    create_user(world.store, "sun", "viewer", PASSWORD, actor="setup")
    _, token = _logged_in(world, "sun")
    r = world.client.patch("/api/users/sun", headers=world.headers("admin"),
                           json={"password": NEW_PASSWORD})
    assert r.status_code == 200 and not _opens(world, token=token)


@pytest.mark.parametrize("password,why", [
    ("password", "至少需要"), ("12345678", "至少需要 10 个字符"), ("1234567890", "最常见"),
    ("qwertyuiop", "最常见"), ("zxcvbnmasdfgh", "密码太弱"), ("chenjing2024", "密码太弱"),
    ("landrenew2024", "密码太弱")])
def test_weak_passwords_are_refused_in_chinese(city: World, password: str, why: str) -> None:
    r = city.client.post("/api/users", headers=city.headers("admin"), json={
        "name": "chenjing", "role": "viewer", "password": password})
    assert r.status_code == 422, r.text
    body = r.json()
    assert why in body["message"] and body["field"] == "password"
    assert body["code"] in ("weak_password", "invalid_input")


def test_the_cli_refuses_a_weak_password(store: Store) -> None:
    runner = CliRunner()
    add = ["--db", store.url, "users", "add", "liuyang", "--role", "viewer", "--password-stdin"]
    weak = runner.invoke(cli, add, input="liuyang123456\n")
    assert isinstance(weak.exception, InputError) and "密码太弱" in str(weak.exception)
    ok = runner.invoke(cli, add, input=NEW_PASSWORD + "\n")
    assert ok.exit_code == 0, ok.output
    reset = runner.invoke(cli, ["--db", store.url, "users", "password", "liuyang",
                                "--password-stdin"], input="1234567890\n")
    assert isinstance(reset.exception, InputError) and "最常见" in str(reset.exception)


def _attempts(base: str, n: int, headers: Any = None) -> list[int]:
    """``n`` wrong-password logins of ``viewer`` at once; their status codes."""
    def one(i: int) -> int:
        h = headers(i) if callable(headers) else None
        return httpx.post(f"{base}/api/auth/token", headers=h, timeout=60,
                          data={"username": "viewer", "password": f"wrong-{i}"}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_parallel_wrong_logins_are_counted_atomically(world: World) -> None:
    with running_server(world.client.app) as base:
        codes = _attempts(base, 40)
        assert set(codes) <= {401, 429}
        assert codes.count(401) <= 5, codes  # login_max_failures: at most 5 passwords checked
        # Under contention an attempt may be refused while another's row is still counted, so
        # fewer than 5 may have been checked: the rest, one at a time, fill the 5 exactly.
        checked = codes.count(401)
        while (code := _attempts(base, 1)[0]) == 401:
            checked += 1
        assert code == 429 and checked == 5, (codes, checked)
        right = httpx.post(f"{base}/api/auth/token", data={"username": "viewer",
                                                           "password": PASSWORD})
        assert right.status_code == 429


def test_forwarded_for_is_believed_only_from_trusted_proxies(world: World) -> None:
    def rotating(i: int) -> dict[str, str]:
        return {"X-Forwarded-For": f"203.0.113.{i + 1}"}

    with running_server(world.client.app) as base:  # no trusted proxy: the header is ignored
        codes = [_attempts(base, 1, rotating)[0] for _ in range(8)]
        assert codes.count(401) == 5 and codes[-1] == 429
    trusting = create_app(settings_for(world.store.url, trusted_proxies="127.0.0.1"),
                          store=world.store)
    with running_server(trusting) as base:  # behind a proxy, each client is counted apart
        for i in range(8):
            r = httpx.post(f"{base}/api/auth/token", headers=rotating(i + 100),
                           data={"username": "admin", "password": "wrong"})
            assert r.status_code == 401
