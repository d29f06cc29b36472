"""Provider accounts as herald.toml configures them — all pure but the last: the accounts and routing
(`accounts`), the kinds and the keys each takes (`kinds`), what each value must be (`values`), the senders
an account sends as and which one a message goes from (`senders`), and a provider built for each account
(`factories`)."""
