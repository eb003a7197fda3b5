"""Users and tokens (用户与令牌): Create / Update / Public."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.schemas.instant import Instant


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserPublic(BaseModel):
    name: str
    role: str
    districts: list[str]
    is_active: bool
    created_at: Instant | None = None
    created_by: str | None = None
    organisation: str | None = None
    agency: str | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: Literal["admin", "city_staff", "district_staff", "viewer", "consolidation_entity"]
    districts: list[str] = Field(default_factory=list)
    password: str = Field(min_length=1, max_length=256, description=(
        "At least 10 characters and not easy to guess (zxcvbn strength 3 of 4)"))
    organisation: str | None = Field(default=None, max_length=256, description=(
        "For consolidation_entity: the company (the projects' owner_company)"))
    agency: str | None = Field(default=None, description=(
        "The body the user acts for in the consolidation workflow, e.g. committee"))


class UserUpdate(BaseModel):
    """Disable or enable a user, or reset the password (either ends the user's sessions);
    assign districts, organisation or agency (an empty organisation or agency clears it)."""

    model_config = ConfigDict(extra="forbid")
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=256)
    districts: list[str] | None = Field(default=None, max_length=100)
    organisation: str | None = Field(default=None, max_length=256)
    agency: str | None = Field(default=None, max_length=64)


class PasswordChange(BaseModel):
    """A user changing their own password: the current one and the new one."""

    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=256)


# ---------------------------------------------------------------- parcels
