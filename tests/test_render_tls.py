"""The TLS divider: where a dialogue turns to TLS, in HTML, LaTeX and text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from telnetmail.core.base64note import decoded_notes
from telnetmail.core.parser import parse_transcript
from telnetmail.core.tlsmark import encryption_starts

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

DIVIDER = "TLS: encrypted from here"


@pytest.mark.parametrize(
    ("page", "after"),
    [
        ("client: STARTTLS\nserver: 220 2.0.0 Ready to start TLS", 1),
        ("client: STLS\nserver: +OK Begin TLS negotiation now.", 1),
        ("client: a STARTTLS\nserver: a OK Begin TLS negotiation now.", 1),
        ("telnet: openssl s_client -quiet -connect h:993\nserver: * OK hi", 0),
        ("client: STARTTLS\nserver: 454 4.7.0 TLS not available", None),
        ("client: a STARTTLS\nserver: a BAD TLS support isn't enabled.", None),
        ("client: b STARTTLS\nserver: a OK Begin TLS negotiation now.", None),
        ("client: NOOP\nserver: 220 2.0.0 Ok", None),
    ],
)
def test_encryption_starts_after_the_yes_to_starttls(
    page: str, after: int | None
) -> None:
    assert encryption_starts(parse_transcript(page).lines) == after


@pytest.mark.sphinx("html", testroot="tls")
def test_html_divides_where_tls_begins(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert html.count('class="transcript-tls"') == 2
    ready = html.index("Ready to start TLS")
    assert html.index('class="transcript-tls"', ready) < html.index("imaps")
    assert re.search(
        r"openssl s_client.*?</span>\n</span><span class=\"transcript-tls\"", html
    )


@pytest.mark.sphinx("latex", testroot="tls")
def test_latex_divides_where_tls_begins(app: SphinxTestApp) -> None:
    app.build()
    tex = next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    assert tex.count(r"\PYG{tmtls}{") == 2
    assert r"\PYG{tmtls}{\PYGZhy{}\PYGZhy{}\PYGZhy{} TLS: encrypted from here" in tex


@pytest.mark.sphinx("text", testroot="tls")
def test_text_divides_where_tls_begins(app: SphinxTestApp) -> None:
    app.build()
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert f"S: 220 2.0.0 Ready to start TLS\n   --- {DIVIDER} ---\n" in text
    assert text.count(DIVIDER) == 2


@pytest.mark.sphinx("html", testroot="tls", confoverrides={"language": "it"})
def test_the_divider_speaks_italian(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "TLS: da qui in poi la connessione è cifrata" in html


@pytest.mark.parametrize(
    ("page", "notes"),
    [
        (
            "client: AUTH PLAIN AE15VXNlcm5hbWUATXlQYXNzd29yZA==\nserver: 235 ok",
            {0: "\\0MyUsername\\0MyPassword"},
        ),
        (
            "client: AUTH LOGIN\nserver: 334 VXNlcm5hbWU6\nclient: TXlVc2VybmFtZQ==",
            {1: "Username:", 2: "MyUsername"},
        ),
        (
            "client: a AUTHENTICATE PLAIN\nserver: +\nclient: AE15VXNlcm5hbWUA",
            {2: "\\0MyUsername\\0"},
        ),
        # +OK is no challenge, and STAT after it is a command, not base64.
        ("client: USER MyUsername\nserver: +OK\nclient: STAT", {}),
        ("client: AUTH PLAIN not-base64!\nserver: 535 no", {}),
    ],
)
def test_base64_is_decoded_for_the_reader(page: str, notes: dict[int, str]) -> None:
    assert decoded_notes(parse_transcript(page).lines) == notes


@pytest.mark.sphinx("html", testroot="tls")
def test_html_gives_base64_lines_a_decoded_tooltip(app: SphinxTestApp) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert 'title="base64 of: \\0MyUsername\\0MyPassword"' in html
    assert 'title="base64 of: Username:"' in html
    assert 'title="base64 of: MyUsername"' in html
    assert html.count("transcript-base64") == 3
