"""The review workflow of a template version: draft → pending → approved | rejected. Pure.

Approved versions are immutable (an edit makes the next version); the reviewer may not be the author,
so no one approves their own words.
"""

from __future__ import annotations

from herald.errors import Conflict, Forbidden, Invalid

STATUSES = ("draft", "pending", "approved", "rejected")
TRANSITIONS = {
    ("draft", "submit"): "pending",
    ("pending", "withdraw"): "draft",
    ("pending", "approve"): "approved",
    ("pending", "reject"): "rejected",
}


def transition(status: str, action: str, author: str, actor: str, reason: str | None = None) -> str:
    """The status after `actor` takes `action` on a version in `status`, or why they may not."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        allowed = [a for (s, a) in TRANSITIONS if s == status] or ["edit (which makes a new version)"]
        raise Conflict(f"a {status} version cannot be {_past(action)}; allowed now: {', '.join(allowed)}")
    if not actor.strip():
        raise Invalid("say who you are (--by)", where=action)
    if action in ("approve", "reject") and actor.strip().lower() == author.strip().lower():
        raise Forbidden(f"{actor} wrote this version and may not {action} it; ask another reviewer")
    if action == "reject" and not (reason or "").strip():
        raise Invalid("a rejection needs a reason the author can act on", where="reject")
    return target


def on_edit(status: str) -> str:
    """What an edit does: change the draft in place, or start the next version from an approved or rejected
    one; a version under review is not edited (withdraw it first)."""
    if status == "draft":
        return "in-place"
    if status == "pending":
        raise Conflict("this version is under review; withdraw it before editing")
    return "new-version"


def _past(action: str) -> str:
    return {"submit": "submitted", "withdraw": "withdrawn", "approve": "approved", "reject": "rejected"}.get(
        action, f"{action}ed"
    )
