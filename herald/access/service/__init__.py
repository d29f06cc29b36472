"""Use cases of the access room; the only writer of its tables. Services never commit.

`users` users, roles, passwords and the second factor; `keys` API keys; `sessions` sign-in sessions;
`audit` the append-only log."""
