"""The shared vocabulary: enums that are strings, and the tag names a cell lists."""

import pytest

from herald.types import CampaignStatus, Channel, MessageStatus, Purpose, tag_names


def test_string_enums_hash_and_compare_as_the_strings_they_are():
    # str comes before Enum in a StrEnum's lineage, so its hash is str's own (in C), and an enum member
    # finds the entry a plain string made (facts keyed by "sms" are found by Channel.SMS).
    for kind in (Channel, Purpose, CampaignStatus, MessageStatus):
        assert kind.__hash__ is str.__hash__
        for member in kind:
            assert {member.value: 1}[member] == 1 and hash(member) == hash(member.value)


@pytest.mark.parametrize(
    ("cell", "names", "bad"),
    [
        ("", [], []),
        ("vip", ["vip"], []),
        ("vip, newsletter;  bought:A|vip", ["vip", "newsletter", "bought:A"], []),
        ("会员、高价值，北京；vip", ["会员", "高价值", "北京", "vip"], []),
        ("vip\tlapsed\nbeta", ["vip", "lapsed", "beta"], []),
        ("vip, -draft, x!", ["vip"], ["-draft", "x!"]),
        ("a" * 64 + "," + "b" * 65, ["a" * 64], ["b" * 65]),
    ],
)
def test_a_cell_lists_tag_names_split_at_any_separator_without_repeats(cell, names, bad):
    assert tag_names(cell) == (names, bad)
