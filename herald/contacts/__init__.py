"""Contacts room. Owns `contacts`, `consent_events` (append-only history), `consents` (current state per
channel and purpose) and `suppressions`. Reads nothing from other rooms; tracking's reactions reach it
only through `service`."""
