"""Use cases of the tags room; the only writer of its tables. Services never commit.

`naming` keeps the tags and their categories (and who may edit them); `tagging` puts tags on contacts and
takes them off."""

from herald.tags.service.naming import (
    create_category,
    create_tag,
    delete_tag,
    editable_tag,
    ensure_tag,
    get_category,
    get_tag,
    merge_tags,
    rename_tag,
    search_tags,
    tag_counts,
    tags_table,
)
from herald.tags.service.tagging import (
    forget_contact,
    grant_changes,
    grant_tag,
    move_contact,
    tag_contacts,
    tag_imported,
    tag_matching,
    tags_of,
    untag_contacts,
    untag_matching,
)

__all__ = [
    "create_category",
    "create_tag",
    "delete_tag",
    "editable_tag",
    "ensure_tag",
    "forget_contact",
    "get_category",
    "get_tag",
    "grant_changes",
    "grant_tag",
    "merge_tags",
    "move_contact",
    "rename_tag",
    "search_tags",
    "tag_contacts",
    "tag_counts",
    "tag_imported",
    "tag_matching",
    "tags_of",
    "tags_table",
    "untag_contacts",
    "untag_matching",
]
