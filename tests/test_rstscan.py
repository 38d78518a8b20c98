"""Finding transcripts in reST without Sphinx, as docutils would read them."""

from __future__ import annotations

from docutils.statemachine import string2lines

from telnetmail.core.rstscan import scan, source_lines

PAGE = """\
Title
=====

.. transcript::
   :name: first
   :after: a, b

   server: 220 hi
     client: indented more

.. note::

   .. transcript::
      :name: in-a-note

      S: +OK

.. code-block:: rst

   .. transcript::
      :name: an-example-in-code

      S: 220 no

An example::

   .. transcript::
      :name: in-a-literal-block

..
   .. transcript::
      :name: in-a-comment

The end.
"""


def test_options_content_and_line_numbers_are_read():
    first = next(scan(PAGE))
    assert first.lineno == 4
    assert first.options == {"name": "first", "after": "a, b"}
    assert first.content == [
        (7, ""),
        (8, "server: 220 hi"),
        (9, "  client: indented more"),
    ]


def test_transcripts_inside_containers_are_found():
    assert [block.options["name"] for block in scan(PAGE)] == ["first", "in-a-note"]


def test_the_course_pages_transcripts_are_all_found():
    from pathlib import Path

    course = Path(__file__).resolve().parent.parent / "course"
    names = [
        block.options.get("name")
        for page in sorted(course.glob("*.rst"))
        for block in scan(page.read_text(encoding="utf-8"))
    ]
    assert "seed-smtp" in names and "saluto-smtp" not in names


def test_tabs_and_trailing_spaces_are_read_as_docutils_reads_them():
    page = ".. transcript::\n\n   client: NOOP a\tb   \n\f  server:\t250 Ok\v\n"
    block = next(scan(page))
    # Tab stops count from the start of the source line, indentation included.
    assert block.content == [
        (2, ""),
        (3, "client: NOOP a       b"),
        (4, "server:      250 Ok"),
    ]
    assert source_lines(page) == string2lines(page, convert_whitespace=True)
