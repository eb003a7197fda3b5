"""The compliance check pages (SQLite and PostGIS): an incomplete request answered on the form
naming the fields in Chinese (nothing kept), a decision with its reasons in words and clauses, the
English switch, and the list filtered."""

from __future__ import annotations

import re

from api.conftest import EAST, WEST, World

HOUSE = {"built_on": "1990-05-01", "plan_conforming": "是", "legal_source": "是",
         "eligible": "是", "one_household": "否", "within_area_standard": "是"}


def _post(w: World, role: str, kind: str, data: dict[str, str], query: str = "",
          **headers: str):  # type: ignore[no-untyped-def]
    return w.page(role).post(f"/checks/new/{kind}{query}",
                             data={"csrf_token": w.csrf(role), **data}, headers=headers)


def _stored(w: World) -> int:
    return int(w.client.get("/api/checks", headers=w.headers("admin")).json()["total"])


def test_an_incomplete_request_is_answered_on_the_form(city: World) -> None:
    before = _stored(city)
    r = _post(city, "city_staff", "homestead", {"district_code": WEST, "built_on": "1990-05-01",
                                                "eligible": "也许"}, **{"HX-Request": "true"})
    assert r.status_code == 200 and 'id="check-invalid"' in r.text
    fields = set(re.findall(r'<li data-field="(\w+)">', r.text))
    assert fields == {"eligible", "plan_conforming", "legal_source", "one_household",
                      "within_area_standard"}
    assert "具备建房资格：无法识别" in r.text and "符合相关规划：未填写" in r.text
    assert "<html" not in r.text  # htmx gets the part, not the page
    assert _stored(city) == before


def test_a_decision_with_its_reasons_in_words_and_english(city: World) -> None:
    r = _post(city, "district_staff", "homestead", {"district_code": WEST, **HOUSE})
    assert r.status_code == 200 and 'data-decision="refused"' in r.text
    assert "1987年至1998年底" in r.text and "符合一户一宅：否，应为是" in r.text
    assert "建成日期：1990-05-01，不晚于2015-07-15" in r.text
    assert "对满足相应条件的宅基地房屋" in r.text  # the clause, quoted
    form = city.page("admin").get("/checks/new/homestead?lang=en")
    assert "completed on" in form.text and "one household, one homestead" in form.text
    english = _post(city, "admin", "homestead", {"district_code": WEST, **HOUSE,
                                                 "one_household": "是"}, "?lang=en")
    assert "completed on: 1990-05-01, on or before 2015-07-15" in english.text
    assert "conditions met" in english.text


def test_the_list_is_filtered_and_scoped(city: World) -> None:
    _post(city, "admin", "homestead", {"district_code": EAST, **HOUSE})
    mine = city.page("district_staff").get("/checks", params={"kind": "homestead"})
    assert mine.status_code == 200
    shown = set(re.findall(r'<tr data-check="\d+" data-decision="(\w+)">', mine.text))
    assert shown <= {"refused", "eligible"}
    assert "江海区" not in mine.text.split('id="check-table"')[1]
    every = city.page("admin").get("/checks", params={"decision": "refused",
                                                      "kind": "homestead"})
    assert "江海区" in every.text.split('id="check-table"')[1]
