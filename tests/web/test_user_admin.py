"""User administration from the admin page (用户管理页面), ``PATCH /api/users/{name}`` and
``landrenew users assign``: add, disable, reset the password, assign districts and organisation;
refusals beside their field in Chinese, what was typed kept but never a password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from landrenew.cli import app

from api.conftest import EAST, PASSWORD, WEST, World, post_login

NEW_PASSWORD = "瓦片-淡水-河畔-2026"


def _post(w: World, url: str, data: dict[str, Any]) -> Any:
    return w.page("admin").post(url, data={"csrf_token": w.csrf("admin"), **data},
                                follow_redirects=False)


def _logs_in(w: World, name: str, password: str) -> bool:
    client = TestClient(w.client.app, headers={"Accept": "text/html"})
    return post_login(client, username=name, password=password).status_code == 303


def test_only_admins_see_the_users_page(city: World) -> None:
    w = city
    page = w.page("admin").get("/users")
    assert page.status_code == 200 and 'data-user="district_staff"' in page.text
    assert "区县工作人员" in page.text and "蓬江区" in page.text  # names, not codes
    assert 'href="/users"' in page.text  # in the admin's menu
    for role in ("viewer", "district_staff", "city_staff"):
        r = w.page(role).get("/users", follow_redirects=False)
        assert r.status_code == 403 and 'href="/users"' not in r.text
    login = TestClient(w.client.app).get("/login").text
    assert "landrenew users add" not in login and "用户管理" in login


def test_a_user_is_added_from_the_form(city: World) -> None:
    w = city
    weak = _post(w, "/users", {"name": "wangwu", "role": "district_staff",
                               "password": "123", "districts": [WEST]})
    assert weak.status_code == 422 and 'data-field="password"' in weak.text
    assert 'value="wangwu"' in weak.text and 'value="123"' not in weak.text
    assert f'value="{WEST}" checked' in weak.text  # the district ticked stays ticked
    no_district = _post(w, "/users", {"name": "wangwu", "role": "district_staff",
                                      "password": NEW_PASSWORD})
    assert no_district.status_code == 422 and 'data-field="districts"' in no_district.text
    assert "至少" in no_district.text  # said in Chinese
    taken = _post(w, "/users", {"name": "viewer", "role": "viewer", "password": NEW_PASSWORD})
    assert taken.status_code == 409 and "已存在" in taken.text
    r = _post(w, "/users", {"name": "wangwu", "role": "district_staff",
                            "password": NEW_PASSWORD, "districts": [WEST]})
    assert r.status_code == 303 and r.headers["location"] == "/users/wangwu"
    assert _logs_in(w, "wangwu", NEW_PASSWORD)
    entity = _post(w, "/users", {"name": "zhuti", "role": "consolidation_entity",
                                 "password": NEW_PASSWORD})
    assert entity.status_code == 422 and 'data-field="organisation"' in entity.text


def test_disable_enable_and_reset_a_password(city: World) -> None:
    w = city
    assert _post(w, "/users", {"name": "zhaoliu", "role": "city_staff",
                               "password": NEW_PASSWORD}).status_code == 303
    session = TestClient(w.client.app, headers={"Accept": "text/html"})
    assert post_login(session, username="zhaoliu", password=NEW_PASSWORD).status_code == 303
    assert session.get("/projects", follow_redirects=False).status_code == 200
    r = _post(w, "/users/zhaoliu/active", {"active": "false"})
    assert r.status_code == 303
    page = w.page("admin").get(r.headers["location"])
    assert 'id="user-card" data-active="false"' in page.text and "会话已失效" in page.text
    assert session.get("/projects", follow_redirects=False).status_code == 303  # to login
    assert not _logs_in(w, "zhaoliu", NEW_PASSWORD)
    assert _post(w, "/users/zhaoliu/active", {"active": "true"}).status_code == 303
    own = _post(w, "/users/admin/active", {"active": "false"})  # no admin locks themselves out
    assert own.status_code == 422 and "不能停用自己的账号" in own.text
    assert _logs_in(w, "admin", PASSWORD)
    assert _logs_in(w, "zhaoliu", NEW_PASSWORD)
    bad = _post(w, "/users/zhaoliu/password", {"password": "short"})
    assert bad.status_code == 422 and 'data-field="password"' in bad.text
    assert _post(w, "/users/zhaoliu/password",
                 {"password": "另一个-更长的-口令-2027"}).status_code == 303
    assert not _logs_in(w, "zhaoliu", NEW_PASSWORD)
    assert _logs_in(w, "zhaoliu", "另一个-更长的-口令-2027")
    audit = w.client.get("/api/audit", headers=w.headers("admin"),
                         params={"entity_type": "user"}).json()["items"]
    assert {"disable_user", "enable_user", "change_password"} <= {
        e["action"] for e in audit if e["entity_id"] == "zhaoliu"}


def test_districts_and_organisation_are_assigned(city: World, tmp_path: Path) -> None:
    w = city
    assert _post(w, "/users", {"name": "sunqi", "role": "district_staff",
                               "password": NEW_PASSWORD, "districts": [WEST]}).status_code == 303
    r = _post(w, "/users/sunqi/assign", {"districts": [WEST, EAST]})
    assert r.status_code == 303
    got = w.client.get("/api/users", headers=w.headers("admin")).json()["items"]
    assert next(u for u in got if u["name"] == "sunqi")["districts"] == sorted([WEST, EAST])
    page = w.page("admin").get("/users/sunqi")
    assert "江海区" in page.text and "蓬江区" in page.text
    none = _post(w, "/users/sunqi/assign", {"organisation": "某公司"})
    assert none.status_code == 422 and 'data-field="districts"' in none.text
    assert 'value="某公司"' in none.text  # typed kept
    assert _post(w, "/users/viewer/assign", {"districts": [WEST]}).status_code == 422
    # the API: an entity's organisation moves it to other projects; its agency stays its own
    r = w.client.patch("/api/users/sunqi", headers=w.headers("admin"),
                       json={"districts": [EAST]})
    assert r.status_code == 200 and r.json()["districts"] == [EAST]
    r = w.client.patch("/api/users/consolidation_entity", headers=w.headers("admin"),
                       json={"agency": "committee"})
    assert r.status_code == 422 and r.json()["field"] == "agency"
    assert w.client.patch("/api/users/sunqi", headers=w.headers("district_staff"),
                          json={"districts": [WEST]}).status_code == 403
    audit = w.client.get("/api/audit", headers=w.headers("admin"),
                         params={"entity_type": "user", "action": "assign_user"}).json()["items"]
    assert any(e["entity_id"] == "sunqi" and e["before"]["districts"] == sorted([WEST, EAST])
               and e["after"]["districts"] == [EAST] for e in audit)


def test_users_assign_on_the_command_line(tmp_path: Path, monkeypatch: Any) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["--db", db, "db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["--db", db, "users", "add", "qian", "--role",
                            "consolidation_entity", "--organisation", "甲公司",
                            "--password-stdin"], input=NEW_PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--db", db, "users", "assign", "qian", "--organisation", "乙公司"])
    assert r.exit_code == 0, r.output
    assert "乙公司" in runner.invoke(app, ["--db", db, "users", "list"]).output
    r = runner.invoke(app, ["--db", db, "users", "assign", "qian"])
    assert r.exit_code != 0


def test_a_user_changes_their_own_password(city: World) -> None:
    w = city
    assert _post(w, "/users", {"name": "zhouba", "role": "viewer",
                               "password": NEW_PASSWORD}).status_code == 303
    me = TestClient(w.client.app, headers={"Accept": "text/html"})
    assert post_login(me, username="zhouba", password=NEW_PASSWORD).status_code == 303
    page = me.get("/projects")
    assert 'id="account-link"' in page.text and "修改密码" in page.text

    def change(current: str, new: str, again: str) -> Any:
        return me.post("/account/password", data={
            "csrf_token": me.cookies.get("landrenew_csrf") or "", "current_password": current,
            "password": new, "confirm": again}, follow_redirects=False)
    wrong = change("not-it", "新的-足够长-口令-2028", "新的-足够长-口令-2028")
    assert wrong.status_code == 422 and 'data-field="current_password"' in wrong.text
    assert "新的-足够长-口令-2028" not in wrong.text  # no password is written back
    differ = change(NEW_PASSWORD, "新的-足够长-口令-2028", "新的-足够长-口令-2029")
    assert differ.status_code == 422 and "两次输入的新密码不一致" in differ.text
    done = change(NEW_PASSWORD, "新的-足够长-口令-2028", "新的-足够长-口令-2028")
    assert done.status_code == 303 and "changed=1" in done.headers["location"]
    assert "密码已修改" in me.get(done.headers["location"]).text
    assert not _logs_in(w, "zhouba", NEW_PASSWORD)
    assert _logs_in(w, "zhouba", "新的-足够长-口令-2028")
