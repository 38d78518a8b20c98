"""HTML output of transcripts: roles, tones, copy payload, window view, assets."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup
from docutils import nodes

from telnetmail.core.plain import client_input, format_window
from telnetmail.core.model import Line

if TYPE_CHECKING:
    from bs4 import Tag
    from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx("html", testroot="render")


def build_page(app: SphinxTestApp) -> BeautifulSoup:
    app.build()
    return BeautifulSoup(
        (app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser"
    )


def transcript_div(page: BeautifulSoup, name: str) -> Tag:
    """The transcript block called ``name``, the id on it or on its caption wrapper."""
    target = page.find(id=name)
    assert target is not None, f"no element with id {name!r}"
    return (
        target
        if "transcript" in target["class"]
        else target.find("div", class_="transcript")
    )


def source_lines(app: SphinxTestApp, name: str) -> list[dict]:
    doctree = app.env.get_doctree("index")
    node = next(
        n for n in doctree.findall(nodes.Element) if n.get("transcript_name") == name
    )
    return node["lines"]


def shown_lines(block: Tag) -> list[Tag]:
    return block.select("pre.transcript-dialogue span.transcript-line")


def line_text(line: Tag) -> str:
    """What a line shows after its role label, without the closing newline."""
    label = line.find("span", class_="transcript-role")
    return line.get_text()[len(label.get_text()) :].removesuffix("\n")


def line_with(block: Tag, text: str) -> Tag:
    return next(line for line in shown_lines(block) if line_text(line) == text)


def test_each_line_shows_its_role_as_a_class_and_as_a_label(app: SphinxTestApp) -> None:
    block = transcript_div(build_page(app), "smtp-session")
    for line, source in zip(
        shown_lines(block), source_lines(app, "smtp-session"), strict=True
    ):
        assert f"transcript-{source['role']}" in line["class"]
        assert (
            line.find("span", class_="transcript-role").get_text().strip()
            == source["role"]
        )


@pytest.mark.parametrize(
    "name", ["smtp-session", "pop3-session", "imap-session", "narrated-session"]
)
def test_every_line_is_shown_with_its_whitespace_as_written(
    app: SphinxTestApp, name: str
) -> None:
    block = transcript_div(build_page(app), name)
    shown = [line_text(line) for line in shown_lines(block)]
    assert shown == [source["text"] for source in source_lines(app, name)]


def test_leading_spaces_of_a_folded_header_line_are_kept(app: SphinxTestApp) -> None:
    block = transcript_div(build_page(app), "smtp-session")
    folded = next(
        line_text(line) for line in shown_lines(block) if "by mx1" in line.get_text()
    )
    assert folded.startswith("  ")
    assert folded.strip() == "by mx1.example.com with ESMTP"


@pytest.mark.parametrize("name", ["smtp-session", "pop3-session", "imap-session"])
def test_copy_button_carries_exactly_the_client_lines(
    app: SphinxTestApp, name: str
) -> None:
    block = transcript_div(build_page(app), name)
    lines = [Line.from_dict(data) for data in source_lines(app, name)]
    button = block.find("button", class_="transcript-copy")
    assert button["data-client-input"] == client_input(lines)


def test_window_view_shows_the_session_as_telnet_does(app: SphinxTestApp) -> None:
    block = transcript_div(build_page(app), "pop3-session")
    lines = [Line.from_dict(data) for data in source_lines(app, "pop3-session")]
    window = block.find("pre", class_="transcript-window")
    assert window.get_text() == format_window(lines)
    assert window.has_attr("hidden")


def test_toolbar_is_hidden_until_the_script_wires_it(app: SphinxTestApp) -> None:
    toolbar = transcript_div(build_page(app), "smtp-session").find(
        class_="transcript-toolbar"
    )
    assert toolbar.has_attr("hidden")
    assert [button["type"] for button in toolbar.find_all("button")] == [
        "button",
        "button",
    ]


def test_window_switch_is_a_toggle_button_not_pressed_at_first(
    app: SphinxTestApp,
) -> None:
    switch = transcript_div(build_page(app), "smtp-session").find(
        "button", class_="transcript-switch"
    )
    assert switch["aria-pressed"] == "false"
    assert switch.get_text().strip()


@pytest.mark.parametrize(
    ("name", "text", "tone"),
    [
        ("smtp-session", "250 2.1.0 Ok", "positive"),
        ("smtp-session", "354 End data with <CR><LF>.<CR><LF>", "intermediate"),
        ("smtp-session", "451 4.3.0 Try again later", "transient"),
        (
            "smtp-session",
            "550 5.1.1 <nobody@example.com>: Recipient address rejected",
            "negative",
        ),
        ("pop3-session", "+OK welcome", "positive"),
        ("pop3-session", "-ERR invalid password", "negative"),
        ("imap-session", "a2 OK Logged in.", "positive"),
        (
            "imap-session",
            "a1 NO [AUTHENTICATIONFAILED] Authentication failed.",
            "transient",
        ),
        ("imap-session", "a4 BAD Unknown command.", "negative"),
    ],
)
def test_server_replies_are_marked_with_their_tone(
    app: SphinxTestApp, name: str, text: str, tone: str
) -> None:
    line = line_with(transcript_div(build_page(app), name), text)
    assert f"transcript-{tone}" in line["class"]


def test_lines_without_a_status_have_no_tone(app: SphinxTestApp) -> None:
    line = line_with(transcript_div(build_page(app), "pop3-session"), "Hello.")
    assert not {"transcript-positive", "transcript-negative"} & set(line["class"])


@pytest.mark.parametrize(
    ("name", "text", "kind", "piece"),
    [
        ("smtp-session", "EHLO client.example.com", "verb", "EHLO"),
        ("smtp-session", "451 4.3.0 Try again later", "code", "451"),
        ("pop3-session", "USER MyUsername", "verb", "USER"),
        ("pop3-session", "-ERR invalid password", "status", "-ERR"),
        ("imap-session", "a3 FETCH 1 (FLAGS BODY[])", "tag", "a3"),
        ("imap-session", "a3 FETCH 1 (FLAGS BODY[])", "verb", "FETCH"),
        ("imap-session", "a4 BAD Unknown command.", "status", "BAD"),
        ("imap-session", r"* 1 FETCH (FLAGS (\Seen) BODY[] {13}", "keyword", "FETCH"),
        ("imap-session", r"* 1 FETCH (FLAGS (\Seen) BODY[] {13}", "literal", "{13}"),
        (
            "narrated-session",
            "<the POP3 server sends message 1>",
            "placeholder",
            "<the POP3 server sends message 1>",
        ),
    ],
)
def test_protocol_pieces_are_highlighted(
    app: SphinxTestApp, name: str, text: str, kind: str, piece: str
) -> None:
    line = line_with(transcript_div(build_page(app), name), text)
    assert piece in [
        span.get_text() for span in line.find_all("span", class_=f"transcript-{kind}")
    ]


def test_a_value_that_differs_in_every_session_says_so(app: SphinxTestApp) -> None:
    block = transcript_div(build_page(app), "smtp-session")
    volatile = block.find("span", class_="transcript-volatile")
    assert volatile.get_text() == "Tue, 20 Jan 2004 22:33:36 +0200"
    assert volatile["title"]


def test_markup_in_a_transcript_is_escaped(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "Subject: Fish &amp; chips &lt;today&gt;" in html
    assert "<today>" not in html


def test_caption_wraps_the_transcript_as_for_a_code_block(app: SphinxTestApp) -> None:
    wrapper = transcript_div(build_page(app), "smtp-session").parent
    assert "literal-block-wrapper" in wrapper["class"]
    caption = wrapper.find("div", class_="code-block-caption", recursive=False)
    assert (
        caption.find(class_="caption-text").get_text()
        == "Sending a message & checking <replies>"
    )
    assert wrapper.find("div", class_="transcript", recursive=False) is not None


def test_a_reference_to_the_name_links_to_the_transcript(app: SphinxTestApp) -> None:
    page = build_page(app)
    hrefs = [a["href"] for a in page.select("a.reference.internal")]
    assert "#smtp-session" in hrefs
    assert "#pop3-session" in hrefs
    assert "transcript" in page.find(id="pop3-session")["class"]


def test_block_is_marked_with_its_protocol_and_kept_from_page_translators(
    app: SphinxTestApp,
) -> None:
    block = transcript_div(build_page(app), "imap-session")
    assert {"transcript", "transcript-imap", "notranslate"} <= set(block["class"])


def test_stylesheet_and_script_are_shipped_and_linked(app: SphinxTestApp) -> None:
    page = build_page(app)
    assert (app.outdir / "_static" / "transcript.css").is_file()
    assert (app.outdir / "_static" / "transcript.js").is_file()
    assert any(
        "transcript.css" in link["href"]
        for link in page.find_all("link", rel="stylesheet")
    )
    assert any(
        "transcript.js" in script.get("src", "") for script in page.find_all("script")
    )


def html_builder(name: str) -> pytest.param:
    # Each builder in a source tree of its own, not to share a doctree cache.
    return pytest.param(
        name, marks=pytest.mark.sphinx(name, testroot="render", srcdir=f"render-{name}")
    )


@pytest.mark.parametrize(
    "builder", [html_builder("singlehtml"), html_builder("dirhtml")]
)
def test_other_html_builders_render_the_dialogue(
    app: SphinxTestApp, builder: str
) -> None:
    assert app.builder.name == builder
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert '<span class="transcript-line transcript-client">' in html


@pytest.mark.sphinx("epub", testroot="render", srcdir="render-epub")
def test_epub_keeps_the_newlines_of_the_copy_payload(app: SphinxTestApp) -> None:
    # EPUB pages are XHTML, and an XML parser turns a raw newline in an
    # attribute into a space.
    app.build()
    tree = ET.parse(app.outdir / "index.xhtml")
    payloads = [
        e.get("data-client-input")
        for e in tree.iter()
        if e.get("class") == "transcript-copy"
    ]
    lines = [Line.from_dict(data) for data in source_lines(app, "smtp-session")]
    assert payloads[0] == client_input(lines)


def test_page_builds_without_warnings(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue() == ""
