"""Tags room. Owns `tags` and `contact_tags` (which contact carries which tag, who applied it and when).
Reads contacts; takes audiences as SQL selects of contact ids so it never needs the segments room."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.tags.cli import parse_ids
    from herald.tags.models import ContactTag, Tag, TagCategory
    from herald.tags.queries import names_by_contact
    from herald.tags.schemas import ApplyIn, TagDeleted, Tagged, TagIn, TagOut, TagRow
    from herald.tags.service import (
        create_category,
        create_tag,
        delete_tag,
        ensure_tag,
        forget_contact,
        grant_changes,
        grant_tag,
        move_contact,
        search_tags,
        tag_contacts,
        tag_counts,
        tag_imported,
        tag_matching,
        tags_of,
        tags_table,
        untag_contacts,
    )

__all__ = [
    "ApplyIn",
    "ContactTag",
    "create_category",
    "create_tag",
    "delete_tag",
    "ensure_tag",
    "forget_contact",
    "grant_changes",
    "grant_tag",
    "move_contact",
    "names_by_contact",
    "parse_ids",
    "search_tags",
    "Tag",
    "tag_contacts",
    "tag_counts",
    "tag_imported",
    "untag_contacts",
    "tag_matching",
    "TagCategory",
    "TagDeleted",
    "Tagged",
    "TagIn",
    "TagOut",
    "TagRow",
    "tags_of",
    "tags_table",
]
__getattr__ = open_door(__name__, __file__)
