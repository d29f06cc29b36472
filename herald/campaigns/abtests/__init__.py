"""A campaign's A/B test phase, the parts the service checks a campaign with: its settings, timing and what
follows a verdict (`experiment`, pure), and whether the variants can measure the metric (`measuring`).
The verdict is carried out by `campaigns.abtest`; the analytics room judges the figures."""
