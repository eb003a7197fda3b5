"""Shared shapes of the API (页面、错误、健康检查)."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``total`` matching items, the page's ``limit``/``offset``, ``items``."""

    total: int
    limit: int
    offset: int
    items: list[T]
    #: Keyset cursor (where a list supports it): pass as ``after=`` for the next page; absent on
    #: the last page.
    next_after: str | None = None


class ErrorPublic(BaseModel):
    code: str
    message: str
    message_zh: str | None = None  # the same in Chinese (the error catalogue)
    field: str | None = None
    file: str | None = None
    row: Any = None


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    schema_revision: str | None


# ---------------------------------------------------------------- auth and users
