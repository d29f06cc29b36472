"""Tracking room. Owns `receipts` (what vendors report after they took a message, kept once per vendor
event and applied through the outbox), `inbound_messages` (what people write in, classified and acted
on), `replies` (the answers owed to them) and `complaint_cases` (the complaint inbox). Webhook routes are
thin: the raw body is verified by the account's adapter, parsed, and handed here. Also the unsubscribe
link of marketing mail: e-mail marketing consent revoked, with the request as its proof."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.tracking.clicks.agents import Agent, load_rules, read_agent, read_open
    from herald.tracking.clicks.conversions import ConversionIn, record_conversion
    from herald.tracking.clicks.conversions import from_events as conversions_from_events
    from herald.tracking.clicks.figures import clicked_by_variant, converted_by_variant, engagement, revenue_by_message
    from herald.tracking.clicks.links import Shortener, Visit, record_visits
    from herald.tracking.mail.bounces import record_mail_report
    from herald.tracking.mail.optouts import preferences, set_preferences, unsubscribe
    from herald.tracking.models import (
        Click,
        ComplaintCase,
        Conversion,
        InboundMessage,
        Link,
        Open,
        ReceiptRecord,
        Reply,
        WebhookDelivery,
        WebhookSubscription,
    )
    from herald.tracking.outbound import (
        Due,
        add_webhook,
        delivered,
        deliveries_due,
        enqueue,
        list_deliveries,
        list_webhooks,
        not_delivered,
        remove_webhook,
    )
    from herald.tracking.reactions import after_events
    from herald.tracking.replies.answers import Owed, answer_failed, answer_sent, answers_due
    from herald.tracking.replies.cases import (
        CaseOut,
        answer_case,
        assign_case,
        close_case,
        flag_complaint,
        list_cases,
        overdue_cases,
    )
    from herald.tracking.replies.inbound import OPTED_OUT, record_inbound
    from herald.tracking.replies.intents import Intent, classify
    from herald.tracking.replies.policy import ReplyPolicy, reply_policy
    from herald.tracking.service import (
        apply_queued,
        apply_waiting,
        keep_receipt_batches,
        record_receipt_batches,
        record_receipts,
    )

__all__ = [
    "after_events",
    "add_webhook",
    "enqueue",
    "deliveries_due",
    "delivered",
    "Due",
    "list_deliveries",
    "list_webhooks",
    "not_delivered",
    "remove_webhook",
    "WebhookDelivery",
    "WebhookSubscription",
    "Agent",
    "Click",
    "Link",
    "Open",
    "read_agent",
    "load_rules",
    "read_open",
    "Shortener",
    "Visit",
    "record_visits",
    "answer_case",
    "answer_failed",
    "answer_sent",
    "answers_due",
    "apply_queued",
    "apply_waiting",
    "keep_receipt_batches",
    "assign_case",
    "CaseOut",
    "classify",
    "close_case",
    "ComplaintCase",
    "Conversion",
    "ConversionIn",
    "conversions_from_events",
    "record_conversion",
    "clicked_by_variant",
    "converted_by_variant",
    "revenue_by_message",
    "engagement",
    "flag_complaint",
    "InboundMessage",
    "Intent",
    "list_cases",
    "overdue_cases",
    "OPTED_OUT",
    "Owed",
    "ReceiptRecord",
    "record_inbound",
    "record_mail_report",
    "record_receipt_batches",
    "record_receipts",
    "Reply",
    "preferences",
    "set_preferences",
    "reply_policy",
    "ReplyPolicy",
    "unsubscribe",
]
__getattr__ = open_door(__name__, __file__)
