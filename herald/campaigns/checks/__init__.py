"""What is checked before a campaign starts: the preflight report (`preflight`), previews of the messages
recipients would get (`preview`), the jurisdictions a template is linted against (`compliance`), and those that
speak for the recipients a campaign would reach (`jurisdictions`)."""
