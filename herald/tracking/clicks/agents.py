"""Who followed a link or loaded a mail's pixel: a person (on which kind of device and system) or a
machine — a chat app fetching a link preview, a crawler, a mail provider's image proxy, Apple's Mail
Privacy Protection loading every image on arrival. Pure: the request's facts in, an `Agent` out.

Devices and systems come from ua-parser's maintained rules. A link preview is told by who fetches it:
WhatsApp's fetcher sends `WhatsApp/2.23.20.0 A` — while WhatsApp's in-app browser, a person's click,
sends a browser's agent that merely ends in `WhatsApp/…`, so only an agent that *starts* with it is
the fetcher. iMessage fetches previews as `… facebookexternalhit/1.1 Facebot Twitterbot/1.0`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

# Agents that fetch a link to show its preview, by how their agent starts or what it contains.
PREVIEW_STARTS = (
    "whatsapp/",
    "telegrambot",
    "slackbot",
    "slack-imgproxy",
    "twitterbot",
    "linkedinbot",
    "skypeuripreview",
)
PREVIEW_CONTAINS = (
    "facebookexternalhit",
    "facebot",
    "meta-externalagent",
    "meta-externalfetcher",
    "discordbot",
    "bingpreview",
    "applebot",
    "bitlybot",
    "embedly",
    "pinterestbot",
    "redditbot",
    "viber",
)
IMAGE_PROXIES = ("googleimageproxy", "yahoomailproxy", "ymailproxy")
APPLE_RELAY = ipaddress.ip_network("17.0.0.0/8")  # Apple's own range, where Mail Privacy Protection loads from
PREFETCH = ("prefetch", "preview")  # Purpose / Sec-Purpose headers of a browser's or a client's look-ahead
SOON = 2.0  # seconds: a hit this soon after the message went is a scanner's, not a person's


@dataclass(frozen=True, slots=True)
class Agent:
    """What kind of visitor a request came from."""

    human: bool
    why: str  # for a machine, what gave it away; for a person, their browser
    device: str = "unknown"  # mobile | tablet | desktop | bot | unknown
    os: str | None = None
    browser: str | None = None


def read_agent(user_agent: str, method: str = "GET", purpose: str = "", seconds: float | None = None) -> Agent:
    """A link's visitor: a preview fetcher, a crawler, a look-ahead, or a person on a device. `seconds` is
    how long after the message went the link was followed, when known."""
    said = user_agent.strip()
    lowered = said.casefold()
    if not said:
        return Agent(False, "no user agent: a script, not a browser", "bot")
    if method == "HEAD":
        return Agent(False, "a HEAD request checks the link without opening it", "bot")
    if any(p in purpose.casefold() for p in PREFETCH):
        return Agent(False, f"a look-ahead ({purpose}), not a click", "bot")
    preview = next((p for p in PREVIEW_STARTS if lowered.startswith(p)), None) or next(
        (p for p in PREVIEW_CONTAINS if p in lowered), None
    )
    if preview is not None:
        return Agent(False, f"a link preview fetched by {preview}", "bot")
    if seconds is not None and seconds < SOON:
        return Agent(False, f"followed {seconds:.1f} s after sending: a link scanner", "bot")
    return _parsed(said)


def load_rules() -> None:
    """Load the parser's rules now, as a server does when it starts: they load on first use, and the first
    click after a start would wait a third of a second for them."""
    parse("Mozilla/5.0")


@lru_cache(maxsize=4096)  # a campaign's clicks come from a few hundred kinds of phone and browser
def _parsed(user_agent: str) -> Agent:
    found = parse(user_agent)
    family = found.device.family if found.device else None
    browser = found.user_agent.family if found.user_agent else None
    system = found.os.family if found.os else None
    if family == "Spider":
        return Agent(False, f"a crawler ({browser or 'unnamed'})", "bot", system, browser)
    return Agent(True, browser or "an unknown browser", _device(user_agent, family, system), system, browser)


def _device(user_agent: str, family: str | None, system: str | None) -> str:
    lowered = user_agent.casefold()
    if family == "iPad" or "tablet" in lowered or (system == "Android" and "mobile" not in lowered):
        return "tablet"
    if family == "iPhone" or system in ("iOS", "Android", "HarmonyOS") or "mobile" in lowered:
        return "mobile"
    if system in ("Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora"):
        return "desktop"
    return "unknown"


def read_open(user_agent: str, ip: str | None, seconds: float | None) -> Agent:
    """A mail's pixel loaded: by the person, or by a machine — Apple's Mail Privacy Protection (Apple's
    addresses, or a bare agent, within moments of delivery), a mail provider's image proxy, a scanner."""
    lowered = user_agent.casefold()
    proxy = next((p for p in IMAGE_PROXIES if p in lowered), None)
    if proxy is not None:
        return Agent(False, f"loaded through a mail provider's image proxy ({proxy})", "bot")
    if _apple(ip):
        return Agent(False, "loaded from Apple's addresses: Mail Privacy Protection loads every image", "bot")
    if user_agent.strip() in ("", "Mozilla/5.0"):
        return Agent(False, "a bare agent, as Mail Privacy Protection's loads have", "bot")
    return read_agent(user_agent, seconds=seconds)


def _apple(ip: str | None) -> bool:
    try:
        return ip is not None and ipaddress.ip_address(ip) in APPLE_RELAY
    except ValueError:
        return False
