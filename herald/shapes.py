"""The base of every response shape the API documents: it names the fields it gives, and lets through
fields it does not name, so that a field a room adds later is never cut from an answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow")
