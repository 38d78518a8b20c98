"""A caption or title of plain words becomes one text node without docutils'
inline parser, and only where the parser would make just that node."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_doctree

from telnetmail.ext.inline import _PLAIN

COURSE = Path(__file__).resolve().parent.parent / "course"
#: Characters that mean something to the inline parser, and some that do not.
#: (No tab: the page's text reaches a directive with its tabs expanded.)
ALPHABET = "abcXYZ019 .,;'\"-()/!?àé*`_|[]<>@:\\#&=+~%$^{}"
#: Text the parser reads as markup or as a link in some project.
MARKUP = [
    "STORE \\Deleted",
    "``DATA`` before ``RCPT TO``",
    "*emphasis*",
    "a `reference`_",
    "word_",
    "|substitution|",
    "a footnote [1]_",
    "mail postmaster@example.com",
    "see https://example.com",
    "mailto:postmaster@example.com",
    "as RFC 5321 says",
    "and PEP 8",
    ":rfc:`5321`",
]


def parsed_as_plain(text: str) -> bool:
    """Whether docutils reads ``text`` as one text node, linking RFC and PEP
    numbers as the strictest project does."""
    prefix = "Plain "  # keeps the line a paragraph, whatever it starts with
    document = publish_doctree(
        prefix + text,
        settings_overrides={
            "pep_references": True,
            "rfc_references": True,
            "report_level": 5,
        },
    )
    paragraph = document[0] if len(document) == 1 else None
    return (
        isinstance(paragraph, nodes.paragraph)
        and len(paragraph.children) == 1
        and isinstance(paragraph[0], nodes.Text)
        and paragraph.astext() == prefix + text
    )


def course_captions() -> list[str]:
    captions = []
    for page in sorted(COURSE.glob("*.rst")):
        text = page.read_text(encoding="utf-8")
        captions += re.findall(r":caption: (.+)", text)
    return captions


def test_the_course_captions_are_mostly_plain():
    captions = course_captions()
    plain = [caption for caption in captions if _PLAIN.fullmatch(caption)]
    assert len(plain) > len(captions) / 2


@pytest.mark.parametrize("caption", course_captions())
def test_every_course_caption_taken_as_plain_parses_as_plain(caption):
    if _PLAIN.fullmatch(caption):
        assert parsed_as_plain(caption)


@pytest.mark.parametrize("text", MARKUP)
def test_text_with_markup_or_a_link_is_left_to_the_parser(text):
    assert not _PLAIN.fullmatch(text)


def test_random_text_taken_as_plain_parses_as_plain():
    chooser = random.Random(5321)
    taken = 0
    for _ in range(3000):
        length = chooser.randint(1, 12)
        text = "".join(chooser.choice(ALPHABET) for _ in range(length)).strip()
        if text and _PLAIN.fullmatch(text):
            taken += 1
            assert parsed_as_plain(text), repr(text)
    assert taken > 300  # the check above ran on enough texts to mean something
