"""Tables of the automatic tags room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


class TagRule(Base):
    """A rule as it stands: its latest definition, which version that is, and whether it runs."""

    __tablename__ = "tag_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # event | keyword
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSONType)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class TagRuleVersion(Base):
    """Every definition a rule ever had; tags it applied name the version (`rule:NAME@3`)."""

    __tablename__ = "tag_rule_versions"

    rule_id: Mapped[int] = mapped_column(ForeignKey("tag_rules.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[dict] = mapped_column(JSONType)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(64))
