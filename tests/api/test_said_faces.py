"""Refusals in Chinese on every face: the page, the API's ``message_zh``, the error page and the
import problems — each with the values the message was made with (the error catalogue)."""

from __future__ import annotations

import re

from .conftest import ENTITY_ORG, WEST, World

HAN = re.compile(r"[\u4e00-\u9fff]")


def _project(w: World) -> int:
    r = w.client.post("/api/projects", headers=w.headers("admin"), json={
        "name": "白沙村整备", "type": "urban_village", "district_code": WEST,
        "owner_company": ENTITY_ORG, "scheme_approved_on": "2026-01-01"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_refused_form_says_why_in_chinese_and_english_under_the_switch(world: World) -> None:
    pid = _project(world)
    page = world.page("city_staff")
    form = {"csrf_token": world.csrf("city_staff"), "revenue": "5000", "unit": "yuan",
            "sold_on": "2026-13-40"}
    zh = page.post(f"/projects/{pid}/finance/disbursements", data=form)
    assert zh.status_code == 422, re.sub(r"<[^>]+>", " ", zh.text)[-3000:]
    said = re.search(r'id="form-refused"[^>]*>(.*?)</p>', zh.text, re.S)
    assert said and "2026-13-40" in said.group(1) and HAN.search(said.group(1))
    assert "is not a day" not in said.group(1)
    en = page.post(f"/projects/{pid}/finance/disbursements?lang=en", data=form)
    assert "&#39;2026-13-40&#39; is not a day" in en.text or "'2026-13-40' is not a day" in en.text


def test_the_api_says_each_refusal_in_chinese_beside_the_english(world: World) -> None:
    r = world.client.get("/api/projects/999999", headers=world.headers("city_staff"))
    assert r.status_code == 404
    body = r.json()
    assert body["message"] and HAN.search(body["message_zh"]), body
    bad = world.client.post("/api/projects", headers=world.headers("admin"), json={
        "name": "x", "type": "urban_village", "district_code": "12345"})
    assert bad.status_code in (409, 422)
    assert HAN.search(bad.json()["message_zh"]) and "12345" in bad.json()["message_zh"], bad.json()


def test_an_error_page_says_it_in_chinese_in_the_signed_in_frame(world: World) -> None:
    page = world.page("city_staff")
    r = page.get("/projects/999999")
    assert r.status_code == 404
    text = re.sub(r"<[^>]+>", " ", r.text)
    assert "999999" in text and "not found" not in text.lower().split("error code")[0]
    assert "Not Found" not in r.text


def test_import_problems_are_said_in_chinese(world: World) -> None:
    sheet = (b"parcel_code,district_code,land_class,survey_year\n"
             b"JM-X1,440703,1001,3025\n")
    r = world.client.post("/api/imports/parcels?dry_run=true", headers=world.headers("admin"),
                          files={"file": ("地块.csv", sheet, "text/csv")})
    problems = r.json().get("problems") or []
    assert problems, r.text
    assert all(HAN.search(p["message_zh"]) for p in problems), problems
