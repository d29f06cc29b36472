"""Mail servers' reports read: delivery status notifications (RFC 3464) and abuse reports (RFC 5965)."""

import pytest

from herald.providers.incoming.bounces import MailReport, read_report

ORIGINAL = """Message-ID: <herald.42.0123456789ab@mail.shop.example>
From: Herald Shop <news@mail.shop.example>
To: sita@example.com
Subject: Winter sale
"""


def dsn(action: str, status: str, diagnostic: str = "smtp; 550 5.1.1 <sita@example.com>: user unknown") -> bytes:
    return f"""From: MAILER-DAEMON@mx.example.com
To: bounces+m42@mail.shop.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Arrival-Date: Sun, 6 Dec 2026 10:00:00 +0000

Final-Recipient: rfc822; Sita@Example.com
Original-Recipient: rfc822;sita@example.com
Action: {action}
Status: {status}
Diagnostic-Code: {diagnostic}
 continued on a second line

--B
Content-Type: text/rfc822-headers

{ORIGINAL}
--B--
""".encode()


@pytest.mark.parametrize(
    ("action", "status", "kind", "invalid"),
    [
        ("failed", "5.1.1", "hard", True),
        ("failed", "5.2.2", "hard", False),  # a full mailbox: counted, not taken as a bad address
        ("failed", "5.7.1", "hard", False),
        ("delayed", "4.4.7", "soft", False),
        ("delivered", "2.0.0", "delivered", False),
        ("", "5.0.0", "hard", False),
        ("", "4.0.0", "soft", False),
        ("relayed", "", "soft", False),
        ("", "", "unknown", False),
    ],
)
def test_a_delivery_report_says_what_became_of_each_recipient(action, status, kind, invalid):
    (report,) = read_report(dsn(action, status))
    assert (report.kind, report.invalid_address, report.recipient) == (kind, invalid, "sita@example.com")
    assert report.status == (status or None)
    assert (report.message_id, report.digest) == (42, "0123456789ab")


def test_the_remote_servers_words_are_kept():
    (report,) = read_report(dsn("failed", "5.1.1"))
    assert report.detail == "550 5.1.1 <sita@example.com>: user unknown continued on a second line"


def test_a_report_naming_no_recipient_or_not_herald_is_unknown():
    bare = (
        dsn("failed", "5.1.1")
        .replace(b"Final-Recipient: rfc822; Sita@Example.com\n", b"")
        .replace(b"Original-Recipient: rfc822;sita@example.com\n", b"")
    )
    (report,) = read_report(bare)
    assert (report.kind, report.detail) == ("unknown", "a delivery report that names no recipient")
    plain = b"From: someone@example.com\nSubject: Out of office\n\nI am away."
    assert read_report(plain) == [MailReport("unknown", None, None, "Out of office")]


def arf(feedback: str = "abuse") -> bytes:
    return f"""From: feedback@arf.mailbox.example
To: abuse@mail.shop.example
Subject: FW: Winter sale
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an email abuse report.
--F
Content-Type: message/feedback-report

Feedback-Type: {feedback}
User-Agent: SomeGenerator/1.0
Version: 1
Original-Rcpt-To: <Sita@example.com>

--F
Content-Type: message/rfc822

{ORIGINAL}
Hi Sita, the sale starts today.
--F--
""".encode()


def test_an_abuse_report_is_a_complaint_about_the_message_it_encloses():
    (report,) = read_report(arf())
    assert (report.kind, report.recipient, report.detail) == ("complaint", "sita@example.com", "abuse")
    assert (report.message_id, report.digest, report.invalid_address) == (42, "0123456789ab", False)


def test_a_not_spam_report_is_no_complaint():
    assert read_report(arf("not-spam"))[0].kind == "unknown"


def test_a_feedback_report_without_its_part_is_read_as_abuse_of_nobody():
    raw = arf().split(b"--F\nContent-Type: message/feedback-report")[0] + b"--F--\n"
    (report,) = read_report(raw)
    assert (report.kind, report.recipient, report.message_id) == ("complaint", None, None)


def test_an_enclosed_original_that_is_not_heralds_names_no_message():
    raw = dsn("failed", "5.1.1").replace(b"<herald.42.0123456789ab@mail.shop.example>", b"<abc@elsewhere.example>")
    (report,) = read_report(raw)
    assert (report.kind, report.message_id, report.digest) == ("hard", None, None)


def test_blank_groups_in_a_delivery_report_are_passed_over():
    raw = dsn("failed", "5.1.1").replace(b"Arrival-Date: Sun, 6 Dec 2026 10:00:00 +0000\n", b"Arrival-Date: x\n\n\n\n")
    assert [r.kind for r in read_report(raw)] == ["hard"]
