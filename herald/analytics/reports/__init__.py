"""Reports, read only: a campaign's results as a funnel with its breakdowns (`funnel`, from the tally or the
ledger) and as a spreadsheet (`export`), its cost and return (`spend`) and plain figures (`queries`); the
monthly health report (`health`, with `months` pure), what drives people away (`optouts`), the contact
data's quality (`quality`), the dashboard (`dashboard`, `audience`), and how the CLI prints them
(`printing`)."""
