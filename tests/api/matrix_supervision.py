"""Permission-matrix cases of programme supervision and reports (merged into
test_permissions.MATRIX).

Everyone signed in reads the tasks, the programme and the reports; the city bureau
(administrators, city staff) runs the programme and makes and files reports; a unit's member
reports progress on the unit's tasks only (district staff: their district government's). The
world is Jiangmen's: its programme pack applies; ``city_staff`` belongs to 市自然资源局.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from landrenew.core.access import Principal
from landrenew.supervision import report, service

from .test_permissions import Case, World, denied, get_as

CITY = "440700"
RUNNERS = {"city_staff", "admin"}
ADMIN = Principal(name="admin", role="admin")
_SETUP: dict[int, dict[str, Any]] = {}


def setup(w: World) -> dict[str, Any]:
    """The programme initialised, city_staff in 市自然资源局, a draft report — once a world."""
    if id(w) not in _SETUP:
        service.init_programme(w.store, ADMIN, CITY)
        service.add_member(w.store, ADMIN, CITY, "市自然资源局", "city_staff")
        draft = report.make_report(w.store, ADMIN, CITY, "half_year", period="2024H2")
        _SETUP[id(w)] = {"tasks": {t["code"]: t["id"] for t in service.list_tasks(
            w.store, ADMIN, CITY)}, "draft": draft["id"]}
    return _SETUP[id(w)]


def refused_unless_runner(r: Any, role: str) -> bool:
    """Anonymous 401; everyone but the city bureau 403."""
    if denied(r, role, write=True):
        return True
    if role not in RUNNERS:
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
        return True
    return False


def _post(w: World, role: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return w.client.post(url, headers=w.headers(role), json=body)


def programme_init(w: World, role: str) -> None:
    setup(w)
    r = w.client.post("/api/programme/init", params={"city": CITY}, headers=w.headers(role))
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 200, r.text
    assert r.json()["tasks_created"] == []  # already there: nothing changes


def programme_get(w: World, role: str) -> None:
    setup(w)
    r = get_as(w, role, "/api/programme", params={"city": CITY, "on": "2025-01-15"})
    if denied(r, role):
        return
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["calendar"]["current"] == "implementation"
    assert body["overdue"][0]["overdue"] >= 3 and len(body["units"]) == 22


def tasks_list(w: World, role: str) -> None:
    setup(w)
    r = get_as(w, role, "/api/tasks", params={"city": CITY, "on": "2024-04-01",
                                              "status": "overdue"})
    if denied(r, role):
        return
    assert r.status_code == 200, r.text
    assert [t["code"] for t in r.json()] == ["二"]


def task_get(w: World, role: str) -> None:
    ids = setup(w)["tasks"]
    r = get_as(w, role, f"/api/tasks/{ids['九']}")
    if denied(r, role):
        return
    assert r.status_code == 200, r.text
    assert r.json()["my_units"] == (["蓬江区政府"] if role == "district_staff" else
                                    ["市自然资源局"] if role == "city_staff" else [])


def task_progress(w: World, role: str) -> None:
    ids = setup(w)["tasks"]
    body = {"percent": 30, "text": "推进中", "on": "2024-05-01",
            "evidence": [{"name": "纪要.pdf", "sha256": "b" * 64}]}
    if role == "admin":
        body["unit"] = "新会区政府"
    r = _post(w, role, f"/api/tasks/{ids['九']}/progress", body)
    if denied(r, role, write=True):
        return
    assert r.status_code == 201, r.text
    assert r.json()["unit"] == {"admin": "新会区政府", "city_staff": "市自然资源局",
                                "district_staff": "蓬江区政府"}[role]
    other = _post(w, role, f"/api/tasks/{ids['八']}/progress",
                  {"percent": 1, "text": "x", **({"unit": "新会区政府"} if role == "admin"
                                                 else {})})
    # 八 is 新会区政府's (lead) and the city bureaus'; Pengjiang's staff are neither
    assert other.status_code == (403 if role == "district_staff" else 201), other.text


def task_complete(w: World, role: str) -> None:
    ids = setup(w)["tasks"]
    r = _post(w, role, f"/api/tasks/{ids['四']}/complete",
              {"on": "2024-12-31", "note": f"{role} 验收"})
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 200, r.text
    assert r.json()["done_on"] == "2024-12-31"


def task_supervision(w: World, role: str) -> None:
    ids = setup(w)["tasks"]
    r = _post(w, role, f"/api/tasks/{ids['三']}/supervision",
              {"unit": "江海区政府", "kind": "问责", "reason": "弄虚作假", "on": "2025-02-01"})
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 422 and r.json()["field"] == "evidence", r.text
    r = _post(w, role, f"/api/tasks/{ids['三']}/supervision",
              {"unit": "江海区政府", "kind": "督办", "reason": "限期划定", "on": "2025-02-01"})
    assert r.status_code == 201 and r.json()["due_on"] == "2025-02-16", r.text


def task_targets(w: World, role: str) -> None:
    ids = setup(w)["tasks"]
    r = _post(w, role, f"/api/tasks/{ids['一']}/targets",
              {"year": 2025, "target": "完成2个单元详细规划", "reason": f"{role} 修正"})
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 201 and r.json()["year"] == 2025, r.text


def reports_list(w: World, role: str) -> None:
    setup(w)
    r = get_as(w, role, "/api/reports", params={"city": CITY})
    if denied(r, role):
        return
    assert r.status_code == 200, r.text
    assert r.json()["half_years"][0] == "2023H2"


def reports_make(w: World, role: str) -> None:
    setup(w)
    r = _post(w, role, "/api/reports", {"city": CITY, "kind": "mid-term",
                                        "as_of": "2025-09-01",
                                        "sections": {"experience": "一图统管"}})
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 201, r.text
    assert r.json()["sections"]["experience"] == "一图统管"
    late = _post(w, role, "/api/reports", {"city": CITY, "kind": "mid-term",
                                           "as_of": "2025-10-01"})
    assert late.status_code == 409 and late.json()["code"] == "outside_window", late.text


def report_get(w: World, role: str) -> None:
    draft = setup(w)["draft"]
    r = get_as(w, role, f"/api/reports/{draft}")
    if denied(r, role):
        return
    assert r.status_code == 200, r.text
    assert r.json()["inputs"]["period"] == "2024H2"


def report_patch(w: World, role: str) -> None:
    draft = setup(w)["draft"]
    r = w.client.patch(f"/api/reports/{draft}", headers=w.headers(role),
                       json={"sections": {}})
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 200, r.text


def report_file(w: World, role: str) -> None:
    setup(w)
    made = report.make_report(w.store, ADMIN, CITY, "half_year", period="2024H1")
    r = _post(w, role, f"/api/reports/{made['id']}/file")
    if refused_unless_runner(r, role):
        return
    assert r.status_code == 200 and r.json()["filed"] is True, r.text
    again = _post(w, role, f"/api/reports/{made['id']}/file")
    assert again.status_code == 409 and again.json()["code"] == "report_filed"


def _sheet(r: Any) -> Any:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(r.content))


def report_download(w: World, role: str) -> None:
    draft = setup(w)["draft"]
    r = get_as(w, role, f"/api/reports/{draft}/download/xlsx")
    if denied(r, role):
        return
    assert _sheet(r)["表1"].max_row == 12


def half_year_download(w: World, role: str) -> None:
    setup(w)
    r = get_as(w, role, "/api/reports/half-year/2024H2/xlsx", params={"city": CITY})
    if denied(r, role):
        return
    assert "表6" in _sheet(r).sheetnames
    assert "filename*=UTF-8''" in r.headers["content-disposition"]


def evaluation_download(w: World, role: str) -> None:
    setup(w)
    r = get_as(w, role, "/api/reports/evaluation/mid-term/xlsx",
               params={"city": CITY, "as_of": "2025-09-01"})
    if denied(r, role):
        return
    assert "表9" in _sheet(r).sheetnames
    late = get_as(w, role, "/api/reports/evaluation/final/xlsx",
                  params={"city": CITY, "as_of": "2025-09-01"})
    assert late.status_code == 409 and late.json()["code"] == "outside_window"


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/programme/init"): programme_init,
    ("GET", "/api/programme"): programme_get,
    ("GET", "/api/tasks"): tasks_list,
    ("GET", "/api/tasks/{task_id}"): task_get,
    ("POST", "/api/tasks/{task_id}/progress"): task_progress,
    ("POST", "/api/tasks/{task_id}/complete"): task_complete,
    ("POST", "/api/tasks/{task_id}/supervision"): task_supervision,
    ("POST", "/api/tasks/{task_id}/targets"): task_targets,
    ("GET", "/api/reports"): reports_list,
    ("POST", "/api/reports"): reports_make,
    ("GET", "/api/reports/{report_id}"): report_get,
    ("PATCH", "/api/reports/{report_id}"): report_patch,
    ("POST", "/api/reports/{report_id}/file"): report_file,
    ("GET", "/api/reports/{report_id}/download/{fmt}"): report_download,
    ("GET", "/api/reports/half-year/{period}/{fmt}"): half_year_download,
    ("GET", "/api/reports/evaluation/{kind}/{fmt}"): evaluation_download,
}
