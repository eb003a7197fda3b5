"""Permission-matrix cases of the compliance checks (merged into test_permissions.MATRIX).

A check is a record writers keep: city staff and administrators anywhere, district staff in their
districts (another district's is 403 to write, 404 to read); viewers and consolidation entities
read the checks (without the request's reference) but make none. The world's bureau has adopted
Guangzhou's compliance rules for 江门市, so both districts have rules.
"""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl

from .conftest import EAST, WEST
from .test_permissions import Case, World, denied, get_as, page_as, redirected_to_login

WRITERS = {"district_staff", "city_staff", "admin"}
_CHECKS: dict[int, dict[str, int]] = {}


def request(district: str, reference: str = "某宅") -> dict[str, Any]:
    return {"district_code": district, "reference": reference, "permits_complete": "是",
            "area_changed": "否", "height_changed": "否", "floors_changed": "否",
            "facade_changed": "否", "safety_class_lowered": "否", "use_changed": "否"}


def matrix_checks(w: World) -> dict[str, int]:
    """One stored check in each district, made once per world by the admin."""
    if id(w) not in _CHECKS:
        out = {}
        for side, code in (("west", WEST), ("east", EAST)):
            r = w.client.post("/api/checks/renovation_permit", headers=w.headers("admin"),
                              json=request(code, f"{side} 村民住宅"))
            assert r.status_code == 201, r.text
            out[side] = r.json()["id"]
        _CHECKS[id(w)] = out
    return _CHECKS[id(w)]


def checks_create(w: World, role: str) -> None:
    own = w.client.post("/api/checks/renovation_permit", headers=w.headers(role),
                        json=request(WEST))
    if denied(own, role, write=True):
        return
    body = own.json()
    assert own.status_code == 201 and body["recorded_by"] == role, own.text
    assert body["decision"] == "no_permit_needed" and body["pack"] == "jiangmen-compliance"
    other = w.client.post("/api/checks/renovation_permit", headers=w.headers(role),
                          json=request(EAST))
    assert other.status_code == (403 if role == "district_staff" else 201)


def checks_list(w: World, role: str) -> None:
    ids = matrix_checks(w)
    r = get_as(w, role, "/api/checks")
    if denied(r, role):
        return
    seen = {i["id"] for i in r.json()["items"]}
    districts = {i["district_code"] for i in r.json()["items"]}
    if role == "district_staff":
        assert ids["west"] in seen and ids["east"] not in seen and districts == {WEST}
    else:
        assert {ids["west"], ids["east"]} <= seen
    other = get_as(w, role, "/api/checks", params={"district": EAST})
    assert other.status_code == (403 if role == "district_staff" else 200)


def check_get(w: World, role: str) -> None:
    ids = matrix_checks(w)
    own = get_as(w, role, f"/api/checks/{ids['west']}")
    if denied(own, role):
        return
    assert own.status_code == 200
    assert own.json()["reference"] == (None if role in ("viewer", "consolidation_entity")
                                       else "west 村民住宅")
    other = get_as(w, role, f"/api/checks/{ids['east']}")
    assert other.status_code == (404 if role == "district_staff" else 200)


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/checks/{kind}"): checks_create,
    ("GET", "/api/checks"): checks_list,
    ("GET", "/api/checks/{check_id}"): check_get,
}


# ---------------------------------------------------------------- pages


def page_checks(w: World, role: str) -> None:
    ids = matrix_checks(w)
    r = page_as(w, role, "/checks")
    if role == "anonymous":
        return redirected_to_login(r, "/checks")
    assert r.status_code == 200
    shown = {int(x) for x in re.findall(r'data-check="(\d+)"', r.text)}
    assert ids["west"] in shown
    assert (ids["east"] in shown) is (role != "district_staff")
    assert ('id="batch-form"' in r.text) is (role in WRITERS)


def page_check_form(w: World, role: str) -> None:
    r = page_as(w, role, "/checks/new/homestead")
    if role == "anonymous":
        return redirected_to_login(r, "/checks/new/homestead")
    assert r.status_code == (200 if role in WRITERS else 403)


def page_check_submit(w: World, role: str) -> None:
    def submit(district: str) -> Any:
        return w.page(role).post("/checks/new/renovation_permit", data={
            "csrf_token": w.csrf(role), **request(district)}, follow_redirects=False)
    own = submit(WEST)
    if role not in WRITERS:
        assert own.status_code == 403
        return
    assert own.status_code == 200 and 'data-decision="no_permit_needed"' in own.text, own.text
    assert submit(EAST).status_code == (403 if role == "district_staff" else 200)


def page_check(w: World, role: str) -> None:
    ids = matrix_checks(w)
    r = page_as(w, role, f"/checks/{ids['west']}")
    if role == "anonymous":
        return redirected_to_login(r, f"/checks/{ids['west']}")
    assert r.status_code == 200 and 'id="check-reasons"' in r.text
    other = page_as(w, role, f"/checks/{ids['east']}")
    assert other.status_code == (404 if role == "district_staff" else 200)


def _sheet(district: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    values = request(district)
    ws.append(list(values))
    ws.append(list(values.values()))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(w: World, role: str, district: str = WEST) -> Any:
    return w.page(role).post("/checks/batch", data={"csrf_token": w.csrf(role),
                                                    "kind": "renovation_permit"},
                             files={"file": ("申请.xlsx", io.BytesIO(_sheet(district)))},
                             follow_redirects=False)


def page_check_batch(w: World, role: str) -> None:
    r = _upload(w, role)
    if role not in WRITERS:
        assert r.status_code == 403
        return
    assert r.status_code == 200 and 'data-decided="1"' in r.text, r.text
    foreign = _upload(w, role, EAST)  # a row of another district is not decided for its staff
    assert ('data-decided="0"' in foreign.text) is (role == "district_staff")


def page_check_batch_download(w: World, role: str) -> None:
    staged = _upload(w, "admin")
    token = re.search(r'href="/checks/batch/([^"]+)"', staged.text).group(1)  # type: ignore[union-attr]
    r = page_as(w, role, f"/checks/batch/{token}")
    if role == "anonymous":
        return redirected_to_login(r, f"/checks/batch/{token}")
    if role != "admin":  # another user's result
        assert r.status_code == 403
        return
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert [c.value for c in book.active[1]][-6:] == ["decision", "reasons", "pack",
                                                       "pack_version", "check_id", "summary"]


def page_check_template(w: World, role: str) -> None:
    r = page_as(w, role, "/checks/template/legacy_land")
    if role == "anonymous":
        return redirected_to_login(r, "/checks/template/legacy_land")
    assert r.status_code == 200
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(r.content)).active[1]]
    assert header[0] == "district_code" and "construction_in_second_survey" in header


CASES.update({
    ("GET", "/checks"): page_checks,
    ("GET", "/checks/new/{kind}"): page_check_form,
    ("POST", "/checks/new/{kind}"): page_check_submit,
    ("GET", "/checks/{check_id}"): page_check,
    ("POST", "/checks/batch"): page_check_batch,
    ("GET", "/checks/batch/{token}"): page_check_batch_download,
    ("GET", "/checks/template/{kind}"): page_check_template,
})
