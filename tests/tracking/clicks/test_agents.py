"""Who followed a link or loaded a pixel: a person on a device, or a machine (pure)."""

import pytest

from herald.tracking.clicks.agents import load_rules, read_agent, read_open

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
ANDROID_WHATSAPP = (
    "Mozilla/5.0 (Linux; Android 13; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 "
    "Mobile Safari/537.36 WhatsApp/2.23.24.76"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36"
)
IPAD_WECHAT = (
    "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "MicroMessenger/8.0.40"
)
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
IMESSAGE = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 "
    "Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0"
)


@pytest.mark.parametrize(
    ("agent", "device", "os"),
    [
        (IPHONE, "mobile", "iOS"),
        (ANDROID_WHATSAPP, "mobile", "Android"),  # WhatsApp's in-app browser: a person
        (ANDROID_TABLET, "tablet", "Android"),
        (IPAD_WECHAT, "tablet", "iOS"),
        (WINDOWS, "desktop", "Windows"),
        ("curl/8.4.0", "unknown", None),
    ],
)
def test_a_persons_click_says_their_device_and_system(agent, device, os):
    found = read_agent(agent)
    assert (found.human, found.device, found.os) == (True, device, os)


@pytest.mark.parametrize(
    ("agent", "why"),
    [
        ("WhatsApp/2.23.20.0 A", "whatsapp/"),
        ("WhatsApp/2.2337.7 i", "whatsapp/"),
        ("TelegramBot (like TwitterBot)", "telegrambot"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "slackbot"),
        ("Slack-ImgProxy (+https://api.slack.com/robots)", "slack-imgproxy"),
        (IMESSAGE, "facebookexternalhit"),  # Apple Messages' preview
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "facebookexternalhit"),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "discordbot"),
        ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", "linkedinbot"),
        ("Twitterbot/1.0", "twitterbot"),
    ],
)
def test_link_previews_are_machines(agent, why):
    found = read_agent(agent)
    assert (found.human, found.device, found.why) == (False, "bot", f"a link preview fetched by {why}")


def test_a_crawler_the_parser_knows_is_a_machine():
    found = read_agent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert (found.human, found.why) == (False, "a crawler (Googlebot)")


@pytest.mark.parametrize(
    ("agent", "method", "purpose", "seconds", "why"),
    [
        ("", "GET", "", None, "no user agent: a script, not a browser"),
        (IPHONE, "HEAD", "", None, "a HEAD request checks the link without opening it"),
        (IPHONE, "GET", "prefetch", None, "a look-ahead (prefetch), not a click"),
        (IPHONE, "GET", "preview", None, "a look-ahead (preview), not a click"),
        (IPHONE, "GET", "", 0.4, "followed 0.4 s after sending: a link scanner"),
    ],
)
def test_requests_no_person_made_are_machines(agent, method, purpose, seconds, why):
    assert read_agent(agent, method, purpose, seconds).why == why


def test_a_click_a_while_after_sending_is_a_persons():
    assert read_agent(IPHONE, seconds=3600).human


@pytest.mark.parametrize(
    ("agent", "ip", "seconds", "human", "why"),
    [
        (
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
            "66.249.84.1",
            600,
            False,
            "loaded through a mail provider's image proxy (googleimageproxy)",
        ),
        (IPHONE, "17.58.100.5", 600, False, "loaded from Apple's addresses: Mail Privacy Protection loads every image"),
        ("Mozilla/5.0", "104.28.1.1", 600, False, "a bare agent, as Mail Privacy Protection's loads have"),
        (IPHONE, "203.0.113.9", 1.0, False, "followed 1.0 s after sending: a link scanner"),
        (IPHONE, "203.0.113.9", 600, True, "Mobile Safari"),
        (IPHONE, "not an address", None, True, "Mobile Safari"),
        (IPHONE, None, None, True, "Mobile Safari"),
    ],
)
def test_machine_opens_are_told_from_a_persons(agent, ip, seconds, human, why):
    found = read_open(agent, ip, seconds)
    assert (found.human, found.why) == (human, why)


def test_loading_the_rules_builds_the_parser_before_any_click(monkeypatch) -> None:
    import ua_parser

    monkeypatch.delattr(ua_parser, "parser", raising=False)  # as in a process that has parsed nothing yet
    assert "parser" not in vars(ua_parser)
    load_rules()
    assert "parser" in vars(ua_parser)
