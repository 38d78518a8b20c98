"""Plain outputs of transcripts (text, man, texinfo) and builders without a visitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from telnetmail.core.model import SpanKind
from telnetmail.core.model import Line

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp


def builder(name: str) -> pytest.param:
    # Each builder in a source tree of its own, not to share a doctree cache.
    return pytest.param(
        name, marks=pytest.mark.sphinx(name, testroot="render", srcdir=f"render-{name}")
    )


def built_output(app: SphinxTestApp) -> str:
    app.build()
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in app.outdir.rglob("*")
        if path.is_file()
        and path.suffix in {".txt", ".1", ".texi", ".xml", ".pseudoxml"}
    )


@pytest.mark.sphinx("text", testroot="render")
def test_text_output_prefixes_client_and_server_lines(app: SphinxTestApp) -> None:
    text = built_output(app)
    assert "   C: EHLO client.example.com\n   S: 250-mx1.example.com\n" in text
    assert "S: -ERR invalid password" in text
    assert "C: a3 FETCH 1 (FLAGS BODY[])" in text


@pytest.mark.sphinx("text", testroot="render")
def test_text_output_aligns_telnet_lines_without_a_prefix(app: SphinxTestApp) -> None:
    assert "      Trying 192.0.2.2...\n" in built_output(app)


@pytest.mark.sphinx("text", testroot="render")
def test_text_output_keeps_the_caption(app: SphinxTestApp) -> None:
    assert "Sending a message & checking <replies>" in built_output(app)


@pytest.mark.parametrize("name", [builder("man"), builder("texinfo")])
def test_man_and_texinfo_show_the_prefixed_dialogue(
    app: SphinxTestApp, name: str
) -> None:
    assert app.builder.name == name
    output = built_output(app)
    assert "C: EHLO client.example.com" in output
    assert "S: +OK welcome" in output


@pytest.mark.parametrize("name", [builder("xml"), builder("pseudoxml")])
def test_builders_without_a_visitor_fall_back_to_a_literal_block(
    app: SphinxTestApp, name: str
) -> None:
    assert app.builder.name == name
    assert "C: EHLO client.example.com" in built_output(app)
    assert app.statuscode == 0


def test_a_line_whose_spans_do_not_join_to_its_text_is_shown_as_plain_text() -> None:
    line = Line.from_dict(
        {
            "role": "server",
            "text": "250 OK",
            "lineno": 3,
            "spans": [["code", "250"]],
            "tone": "positive",
        }
    )
    assert [(span.kind, span.text) for span in line.spans] == [
        (SpanKind.TEXT, "250 OK")
    ]
