"""Request and response shapes of the access API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from herald.shapes import Shape


class Me(Shape):
    name: str
    kind: str = Field(description="user, key or system")
    workspace: str = Field(description="The workspace this request acts in.")
    workspaces: list[str] = Field(description="Every workspace this user or key may act in.")
    role: str | None
    permissions: list[str]
    csrf_token: str | None = Field(None, description="Send it as X-CSRF-Token on writes made with the session.")


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="What uses it, e.g. shop-sync.")
    scopes: list[str] = Field(min_length=1, max_length=40, description="Scopes such as contacts:write.")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Expire after this many days.")


class KeyOut(Shape):
    name: str
    prefix: str
    scopes: list[str]
    status: str = Field(description="active, revoked or expired")
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    last_used_from: str | None


class NewKeyOut(KeyOut):
    key: str = Field(description="The whole key, shown this once; Herald keeps only its hash.")


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=1024)
    display_name: str | None = Field(None, max_length=128)


class UserChange(BaseModel):
    role: str | None = Field(None, max_length=32)
    disabled: bool | None = None


class UserOut(Shape):
    name: str
    display_name: str | None
    role: str
    status: str = Field(description="active or disabled")
    second_factor: bool
    created_at: datetime
    signed_in_at: datetime | None


class AuditOut(Shape):
    id: int
    at: datetime
    actor: str
    actor_kind: str
    origin: str
    action: str
    subject: str | None
    outcome: str = Field(description="done or refused")
    note: str | None
    detail: dict[str, Any]
    hash: str


class ChainOut(Shape):
    entries: int
    head: str
    intact: bool
    broken_at: int | None = None
    reason: str | None = None
