"""Users: names, passwords, roles, owners, lock-out and the second factor, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from herald import access
from herald.access import totp
from herald.access.actors import Actor
from herald.errors import Conflict, Forbidden, Invalid
from tests.conftest import NOW

PASSWORD = "correct horse battery"


def make(container, name: str, role: str, by: Actor | None = None) -> None:
    with container.uow() as uow:
        access.create_user(uow, name, role, PASSWORD, NOW, by=by)


def actor(container, name: str) -> Actor:
    with container.uow() as uow:
        return access.actor_of(access.user(uow, name), "10.0.0.1")


def test_a_user_is_kept_with_a_memory_hard_hash_never_the_password(container) -> None:
    make(container, " Ada.Lovelace@shop ", "owner")
    with container.uow() as uow:
        found = access.user(uow, "ada.lovelace@shop")
        assert found.password_hash.startswith("$argon2id$") and PASSWORD not in found.password_hash
        assert access.actor_of(found, "x").permissions == access.catalog().role("owner")


@pytest.mark.parametrize(
    ("name", "role", "password", "error"),
    [
        ("ada", "wizard", PASSWORD, "unknown role 'wizard'"),
        ("-ada", "owner", PASSWORD, "name: use 1 to 64"),
        ("ada lovelace", "owner", PASSWORD, "name: use 1 to 64"),
        ("ada", "owner", "short", "password: a password needs at least 10"),
        ("adalovelace", "owner", "AdaLovelace", "may not be the user's name"),
    ],
)
def test_bad_users_are_refused_naming_the_field(container, name: str, role: str, password: str, error: str) -> None:
    with pytest.raises(Invalid, match=error), container.uow() as uow:
        access.create_user(uow, name, role, password, NOW)
    with container.uow() as uow:
        assert access.users(uow) == []


def test_a_name_is_taken_once(container) -> None:
    make(container, "ada", "owner")
    with pytest.raises(Conflict, match="'ada' already exists"):
        make(container, "ADA", "marketer")


def test_only_an_owner_makes_or_unmakes_an_owner_and_the_last_owner_stays(container) -> None:
    make(container, "ada", "owner")
    make(container, "ben", "admin")
    ben = actor(container, "ben")
    with pytest.raises(Forbidden, match="only an owner"):
        make(container, "cat", "owner", by=ben)
    make(container, "cat", "marketer", by=ben)
    with pytest.raises(Forbidden, match="only an owner"), container.uow() as uow:
        access.set_disabled(uow, "ada", True, NOW, by=ben)
    ada = actor(container, "ada")
    with pytest.raises(Conflict, match="ada is the last owner"), container.uow() as uow:
        access.set_role(uow, "ada", "admin", by=ada)
    with container.uow() as uow:
        access.set_role(uow, "ben", "owner", by=ada)
    ben = actor(container, "ben")
    with container.uow() as uow:
        access.set_role(uow, "ada", "marketer", by=ben)
    assert actor(container, "ada").role == "marketer"


def sign_in(container, name: str, password: str = PASSWORD, code: str = "", at=NOW):
    with container.uow() as uow:
        return access.sign_in(uow, name, password, code, at, "10.0.0.1", "Firefox")


def refused(outcome) -> str:
    assert isinstance(outcome, access.Refusal), outcome
    return outcome.reason


def test_wrong_passwords_lock_the_account_for_longer_each_time(container) -> None:
    make(container, "ada", "owner")
    for n in range(5):
        assert refused(sign_in(container, "ada", "not the password", at=NOW + timedelta(seconds=n))) == (
            "wrong name or password"
        )
    assert "too many wrong passwords" in refused(sign_in(container, "ada", at=NOW + timedelta(seconds=30)))
    # A minute after the fifth, the right password works and the count starts again.
    assert isinstance(sign_in(container, "ada", at=NOW + timedelta(seconds=65)), access.Started)
    with container.uow() as uow:
        assert access.user(uow, "ada").failures == 0


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(container) -> None:
    assert refused(sign_in(container, "nobody")) == "wrong name or password"


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(container) -> None:
    make(container, "ada", "owner")
    make(container, "sam", "support")
    started = sign_in(container, "sam")
    ada = actor(container, "ada")
    with container.uow() as uow:
        access.set_disabled(uow, "sam", True, NOW, by=ada)
    limits = access.SessionLimits(timedelta(hours=1), timedelta(hours=12))
    with pytest.raises(Exception, match="not signed in"), container.uow() as uow:
        access.session_actor(uow, started.token, NOW, limits, "10.0.0.1")
    assert "disabled" in refused(sign_in(container, "sam"))


def test_a_second_factor_code_is_needed_and_taken_once(container) -> None:
    make(container, "ada", "owner")
    with container.uow() as uow:
        address = access.enroll_totp(uow, "ada")
    secret = address.split("secret=")[1].split("&")[0]
    code = totp.hotp(secret, totp.step_of(NOW))
    assert "wrong or already used code" in refused(sign_in(container, "ada"))
    assert isinstance(sign_in(container, "ada", code=code), access.Started)
    assert "already used" in refused(sign_in(container, "ada", code=code, at=NOW + timedelta(seconds=5)))
    assert refused(sign_in(container, "ada", "wrong password!", code=code)) == "wrong name or password"


def test_a_session_lasts_while_used_and_ends_idle_or_signed_out(container) -> None:
    make(container, "ada", "owner")
    limits = access.SessionLimits(timedelta(minutes=60), timedelta(hours=12))
    started = sign_in(container, "ada")
    with container.uow() as uow:
        signed = access.session_actor(uow, started.token, NOW + timedelta(minutes=50), limits, "10.0.0.1")
    assert signed.actor.name == "ada" and signed.csrf == started.csrf
    with container.uow() as uow:  # seen at 50 minutes: still good at 100
        access.session_actor(uow, started.token, NOW + timedelta(minutes=100), limits, "10.0.0.1")
    with pytest.raises(Exception, match="idle too long"), container.uow() as uow:
        access.session_actor(uow, started.token, NOW + timedelta(minutes=170), limits, "10.0.0.1")
    again = sign_in(container, "ada")
    with container.uow() as uow:
        access.sign_out(uow, again.token, NOW)
    with pytest.raises(Exception, match="not signed in"), container.uow() as uow:
        access.session_actor(uow, again.token, NOW, limits, "10.0.0.1")
