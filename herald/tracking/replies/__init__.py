"""What people write in, and what Herald does about it: messages kept once and acted on (`inbound`), read
by the classifier (`intents`, words in `replies.toml`) and for their mood (`sentiment`, words in
`sentiment.toml`), under the preset's reply policy (`policy`); the answers owed to them (`answers`) and the
complaint inbox (`cases`)."""
