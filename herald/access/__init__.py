"""Access room. Owns `users`, `web_sessions`, `api_keys` and `audit_log`: who may do what, and the
record of what they did. Roles and permissions are data (`roles.toml`); entry points — the API, the
pages, the CLI — resolve an `Actor`, check the permission a use case needs, and hand the unit of work an
audit `Recorder`, so that every write is recorded once, in its own transaction, without services knowing
who called them."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.access.actors import Actor, public, system_actor
    from herald.access.chain import Verified
    from herald.access.limits import SessionLimits
    from herald.access.models import ApiKey, AuditEntry, User, Workspace
    from herald.access.permissions import Catalog, catalog
    from herald.access.queries import (
        AUDIT_COLUMNS,
        AuditFilter,
        audit_entries,
        entry_data,
        export_lines,
        key_view,
        matching,
        user_view,
    )
    from herald.access.schemas import AuditOut, ChainOut, KeyIn, KeyOut, Me, NewKeyOut, UserChange, UserIn, UserOut
    from herald.access.sealing.cipher import new_key_line
    from herald.access.sealing.columns import (
        SEALER,
        Person,
        Sealer,
        check_mark,
        kind_of,
        read_key_file,
        seal_addresses,
        seal_person,
        sealer_of,
    )
    from herald.access.sealing.resealing import Resealed, reseal
    from herald.access.secrets import same
    from herald.access.service.audit import Recorder, append, entries, verify
    from herald.access.service.keys import NewKey, create_key, key_actor, key_workspace, keys, revoke_key
    from herald.access.service.sessions import (
        Signed,
        Started,
        end_session,
        live_sessions,
        session_actor,
        sign_in,
        sign_out,
    )
    from herald.access.service.users import (
        Refusal,
        actor_of,
        check_password,
        confirm_totp,
        create_user,
        drop_totp,
        end_sessions,
        enroll_totp,
        has_users,
        reset_password,
        set_disabled,
        set_own_password,
        set_role,
        start_totp,
        user,
        users,
    )
    from herald.access.service.workspaces import (
        add_member,
        create_workspace,
        member_actor,
        members,
        remove_member,
        require_workspace,
        role_in,
        workspace_names,
        workspaces_of,
    )
    from herald.access.throttle import Buckets, Limit

__all__ = [
    "Actor",
    "actor_of",
    "add_member",
    "ApiKey",
    "append",
    "AUDIT_COLUMNS",
    "audit_entries",
    "AuditEntry",
    "AuditFilter",
    "AuditOut",
    "Buckets",
    "catalog",
    "Catalog",
    "ChainOut",
    "check_password",
    "confirm_totp",
    "create_key",
    "create_user",
    "create_workspace",
    "drop_totp",
    "end_session",
    "end_sessions",
    "enroll_totp",
    "entries",
    "entry_data",
    "export_lines",
    "has_users",
    "key_actor",
    "key_view",
    "key_workspace",
    "KeyIn",
    "KeyOut",
    "keys",
    "Limit",
    "live_sessions",
    "matching",
    "Me",
    "member_actor",
    "members",
    "NewKey",
    "NewKeyOut",
    "public",
    "Recorder",
    "Refusal",
    "remove_member",
    "require_workspace",
    "reset_password",
    "revoke_key",
    "role_in",
    "same",
    "new_key_line",
    "reseal",
    "Resealed",
    "Sealer",
    "Person",
    "SEALER",
    "check_mark",
    "kind_of",
    "read_key_file",
    "seal_addresses",
    "seal_person",
    "sealer_of",
    "session_actor",
    "SessionLimits",
    "set_disabled",
    "set_own_password",
    "set_role",
    "sign_in",
    "sign_out",
    "Signed",
    "start_totp",
    "Started",
    "system_actor",
    "user",
    "User",
    "user_view",
    "UserChange",
    "UserIn",
    "UserOut",
    "users",
    "Verified",
    "verify",
    "Workspace",
    "workspace_names",
    "workspaces_of",
]
__getattr__ = open_door(__name__, __file__)
