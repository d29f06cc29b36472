"""Settings: defaults, herald.toml, HERALD_* variables, overrides, and refusals."""

from __future__ import annotations

import pytest

from herald.config import DEV_SECRET, Settings, load_settings, render_config
from herald.errors import Invalid


def test_defaults_then_file_then_environment_then_overrides(tmp_path) -> None:
    path = tmp_path / "herald.toml"
    path.write_text('[herald]\ndatabase_url = "sqlite:///file.db"\nbatch_size = 10\n', encoding="utf-8")
    env = {"HERALD_BATCH_SIZE": "20", "HERALD_PROVIDERS": "sms=file,email=file"}
    s = load_settings(path, env)
    assert (s.database_url, s.batch_size, s.providers) == ("sqlite:///file.db", 20, {"sms": "file", "email": "file"})
    assert load_settings(path, env, database_url="sqlite:///cli.db").database_url == "sqlite:///cli.db"
    assert (
        load_settings(tmp_path / "absent.toml" if False else None, {"HERALD_CONFIG": str(tmp_path / "no.toml")})
        == Settings()
    )


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("bogus = 1\n", {}, "unknown setting(s) bogus"),
        ("batch_size = [\n", {}, "config"),
        ("", {"HERALD_BATCH_SIZE": "lots"}, "setting batch_size: expected a whole number"),
        ("", {"HERALD_BATCH_SIZE": "0"}, "setting batch_size: must be at least 1"),
        ("", {"HERALD_ENV": "staging"}, "must be dev, test or prod"),
        ("", {"HERALD_ENV": "prod"}, "default secret key is refused"),
        ("", {"HERALD_PROVIDERS": "sms"}, "key=value"),
        ("clusters = 1\n", {}, "setting clusters: must be 0 (none) or 2 to 12"),
    ],
)
def test_bad_settings_are_refused_by_name(tmp_path, toml, env, message) -> None:
    path = tmp_path / "herald.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(Invalid) as err:
        load_settings(path, env)
    assert message in str(err.value)


def test_prod_runs_with_a_real_secret() -> None:
    assert (
        load_settings(None, {"HERALD_ENV": "prod", "HERALD_SECRET_KEY": "s3cret", "HERALD_CONFIG": "/nope"}).env
        == "prod"
    )


def test_a_named_config_file_must_exist(tmp_path) -> None:
    with pytest.raises(Invalid, match="file not found"):
        load_settings(tmp_path / "missing.toml", {})


def test_the_rendered_config_reads_back_the_same(tmp_path) -> None:
    path = tmp_path / "herald.toml"
    path.write_text(render_config(Settings()), encoding="utf-8")
    assert load_settings(path, {}) == Settings()
    assert DEV_SECRET in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "expected"), [("false", False), ("No", False), ("0", False), (" off ", False), ("TRUE", True), ("1", True)]
)
def test_a_switch_reads_true_and_false_in_their_usual_spellings(raw, expected) -> None:
    assert load_settings(None, {"HERALD_RECEIPTS_QUEUED": raw}).receipts_queued is expected


def test_a_switch_refuses_anything_else_and_names_the_setting(tmp_path) -> None:
    with pytest.raises(Invalid, match="setting receipts_queued: expected true or false, got 'maybe'"):
        load_settings(None, {"HERALD_RECEIPTS_QUEUED": "maybe"})
    path = tmp_path / "herald.toml"
    path.write_text("[herald]\nreceipts_queued = false\n", encoding="utf-8")
    assert load_settings(path, {}).receipts_queued is False


def test_a_workspace_has_settings_of_its_own_over_the_installations() -> None:
    base = Settings(
        public_url="https://herald.shop.example",
        sender_name="Herald Shop",
        workspaces={"acme": {"sender_name": "Acme", "batch_size": "200"}, "bad": {"secret_key": "x"}},
    )
    acme = base.for_workspace("acme")
    assert (acme.sender_name, acme.batch_size, acme.public_url) == (
        "Acme",
        200,
        "https://herald.shop.example/w/acme",
    )
    assert base.for_workspace("default") == base
    assert base.for_workspace("other").sender_name == "Herald Shop"
    with pytest.raises(Invalid, match=r"\[workspaces.bad\]: a workspace cannot set secret_key"):
        base.for_workspace("bad")
