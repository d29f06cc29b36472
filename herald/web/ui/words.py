"""Words the pages show from the data — a campaign's state, a message's, a consent's, a circuit's — named
here so that the message catalogue holds them (the pages pass them through gettext as they come)."""

from __future__ import annotations


def N_(text: str) -> str:  # gettext's name for a word marked, not translated, here
    return text


STATES = (
    # campaigns
    N_("draft"),
    N_("scheduled"),
    N_("running"),
    N_("paused"),
    N_("completed"),
    N_("cancelled"),
    # schedules
    N_("now"),
    N_("at"),
    N_("local"),
    N_("cron"),
    N_("best"),
    # messages and decisions
    N_("queued"),
    N_("claimed"),
    N_("inflight"),
    N_("sent"),
    N_("failed"),
    N_("skipped"),
    N_("unknown"),
    N_("held"),
    N_("send"),
    N_("defer"),
    N_("skip"),
    N_("pass"),
    # consent, purposes
    N_("granted"),
    N_("revoked"),
    N_("marketing"),
    N_("transactional"),
    # provider circuits
    N_("closed"),
    N_("open"),
    N_("trying again"),
    # lifecycle stages
    N_("new"),
    N_("active"),
    N_("dormant"),
    N_("churned"),
    N_("potential"),
    # timeline entries
    N_("event"),
    N_("keyword"),
    N_("consent"),
    N_("tag"),
    N_("message"),
    # template versions and their review
    N_("pending"),
    N_("approved"),
    N_("rejected"),
    N_("submit"),
    N_("withdraw"),
    N_("approve"),
    N_("reject"),
    N_("error"),
    N_("warning"),
    # complaint cases and the intents of replies
    N_("answered"),
    N_("stop"),
    N_("start"),
    N_("help"),
    N_("complaint"),
    N_("survey"),
    N_("other"),
    # imports: what became of each row, and of the job
    N_("imported"),
    N_("updated"),
    N_("unchanged"),
    N_("duplicate"),
    N_("conflict"),
    N_("invalid"),
    N_("done"),
    # saved segments
    N_("dynamic"),
    N_("static"),
    # alerts, users, keys
    N_("acknowledged"),
    N_("resolved"),
    N_("disabled"),
    N_("expired"),
    # alert rules: metrics, subjects, actions, where a rule comes from
    N_("delivery_rate"),
    N_("failure_rate"),
    N_("optout_rate"),
    N_("complaint_rate"),
    N_("circuit_open"),
    N_("whatsapp_quality"),
    N_("overdue_cases"),
    N_("spend"),
    N_("campaign"),
    N_("account"),
    N_("workspace"),
    N_("notify"),
    N_("pause_campaign"),
    N_("pause_account"),
    N_("default"),
    N_("changed"),
    N_("own"),
    # A/B test phases
    N_("testing"),
    N_("decided"),
    N_("undecided"),
    # channels
    N_("sms"),
    N_("email"),
    N_("whatsapp"),
)
