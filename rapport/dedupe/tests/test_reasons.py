"""The matcher's reasons are shown in the reader's language; the stored values stay English."""

from __future__ import annotations

from django.utils.translation import override

from rapport.dedupe.reasons import reason_label, reasons_label
from rapport.dedupe.scoring import SIMILAR_NAME

# Every phrase rapport.dedupe.scoring writes, in the shapes it writes them.
REASONS = [
    "same email",
    "same phone",
    "same name",
    "same name in pinyin, different characters",
    "same name (Chinese characters and pinyin)",
    f"similar name ({SIMILAR_NAME:.2f})",
    "swapped given/family names",
    "nickname (bob)",
    "same company",
    "same city",
    "different email",
    "different phone",
    "different company",
]


def test_every_reason_has_a_chinese_label() -> None:
    with override("zh-hans"):
        labels = [reason_label(r) for r in REASONS]
    # Then none is left in English (numbers and names inside stay as they are)
    assert [
        label for label in labels if any("a" <= ch <= "z" for ch in label.replace("bob", ""))
    ] == []


def test_english_labels_are_the_phrases_and_numbers_are_kept() -> None:
    with override("en"):
        assert [reason_label(r) for r in REASONS] == REASONS
    with override("zh-hans"):
        assert "0.93" in reason_label("similar name (0.93)")
        assert "bob" in reason_label("nickname (bob)")


def test_unknown_phrases_pass_through_and_lists_are_joined() -> None:
    with override("en"):
        assert reason_label("same planet") == "same planet"
        assert reasons_label(["same email", "same city"]) == "same email, same city"
