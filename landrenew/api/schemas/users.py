"""Users and tokens (用户与令牌): Create / Update / Public."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserPublic(BaseModel):
    name: str
    role: str
    districts: list[str]
    is_active: bool
    created_at: dt.datetime | None = None
    created_by: str | None = None
    organisation: str | None = None
    agency: str | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: Literal["admin", "city_staff", "district_staff", "viewer", "consolidation_entity"]
    districts: list[str] = Field(default_factory=list)
    password: str = Field(min_length=8, max_length=256)
    organisation: str | None = Field(default=None, max_length=256, description=(
        "For consolidation_entity: the company (the projects' owner_company)"))
    agency: str | None = Field(default=None, description=(
        "The body the user acts for in the consolidation workflow, e.g. committee"))


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    is_active: bool


# ---------------------------------------------------------------- parcels
