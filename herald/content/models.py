"""Tables of the content room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


class Template(Base):
    """A message as a family: one channel and purpose, with versions per locale and A/B variant."""

    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16), default="marketing")
    category: Mapped[str | None] = mapped_column(String(16))  # WhatsApp: MARKETING | UTILITY | AUTHENTICATION
    default_locale: Mapped[str] = mapped_column(String(16))
    # The jurisdictions (policy presets) it is written for beyond those of its locale and the installation's.
    presets: Mapped[list] = mapped_column(JSONType, default=list, server_default=text("'[]'"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TemplateVersion(Base):
    """One reviewed text of a template for a locale and variant; approved versions never change."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "locale", "variant", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    variant: Mapped[str] = mapped_column(String(16), default="A")
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # draft | pending | approved | rejected
    content: Mapped[dict] = mapped_column(JSONType)
    author: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(64))
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meta_status: Mapped[str | None] = mapped_column(String(24))  # WhatsApp: Meta's review of this text
    meta_template_id: Mapped[str | None] = mapped_column(String(64))
    meta_reason: Mapped[str | None] = mapped_column(Text)
    meta_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CouponCode(Base):
    """A pool of one-time codes; each contact gets one per pool and keeps it."""

    __tablename__ = "coupon_codes"
    __table_args__ = (UniqueConstraint("pool", "code"), Index("ix_coupon_codes_pool_contact", "pool", "contact_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    pool: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(128))
    contact_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: an erased contact's code stays spent
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(Integer)  # the message that issued it: redemptions count to it


class LintWord(Base):
    """The operator's edits to the banned-words list: extra words to ban, or preset words to allow."""

    __tablename__ = "lint_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(128), unique=True)
    action: Mapped[str] = mapped_column(String(8))  # ban | allow
    added_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
