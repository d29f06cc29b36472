"""Settings: defaults, then herald.toml, then HERALD_* environment variables, then explicit overrides.

Nothing reads the environment at import time; entry points call `load_settings()` once and hand the
result to `bootstrap.build()`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from herald.errors import Invalid

DEV_SECRET = "dev-insecure-secret-change-me"
TABLES = frozenset(
    {"provider_accounts", "routing", "workspaces"}
)  # TOML tables, taken as written (never from HERALD_*)
CONFIG_FILE = "herald.toml"


@dataclass(frozen=True)
class Settings:
    env: str = "dev"
    database_url: str = "sqlite:///herald.db"
    secret_key: str = field(default=DEV_SECRET, repr=False)  # secrets stay out of reprs and logs
    # Keys used before the current one, comma-separated: people erased under them are still recognized.
    previous_secret_keys: str | None = field(default=None, repr=False)
    default_region: str | None = None
    outbox_dir: str = "herald-outbox"
    policy_preset: str = "default"
    batch_size: int = 500
    lease_seconds: int = 120
    invalid_after_failures: int = 3  # permanent delivery failures that mark an address invalid; 0: never
    # A message a provider could not take is tried again, with growing waits, for at most this many hours
    # from when it was due; then it is dropped with the reason "expired", never sent late.
    message_validity_hours: int = 24
    clusters: int = 0  # customer clusters the worker redraws after the daily scores; 0: none (2 to 12)
    # One provider kind per channel, as installations from before provider accounts wrote it; it is used
    # when herald.toml has no [providers.NAME] tables (see docs/providers.md).
    providers: dict[str, str] = field(default_factory=lambda: {"sms": "file", "whatsapp": "file", "email": "file"})
    # [providers.NAME] tables and the [routing] table, as written (secrets as their env: references).
    provider_accounts: dict[str, Any] = field(default_factory=dict)
    routing: dict[str, Any] = field(default_factory=dict)
    # [workspaces.NAME] tables: settings a workspace has of its own (its sender name, its provider accounts…).
    workspaces: dict[str, Any] = field(default_factory=dict)
    # Where vendors and recipients reach Herald from outside (https://herald.shop.example): delivery
    # receipts, inbound messages and the unsubscribe links in marketing mail start with it.
    public_url: str | None = None
    # What compliance lint checks templates against (see docs/content.md).
    sender_name: str | None = None  # the business name marketing texts must carry; several: comma-separated
    postal_address: str | None = None  # printed in marketing email
    help_reply: str | None = None  # the answer to an inbound HELP
    # Status callbacks are kept at once and applied by the worker within a second (false: applied before
    # the answer goes back, which halves how many a second one server takes).
    receipts_queued: bool = True
    # An order with no coupon of Herald's is credited to the contact's last click at most this long before it.
    conversion_window_days: int = 7
    link_domains: str | None = None  # comma-separated; when set, links elsewhere are lint errors
    price_table: str | None = None  # a TOML price table; the bundled example when unset
    # Who is told of every alert by e-mail (comma-separated), through the installation's e-mail route.
    alert_emails: str | None = None
    # The names the API answers to (comma-separated; Host is checked against them, and so is a browser's
    # Origin on requests that change something). Add the public name when the API is put behind a proxy.
    allowed_hosts: str = "localhost,127.0.0.1,::1"
    signin_per_minute: int = 10  # sign-in attempts per client address; 0: no limit
    # Requests per minute per client address to short links, the open pixel and unsubscribe pages; 0: none.
    public_per_minute: int = 600
    session_idle_minutes: int = 60  # a signed-in browser left this long signs in again
    session_max_hours: int = 12  # and after this long in any case
    # The Herald user the CLI acts as when `--as` is not given; unset, it acts as the system user.
    operator: str | None = None
    # Personal data sealed at rest (docs/access.md): a key file outside the database (`herald db
    # keyfile`), and the attributes to seal besides phone, e-mail and name (comma-separated).
    encryption_key_file: str | None = None
    sensitive_attributes: str | None = None
    max_request_mb: int = 20  # request bodies larger than this are refused with 413 (file uploads: 500 MB)
    whatsapp_app_secret: str | None = field(default=None, repr=False)  # verifies X-Hub-Signature-256 on Meta's webhooks
    whatsapp_verify_token: str | None = field(default=None, repr=False)  # answers Meta's webhook subscription check
    # Number verification (`herald contacts verify`): paid per number, so off unless set to "twilio".
    lookup_provider: str | None = None
    twilio_account_sid: str | None = None  # or an API key SID
    twilio_auth_token: str | None = field(default=None, repr=False)  # or the API key's secret
    twilio_lookup_url: str = "https://lookups.twilio.com"

    def for_workspace(self, name: str) -> Settings:
        """The settings a workspace runs with: these, with its own [workspaces.NAME] table over them (its
        database is its own in any case; the secret key, the sessions and the hosts are the installation's)."""
        table = dict(self.workspaces.get(name) or {})
        if "providers" in table:
            table["provider_accounts"] = table.pop("providers")
        shared = {"database_url", "secret_key", "previous_secret_keys", "env", "workspaces", "allowed_hosts"}
        unknown = sorted(k for k in table if k in shared or k not in {f.name for f in fields(self)})
        if unknown:
            raise Invalid(f"a workspace cannot set {', '.join(unknown)}", where=f"[workspaces.{name}]")
        if name != "default" and self.public_url and "public_url" not in table:
            # Vendors' callbacks, short links and unsubscribe pages of a workspace come back under its path.
            table["public_url"] = f"{self.public_url.rstrip('/')}/w/{name}"
        known = {f.name: f.type for f in fields(self)}
        return dataclasses.replace(self, **{k: v if k in TABLES else _coerce(k, known[k], v) for k, v in table.items()})

    @property
    def erasure_keys(self) -> tuple[str, ...]:
        """The keys that recognize an erased person: the current secret first, then the earlier ones."""
        earlier = [k.strip() for k in (self.previous_secret_keys or "").split(",") if k.strip()]
        return (self.secret_key, *(k for k in earlier if k != self.secret_key))

    def __post_init__(self) -> None:
        if self.env not in ("dev", "test", "prod"):
            raise Invalid(f"must be dev, test or prod, not {self.env!r}", where="setting env")
        if self.env == "prod" and self.secret_key == DEV_SECRET:
            raise Invalid(
                "the default secret key is refused outside dev; set HERALD_SECRET_KEY",
                where="setting secret_key",
            )
        for name in ("batch_size", "lease_seconds", "message_validity_hours", "conversion_window_days"):
            if getattr(self, name) < 1:
                raise Invalid("must be at least 1", where=f"setting {name}")
        if self.clusters and not 2 <= self.clusters <= 12:
            raise Invalid("must be 0 (none) or 2 to 12", where="setting clusters")
        if self.invalid_after_failures < 0:
            raise Invalid("must be 0 (never) or more", where="setting invalid_after_failures")
        for address in self.alert_addresses:
            local, _, domain = address.rpartition("@")
            if not local or "." not in domain or any(c.isspace() for c in address):
                raise Invalid(f"{address!r} is not an e-mail address", where="setting alert_emails")

    @property
    def alert_addresses(self) -> tuple[str, ...]:
        """The addresses alerts are e-mailed to."""
        return tuple(a.strip() for a in (self.alert_emails or "").split(",") if a.strip())


def _coerce(name: str, kind: Any, raw: Any) -> Any:
    """Turn a TOML or environment value into the field's type, naming the setting on failure."""
    if kind in ("bool", bool):
        return _switch(name, raw)
    if kind in ("int", int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise Invalid(f"expected a whole number, got {raw!r}", where=f"setting {name}") from None
    if "dict" in str(kind):
        if isinstance(raw, Mapping):
            return {str(k): str(v) for k, v in raw.items()}
        pairs = [p.split("=", 1) for p in str(raw).split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise Invalid(f"expected key=value pairs, got {raw!r}", where=f"setting {name}")
        return {k.strip(): v.strip() for k, v in pairs}
    if raw is None or raw == "":
        return None if "None" in str(kind) else raw
    return str(raw)


SWITCHES = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}


def _switch(name: str, raw: Any) -> bool:
    """A yes-or-no setting: TOML's true and false, or the usual words for them in the environment."""
    if isinstance(raw, bool):
        return raw
    found = SWITCHES.get(str(raw).strip().lower())
    if found is None:
        raise Invalid(f"expected true or false, got {raw!r}", where=f"setting {name}")
    return found


def load_settings(
    config_path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from herald.toml (if present), HERALD_* variables and explicit overrides."""
    environ = os.environ if environ is None else environ
    known = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    path = Path(config_path or environ.get("HERALD_CONFIG", CONFIG_FILE))
    if path.exists():
        values.update(_read_toml(path, known))
    elif config_path:
        raise Invalid("file not found", where=f"config {path}")
    for name in known.keys() - TABLES:
        env_value = environ.get(f"HERALD_{name.upper()}")
        if env_value is not None:
            values[name] = env_value
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**{k: v if k in TABLES else _coerce(k, known[k], v) for k, v in values.items()})


def _read_toml(path: Path, known: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(str(exc), where=f"config {path}") from None
    # Settings sit in a [herald] table, or at the top of a file that has none; other tables beside it.
    sectioned = isinstance(data.get("herald"), dict)
    settings = dict(data["herald"]) if sectioned else dict(data)
    tables = {k: v for k, v in data.items() if k != "herald"} if sectioned else {}
    for source in (tables, settings):
        # [providers.NAME] tables are accounts; `providers = { sms = "file" }` is the older per-channel kind.
        if _accounts_table(source.get("providers")):
            settings["provider_accounts"] = source.pop("providers")
        if "routing" in source:
            settings["routing"] = source.pop("routing")
        if "workspaces" in source:
            settings["workspaces"] = source.pop("workspaces")
    unknown = sorted(set(settings) - set(known) | set(tables))
    if unknown:
        raise Invalid(f"unknown setting(s) {', '.join(unknown)}", where=f"config {path}")
    return settings


def _accounts_table(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, dict) for v in value.values())


def render_config(settings: Settings) -> str:
    """The TOML text `herald init-config` writes: every setting with its current value."""
    lines = ["[herald]"]
    for key, value in dataclasses.asdict(settings).items():
        if key in TABLES:
            continue
        if value is None:
            lines.append(f"# {key} = ")
        elif isinstance(value, dict):
            inner = ", ".join(f'{k} = "{v}"' for k, v in value.items())
            lines.append(f"{key} = {{ {inner} }}")
        elif isinstance(value, bool):
            lines.append(f"{key} = {_toml(value)}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f'{key} = "{value}"')
    for name, table in settings.provider_accounts.items():
        lines += ["", f"[providers.{_key(name)}]", *(f"{_key(k)} = {_toml(v)}" for k, v in table.items())]
    if settings.routing:
        lines += ["", "[routing]", *(f"{_key(k)} = {_toml(v)}" for k, v in settings.routing.items())]
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").isalnum() else json.dumps(name)


def _toml(value: Any) -> str:
    """A TOML value (strings, numbers, booleans, lists and inline tables of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(str(k))} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)
