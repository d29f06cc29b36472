"""Alerts that act: what a rule is and whether an observation breaks it (`rules`, pure; the defaults in
`alerts.toml`), what each rule's window shows (`watching`), alerts raised, acted on and resolved (`alerts`),
told by e-mail (`notices`), and their API shapes (`schemas`)."""
