"""The error catalogue (错误信息目录): every message the code says has its Chinese, and each
face says it in Chinese with the values it was made with."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from landrenew.core.errors import InputError, Problem
from landrenew.core.said import catalogue, entries, said, say, text_said

from .error_sites import sites, templates

PLACE = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


def test_every_message_of_the_code_has_its_chinese() -> None:
    known = catalogue("zh_CN")
    missing = sorted({f"{path.name}:{line}: {text}" for text, path, line in sites()
                      if text not in known})
    assert not missing, "messages without a Chinese translation in core/translations " \
        "(run `python -m tests.core.error_sites`):\n" + "\n".join(missing)


def test_the_catalogue_holds_no_message_the_code_no_longer_says() -> None:
    assert sorted(set(catalogue("zh_CN")) - templates()) == []


def test_each_translation_keeps_the_values_of_its_message() -> None:
    for msgid, zh in catalogue("zh_CN").items():
        assert Counter(PLACE.findall(zh)) == Counter(PLACE.findall(msgid)), (msgid, zh)
        assert re.search(r"[\u4e00-\u9fff]", zh), (msgid, zh)


def test_a_message_is_said_with_its_values() -> None:
    zh = say("'2026-13-40' is not a day (YYYY-MM-DD)")
    assert "2026-13-40" in zh and re.search(r"[\u4e00-\u9fff]", zh)
    assert "is not a day" not in zh
    assert say("'2026-13-40' is not a day (YYYY-MM-DD)", "en") == \
        "'2026-13-40' is not a day (YYYY-MM-DD)"


def test_where_an_error_is_comes_first_in_chinese() -> None:
    exc = InputError("'abc' is not a number", file="地块.xlsx", row=7, field="tax_10k_yuan")
    zh = said(exc)
    assert zh.startswith("文件 地块.xlsx，第 7 行，字段“tax_10k_yuan”：")
    assert "abc" in zh and "is not a number" not in zh
    assert said(exc, "en") == str(exc)


def test_a_message_no_template_made_is_said_as_it_is() -> None:
    assert say("something entirely unforeseen happened") == \
        "something entirely unforeseen happened"
    assert text_said(None) == ""


def test_the_most_specific_template_wins() -> None:
    weights = [e.weight for e in entries("zh_CN")]
    assert weights == sorted(weights, reverse=True)
    problem = Problem("a.csv", 3, "survey_year", "impossible_year", "3025.0 is not a possible year")
    assert "3025.0" in text_said(problem) and "possible year" not in text_said(problem)


@pytest.mark.parametrize("text", ["{value} is not a possible year",
                                  "'{value}' is not a number"])
def test_templates_of_the_validation_are_in_the_catalogue(text: str) -> None:
    assert text in catalogue("zh_CN")
