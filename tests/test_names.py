"""Names defined twice, as the build, ``telnetmail check`` and pytest find them."""

from __future__ import annotations

from telnetmail.core.names import Duplicate, duplicates


def test_each_later_definition_is_paired_with_the_first():
    defined = [
        ("send", "a.rst:4"),
        ("read", "a.rst:20"),
        ("send", "b.rst:7"),
        ("send", "c.rst:2"),
    ]
    assert duplicates(defined) == [
        Duplicate("send", "a.rst:4", "b.rst:7"),
        Duplicate("send", "a.rst:4", "c.rst:2"),
    ]


def test_unnamed_transcripts_and_distinct_names_are_not_duplicates():
    assert duplicates([("", "a.rst:4"), ("", "a.rst:9"), ("x", "a.rst:12")]) == []


def test_a_duplicate_tells_both_places():
    assert str(Duplicate("send", "a.rst:4", "b.rst:7")) == (
        "duplicate transcript name 'send', also at a.rst:4"
    )
