"""The workflow forms (工作流程表单): a project created and changed, a phase added from a
boundary file or a drawing, people registered, agreements signed with their scanned copy and
withdrawn — all from the pages, refusals in place in Chinese with what was typed kept."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import geopandas as gpd
import shapely

from landrenew.core import ledger
from landrenew.core.store.models import LedgerRecord

from api.conftest import CRS, EAST, WEST, X0, Y0, World


def _post(w: World, role: str, url: str, data: dict[str, Any], **kw: Any) -> Any:
    return w.page(role).post(url, data={"csrf_token": w.csrf(role), **data},
                             follow_redirects=False, **kw)


def _project(w: World, role: str = "district_staff", **extra: Any) -> int:
    r = _post(w, role, "/projects/new", {"name": "西村改造", "type": "urban_village",
                                         "district_code": WEST, "stage": "proposed", **extra})
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def _square(x: float, y: float, size: float = 80.0) -> dict[str, Any]:
    """A square in the city's projected zone, as GeoJSON in EPSG:4490."""
    frame = gpd.GeoSeries([shapely.box(x, y, x + size, y + size)], crs=CRS).to_crs(4490)
    return dict(shapely.geometry.mapping(frame.iloc[0]))


def test_a_project_is_created_from_its_form(city: World) -> None:
    w = city
    form = w.page("district_staff").get("/projects/new")
    assert form.status_code == 200 and 'id="project-form"' in form.text
    assert "城中村改造" in form.text and "新建项目" in form.text  # Chinese first
    # a blank name is refused beside its field, in Chinese, with the rest kept
    r = _post(w, "district_staff", "/projects/new", {"name": " ", "type": "urban_village",
                                                     "district_code": WEST,
                                                     "lead_unit": "白沙街道"})
    assert r.status_code == 422
    assert 'data-field="name"' in r.text and "必填" in r.text
    assert 'value="白沙街道"' in r.text
    # a district of another district's staff is refused, not stored
    r = _post(w, "district_staff", "/projects/new", {"name": "东村", "type": "urban_village",
                                                     "district_code": EAST})
    assert r.status_code in (403, 422)
    pid = _project(w, planned_start="2026-01-01", planned_end="2027-12-31",
                   instruments=["mixed_use", "far_bonus"], parcel_codes="JM-0000\nJM-0001")
    got = w.client.get(f"/api/projects/{pid}", headers=w.headers("admin")).json()
    assert got["created_by"] == "district_staff" and got["district_code"] == WEST
    assert got["instruments"] == ["mixed_use", "far_bonus"]
    assert got["parcel_codes"] == ["JM-0000", "JM-0001"] and got["planned_end"] == "2027-12-31"
    page = w.page("district_staff").get(f"/projects/{pid}")
    assert 'id="project-edit"' in page.text and 'id="phase-new"' in page.text
    # readers get no form
    assert w.page("viewer").get("/projects/new", follow_redirects=False).status_code == 403
    assert 'id="project-new"' not in w.page("viewer").get("/projects").text


def test_a_project_is_changed_with_its_reason(city: World) -> None:
    w = city
    pid = _project(w)
    form = w.page("district_staff").get(f"/projects/{pid}/edit")
    assert form.status_code == 200 and 'value="西村改造"' in form.text
    data = {"name": "西村改造", "type": "urban_village", "district_code": WEST,
            "stage": "in_library", "lead_unit": "白沙街道"}
    r = _post(w, "district_staff", f"/projects/{pid}/edit", data)
    assert r.status_code == 422 and 'data-field="reason"' in r.text and "请填写变更原因" in r.text
    assert 'value="白沙街道"' in r.text  # what was typed stays
    r = _post(w, "district_staff", f"/projects/{pid}/edit", {**data, "reason": "入库"})
    assert r.status_code == 303 and r.headers["location"] == f"/projects/{pid}"
    got = w.client.get(f"/api/projects/{pid}", headers=w.headers("admin")).json()
    assert got["version"] == 2 and got["stage"] == "in_library" and got["lead_unit"] == "白沙街道"
    r = _post(w, "district_staff", f"/projects/{pid}/edit",
              {**data, "planned_start": "2027-01-01", "planned_end": "2026-01-01",
               "reason": "调整"})
    assert r.status_code == 422 and 'data-field="planned_end"' in r.text
    r = _post(w, "district_staff", f"/projects/{pid}/edit",
              {**data, "planned_start": "2027-13-01", "reason": "调整"})
    assert r.status_code == 422 and "不是有效日期" in r.text and "2027-13-01" in r.text


def test_a_phase_from_a_boundary_file_or_a_drawing(city: World) -> None:
    w = city
    pid = _project(w)
    assert w.page("district_staff").get(f"/projects/{pid}/phases/new").status_code == 200
    square = _square(X0 + 3000, Y0 + 3000)
    body = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": square}]}).encode()
    r = _post(w, "district_staff", f"/projects/{pid}/phases/new", {"name": "一期"},
              files={"boundary": ("一期范围.geojson", body, "application/geo+json")})
    assert r.status_code == 303, r.text
    phase = w.client.get(r.headers["location"].replace("/phases/", "/api/phases/"),
                         headers=w.headers("admin")).json()
    assert phase["name"] == "一期" and abs(phase["area_m2"] - 6400) < 5
    drawn = _square(X0 + 3200, Y0 + 3000, 50)
    r = _post(w, "district_staff", f"/projects/{pid}/phases/new",
              {"name": "二期", "geometry": json.dumps(drawn)})
    assert r.status_code == 303
    phase = w.client.get(r.headers["location"].replace("/phases/", "/api/phases/"),
                         headers=w.headers("admin")).json()
    assert abs(phase["area_m2"] - 2500) < 5
    # an unreadable file: said plainly in Chinese, no server path, the name kept
    r = _post(w, "district_staff", f"/projects/{pid}/phases/new", {"name": "三期"},
              files={"boundary": ("broken.geojson", b"{not json", "application/geo+json")})
    assert r.status_code == 422 and "无法读取" in r.text and "/tmp" not in r.text
    assert 'value="三期"' in r.text
    # a drawing that is not a polygon: refused beside the field, the drawing kept
    line = json.dumps({"type": "LineString", "coordinates": [[112, 22], [112.1, 22.1]]})
    r = _post(w, "district_staff", f"/projects/{pid}/phases/new",
              {"name": "三期", "geometry": line})
    assert r.status_code == 422 and 'data-field="geometry"' in r.text
    assert "LineString" in r.text  # kept in the textarea
    assert w.page("viewer").post(f"/projects/{pid}/phases/new", data={
        "csrf_token": w.csrf("viewer"), "name": "x"}).status_code == 403


def _phase(w: World, pid: int) -> int:
    r = _post(w, "district_staff", f"/projects/{pid}/phases/new", {"name": "一期"})
    assert r.status_code == 303
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_people_are_registered_and_agreements_signed_with_their_scan(city: World) -> None:
    w = city
    pid = _project(w)  # no approved scheme yet
    phid = _phase(w, pid)
    r = _post(w, "district_staff", f"/phases/{phid}/people",
              {"person_id": "CV-001", "name": "陈大文", "kind": "villager"})
    assert r.status_code == 200 and 'data-person="CV-001"' in r.text
    r = _post(w, "district_staff", f"/phases/{phid}/people",
              {"lines": "CV-002, 李小红, 村民转居民\nCV-003\t黄祖屋\t祖屋业主"})
    assert r.status_code == 200 and 'data-person="CV-003"' in r.text
    # a person listed twice: 409 in place, in Chinese, the typed lines kept
    r = _post(w, "district_staff", f"/phases/{phid}/people", {"lines": "CV-001, 陈大文, 村民"})
    assert r.status_code == 409 and 'id="people-refused"' in r.text and "已列入" in r.text
    assert "CV-001, 陈大文, 村民" in r.text
    r = _post(w, "district_staff", f"/phases/{phid}/people", {"lines": "CV-009 陈"})
    assert r.status_code == 422 and "第 1 行" in r.text
    # signing before the implementation scheme is approved: 409 with the rule and the clause
    scan = b"%PDF-1.4 scanned agreement of CV-001"
    r = _post(w, "district_staff", f"/phases/{phid}/sign",
              {"person_id": "CV-001", "signed_on": "2026-03-01"},
              files={"evidence": ("CV-001协议.pdf", scan, "application/pdf")})
    assert r.status_code == 409, r.text
    assert "项目实施方案尚未批复" in r.text and "signing_requires_approved_scheme" in r.text
    assert 'value="2026-03-01"' in r.text  # the day typed is kept
    r = _post(w, "district_staff", f"/projects/{pid}/edit", {
        "name": "西村改造", "type": "urban_village", "district_code": WEST,
        "stage": "approved", "scheme_approved_on": "2026-01-15", "reason": "方案批复"})
    assert r.status_code == 303
    r = _post(w, "district_staff", f"/phases/{phid}/sign",
              {"person_id": "CV-001", "signed_on": "2026-03-01"},
              files={"evidence": ("CV-001协议.pdf", scan, "application/pdf")})
    assert r.status_code == 200 and 'data-person="CV-001" data-signed="true"' in r.text
    assert "people-refused" not in r.text  # the refusal is gone once the condition holds
    with w.store.read_session() as session:
        rec = [x for x in ledger.records(session, ledger.ledger_name("signing", pid))
               if isinstance(x, LedgerRecord)][-1]
        assert rec.evidence_sha256 == hashlib.sha256(scan).hexdigest()
        assert "CV-001协议.pdf" in json.dumps(rec.details, ensure_ascii=False)
    # withdrawing, with its reason; withdrawing again is refused in place
    r = _post(w, "district_staff", f"/phases/{phid}/withdraw",
              {"person_id": "CV-001", "signed_on": "2026-03-05", "note": "本人反悔"})
    assert r.status_code == 200 and 'data-person="CV-001" data-signed="false"' in r.text
    r = _post(w, "district_staff", f"/phases/{phid}/withdraw",
              {"person_id": "CV-001", "signed_on": "2026-03-06", "note": "再次"})
    assert r.status_code == 409 and "没有可撤回的协议" in r.text
    page = w.page("viewer").get(f"/phases/{phid}")
    assert 'id="people-form"' not in page.text and 'class="inline sign-form"' not in page.text
    assert not re.search(r"built-in method|object at 0x", page.text)


# ---------------------------------------------------------------- consent units and votes

def test_consent_units_consents_and_votes_from_the_workflow_page(city: World) -> None:
    w = city
    pid = _project(w, owner_company="江门市土地整备有限公司")
    page = w.page("district_staff").get(f"/projects/{pid}/workflow")
    assert page.status_code == 200 and 'id="unit-form"' in page.text
    assert 'id="unit-form"' not in w.page("viewer").get(f"/projects/{pid}/workflow").text
    r = _post(w, "district_staff", f"/projects/{pid}/consent-units", {
        "code": "A栋", "name": "A栋住宅楼", "kind": "condominium",
        "owners": "o1, 150\no2，150\no3, 100\no4, 100\no5, 50\no6, 50"})
    assert r.status_code == 200 and 'data-unit="A栋"' in r.text, r.text
    # an area that is not a number: refused in place, in Chinese, the lines kept
    r = _post(w, "district_staff", f"/projects/{pid}/consent-units", {
        "code": "B栋", "name": "B栋", "kind": "condominium", "owners": "b1, 很大"})
    assert r.status_code == 422 and 'id="refusal"' in r.text and "不是以 m² 计的面积" in r.text
    assert "b1, 很大" in r.text
    taken = _post(w, "district_staff", f"/projects/{pid}/consent-units", {
        "code": "A栋", "name": "again", "kind": "single_holder", "owners": "x"})
    assert taken.status_code == 409 and 'data-code="duplicate_unit"' in taken.text
    form = b"signed consent form of o1"
    for owner in ("o1", "o2", "o3"):
        r = _post(w, "district_staff", f"/projects/{pid}/consents",
                  {"unit": "A栋", "owner": owner, "action": "consent", "on": "2026-03-02"},
                  files={"evidence": (f"{owner}.pdf", form + owner.encode(), "application/pdf")})
        assert r.status_code == 200, r.text
    assert 'data-unit="A栋" data-allowed="false"' in r.text  # 3 of 6 households
    assert "条" in r.text  # the checks show their clauses
    stranger = _post(w, "district_staff", f"/projects/{pid}/consents",
                     {"unit": "A栋", "owner": "zz", "action": "consent", "on": "2026-03-02"})
    assert stranger.status_code == 422 and 'value="zz"' in stranger.text
    r = _post(w, "district_staff", f"/projects/{pid}/consents",
              {"unit": "A栋", "owner": "o4", "action": "consent", "on": "2026-03-03"})
    assert 'data-unit="A栋" data-allowed="true"' in r.text
    with w.store.read_session() as session:
        rec = [x for x in ledger.records(session, ledger.ledger_name("consent", pid))
               if x.subject == "A栋/o1"][-1]
        assert rec.evidence_sha256 == hashlib.sha256(form + b"o1").hexdigest()
    # a collective unit decides by its body's vote
    r = _post(w, "district_staff", f"/projects/{pid}/consent-units", {
        "code": "濠头村", "name": "濠头村集体土地", "kind": "collective",
        "body": "villagers_meeting"})
    assert r.status_code == 200 and 'id="vote-form"' in r.text
    bad = _post(w, "district_staff", f"/projects/{pid}/votes", {
        "unit": "濠头村", "body": "villagers_meeting", "eligible": "100", "present": "120",
        "in_favour": "10", "held_on": "2026-02-01"})
    assert bad.status_code == 422 and 'value="120"' in bad.text
    r = _post(w, "district_staff", f"/projects/{pid}/votes", {
        "unit": "濠头村", "body": "villagers_meeting", "eligible": "100", "present": "60",
        "in_favour": "31", "held_on": "2026-02-01"},
        files={"evidence": ("会议记录.pdf", b"minutes", "application/pdf")})
    assert r.status_code == 200 and 'data-unit="濠头村" data-allowed="true"' in r.text
    assert 'id="willingness" data-allowed="true"' in r.text


def test_a_step_is_returned_and_a_flag_declared_from_the_workflow_page(city: World) -> None:
    from api import test_permissions  # noqa: F401  (the matrix modules load through it)
    from api.matrix_consolidation import STEP, consolidation_projects

    w = city
    pid = consolidation_projects(w)["west"]
    page = w.page("district_staff").get(f"/projects/{pid}/workflow")
    assert 'id="return-form"' in page.text and 'id="flags-form"' in page.text
    r = _post(w, "district_staff", f"/projects/{pid}/workflow/provide",
              {"step": STEP, "item": "compensation_plan", "ref": "补偿方案"})
    assert r.status_code == 200 and 'data-item="compensation_plan" data-status="present"' in r.text
    r = _post(w, "district_staff", f"/projects/{pid}/workflow/return",
              {"step": STEP, "to_step": STEP, "items": ["compensation_plan"],
               "reason": "方案需补充"})
    assert r.status_code == 200 and 'id="refusal"' not in r.text, r.text
    after = w.client.get(f"/api/projects/{pid}/workflow", headers=w.headers("admin")).json()
    status = {req["code"]: req["status"] for s in after["steps"] if s["code"] == STEP
              for req in s["requirements"]}
    assert status["compensation_plan"] == "missing"
    assert any(t.get("reason") == "方案需补充" for t in after["log"])
    # without a reason: refused in the body, in Chinese
    r = _post(w, "district_staff", f"/projects/{pid}/workflow/return",
              {"step": STEP, "reason": " "})
    assert r.status_code == 422 and 'id="refusal"' in r.text
    r = _post(w, "district_staff", f"/projects/{pid}/workflow/flags",
              {"flag": "heritage_involved", "value": "true", "reason": "涉及历史建筑"})
    assert r.status_code == 200 and 'data-flag="heritage_involved" data-value="true"' in r.text


# ---------------------------------------------------------------- the parcel form

def test_a_parcel_is_corrected_from_its_form(city: World) -> None:
    w = city
    form = w.page("district_staff").get("/parcels/JM-0000/edit")
    assert form.status_code == 200 and "建筑面积(㎡)" in form.text and 'value="2000"' in form.text
    assert 'href="/parcels/JM-0000/edit"' in w.page("district_staff").get("/parcels").text
    bad = _post(w, "district_staff", "/parcels/JM-0000/edit",
                {"floor_area_m2": "2,345.5", "building_year": "3025", "reason": "核查更正"})
    assert bad.status_code == 422 and 'data-field="building_year"' in bad.text
    assert 'value="2,345.5"' in bad.text and 'value="3025"' in bad.text  # what was typed stays
    no_reason = _post(w, "district_staff", "/parcels/JM-0000/edit",
                      {"floor_area_m2": "2,345.5"})
    assert no_reason.status_code == 422 and 'data-field="reason"' in no_reason.text
    r = _post(w, "district_staff", "/parcels/JM-0000/edit",
              {"floor_area_m2": "2,345.5", "building_year": "1995", "reason": "核查更正"})
    assert r.status_code == 303
    assert "已保存为第" in w.page("district_staff").get(r.headers["location"]).text
    got = w.client.get("/api/parcels/JM-0000", headers=w.headers("admin")).json()
    assert got["floor_area_m2"] == 2345.5
    history = w.client.get("/api/parcels/JM-0000/history", headers=w.headers("admin")).json()
    latest = max(history["items"], key=lambda v: v["version"])
    assert latest["reason"] == "核查更正" and latest["changed"] == ["floor_area_m2"]
