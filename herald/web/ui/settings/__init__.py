"""`/settings`, split by what it changes: the provider accounts, alerts, presets and the page's sections
(`page`), the people who use Herald and the workspace's members (`people`), the alert rules (`alerting`)."""
