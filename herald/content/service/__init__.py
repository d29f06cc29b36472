"""Use cases of the content room; the only writer of its tables. Services never commit.

`templates` writes, reviews and reads templates and their versions; `exchange` exports and imports them and
records Meta's review of WhatsApp templates; `coupons` keeps the coupon pools; `words` the operator's edits
of the banned words."""

from herald.content.service.coupons import add_coupons, assign_coupon, coupon_holder, coupon_stock
from herald.content.service.exchange import apply_meta_status, export_templates, import_templates
from herald.content.service.templates import (
    add_version,
    all_templates,
    approved_versions,
    create_template,
    edit_version,
    get_template,
    latest_version,
    newest_versions,
    review,
    set_presets,
    survey_of,
    versions,
)
from herald.content.service.words import lint_words, remove_lint_word, set_lint_word

__all__ = [
    "add_coupons",
    "add_version",
    "all_templates",
    "apply_meta_status",
    "approved_versions",
    "assign_coupon",
    "coupon_holder",
    "coupon_stock",
    "create_template",
    "edit_version",
    "export_templates",
    "get_template",
    "import_templates",
    "latest_version",
    "lint_words",
    "newest_versions",
    "remove_lint_word",
    "review",
    "set_lint_word",
    "set_presets",
    "survey_of",
    "versions",
]
