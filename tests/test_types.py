"""The shared vocabulary: enums that are strings."""

from herald.types import CampaignStatus, Channel, MessageStatus, Purpose


def test_string_enums_hash_and_compare_as_the_strings_they_are():
    # str comes before Enum in a StrEnum's lineage, so its hash is str's own (in C), and an enum member
    # finds the entry a plain string made (facts keyed by "sms" are found by Channel.SMS).
    for kind in (Channel, Purpose, CampaignStatus, MessageStatus):
        assert kind.__hash__ is str.__hash__
        for member in kind:
            assert {member.value: 1}[member] == 1 and hash(member) == hash(member.value)
