"""What is checked before a campaign starts: the preflight report (`preflight`), previews of the messages
recipients would get (`preview`), and the jurisdictions a template is linted against (`compliance`)."""
