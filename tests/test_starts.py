"""Where a ``:reset:`` dialogue starts, told to the reader in every format."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sphinxkit import warnings

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

RESET_TO = (
    "Before this dialogue, put the practice server back in its starting state:"
)
#: Sphinx makes the apostrophe typographic in HTML.
EMPTIED = "Before this dialogue, empty the practice server"


def built(app: SphinxTestApp, suffix: str) -> str:
    app.build()
    return "\n".join(
        path.read_text(encoding="utf-8") for path in app.outdir.glob(f"*{suffix}")
    )


@pytest.mark.sphinx("html", testroot="starts")
def test_html_tells_the_command_before_a_reset_dialogue(app: SphinxTestApp) -> None:
    page = built(app, ".html")
    assert (
        f'<p class="transcript-start">{RESET_TO} <code class="docutils literal'
        in page
    )
    assert (
        '<span class="pre">telnetmail</span> <span class="pre">reset</span>'
        ' <span class="pre">read</span></code></p>'
    ) in page
    assert page.index(RESET_TO) < page.index("pop.example.com")
    assert page.count("transcript-start") == 2  # send has no :reset:


@pytest.mark.sphinx("html", testroot="starts")
def test_a_reset_dialogue_without_after_empties_the_mailboxes(
    app: SphinxTestApp,
) -> None:
    page = built(app, ".html")
    empty = page[page.index(EMPTIED) :]
    assert 'reset</span></code>' in empty[:300]
    assert "reset</span> <span class=\"pre\">empty" not in page


@pytest.mark.sphinx("text", testroot="starts", srcdir="starts-text")
def test_text_tells_the_command_in_one_line(app: SphinxTestApp) -> None:
    text = built(app, ".txt")
    assert f'{RESET_TO} "telnetmail reset read"' in text.replace("\n", " ")
    assert f"{EMPTIED}'s mailboxes: \"telnetmail reset\"" in text.replace("\n", " ")


@pytest.mark.sphinx("latex", testroot="starts", srcdir="starts-latex")
def test_latex_tells_the_command(app: SphinxTestApp) -> None:
    tex = built(app, ".tex")
    assert r"\sphinxcode{\sphinxupquote{telnetmail reset read}}" in tex


@pytest.mark.sphinx(
    "html",
    testroot="starts",
    srcdir="starts-it",
    confoverrides={"language": "it"},
)
def test_an_italian_page_tells_it_in_italian(app: SphinxTestApp) -> None:
    page = built(app, ".html")
    assert "Prima di questo dialogo, riporta il server di prova" in page
    assert "svuota le caselle del server di prova" in page


@pytest.mark.sphinx("html", testroot="starts", srcdir="starts-unnamed")
def test_a_reset_with_after_and_no_name_is_warned_at_its_line(
    app: SphinxTestApp,
) -> None:
    index = app.srcdir / "index.rst"
    index.write_text(
        index.read_text(encoding="utf-8").replace("   :name: read\n", ""),
        encoding="utf-8",
    )
    app.build()
    assert (
        "index.rst:12: WARNING: transcript: :reset: with :after: needs a :name:"
        in warnings(app)
    )
