"""Content room. Owns `templates`. `render` (sandboxed Jinja2 with an allow-list checked at save time) and
`sms` (GSM-7/UCS-2 encoding and segment counts) are pure."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.content.composer import Composed, compose, coupon_pools
    from herald.content.lint import Finding, Profile, lint_content, unknown_checks
    from herald.content.locales import choose, whatsapp_code
    from herald.content.locales import normalize as normalize_locale
    from herald.content.models import Template, TemplateVersion
    from herald.content.pricing import PriceTable, Rate, estimate, parse, used_by_rate
    from herald.content.render import RenderError
    from herald.content.schemas import (
        CreatedTemplate,
        FindingOut,
        PreviewIn,
        PreviewOut,
        ReviewIn,
        TemplateIn,
        TemplateOut,
        VersionOut,
        WebhookApplied,
    )
    from herald.content.service import (
        add_version,
        all_templates,
        apply_meta_status,
        approved_versions,
        assign_coupon,
        coupon_holder,
        create_template,
        edit_version,
        get_template,
        latest_version,
        lint_words,
        newest_versions,
        review,
        survey_of,
        versions,
    )
    from herald.content.sms import analyze
    from herald.content.vendors import TemplateRoute
    from herald.content.vendors import codes as vendor_codes
    from herald.content.whatsapp import expressions as whatsapp_expressions
    from herald.content.whatsapp import meta_status_updates

__all__ = [
    "add_version",
    "all_templates",
    "analyze",
    "apply_meta_status",
    "approved_versions",
    "assign_coupon",
    "coupon_holder",
    "survey_of",
    "choose",
    "compose",
    "Composed",
    "coupon_pools",
    "create_template",
    "edit_version",
    "CreatedTemplate",
    "estimate",
    "Finding",
    "FindingOut",
    "get_template",
    "latest_version",
    "lint_content",
    "lint_words",
    "meta_status_updates",
    "newest_versions",
    "normalize_locale",
    "parse",
    "PreviewIn",
    "PreviewOut",
    "PriceTable",
    "Profile",
    "Rate",
    "RenderError",
    "review",
    "Template",
    "ReviewIn",
    "TemplateIn",
    "TemplateOut",
    "TemplateRoute",
    "TemplateVersion",
    "unknown_checks",
    "used_by_rate",
    "vendor_codes",
    "VersionOut",
    "versions",
    "whatsapp_code",
    "whatsapp_expressions",
    "WebhookApplied",
]
__getattr__ = open_door(__name__, __file__)
