"""Every page in Chinese and English, on a desktop and on a phone, in Debian's chromium: it shows, it has
no horizontal scrolling, an automated accessibility check finds nothing serious, and a screenshot is kept."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.scenario import plan
from tests.ui.conftest import shoot

PAGES = {
    "dashboard": "/",
    "contacts": "/contacts",
    "contact": "/contacts/1",
    "campaigns": "/campaigns",
    "campaign": "/campaigns/{campaign}",
    "campaign-new": "/campaigns/new",
    "results": "/campaigns/{campaign}/results",
    "templates": "/templates",
    "template-new": "/templates/new",
    "template": "/templates/sale",
    "inbox": "/inbox",
    "import": "/import",
    "segments": "/segments?q=consent:sms",
    "settings": "/settings",
    "tags": "/tags",
    "tag-rule": "/tags/rules/new",
}
HEADINGS = {
    ("dashboard", "en"): "Dashboard",
    ("dashboard", "zh-CN"): "概览",
    ("contacts", "zh-CN"): "联系人",
    ("campaign-new", "zh-CN"): "新建活动",
}
SERIOUS = ("serious", "critical")


def problems(page) -> list[str]:
    """What the accessibility check finds serious, as one line each."""
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_page_shows_in_both_languages_and_sizes(served, page_for, language, size) -> None:
    plan(served.container, served.campaign)  # started: the results page has something to show
    page = page_for("ana", language, size)
    for name, path in PAGES.items():
        page.goto(served.url + path.format(campaign=served.campaign))
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.is_visible(), name
        heading = HEADINGS.get((name, language))
        if heading:
            assert heading in page.locator("h1").first.inner_text()
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, f"{name} scrolls sideways by {wide}px at {size}"
        assert problems(page) == [], name
        shoot(page, f"{name}-{language}-{size}")
