"""What keeps the extension cheap in an html build, without changing what it writes.

Each transcript is parsed once, by its directive: the sizes compared across
pages reuse that parse, and parse again only what this process did not read
(parallel reading, an earlier build). The HTML escaping is ``html.escape``'s,
a chain of ``str.replace`` as it does (five times faster than ``str.translate``
on a line of a mail session). The reference tables are looked for only on
the pages that hold them, except where a builder joins every page into one.
The writers (HTML, LaTeX, text) take each transcript's lines from its
directive's parse, found by the lines it was made from, and rebuild them
from the node only where this process read no such lines.
"""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from bs4 import BeautifulSoup

from benchkit import quick_run
from telnetmail.ext import domain as ext_domain
from telnetmail.ext import sizes as ext_sizes
from telnetmail.ext.html import escape, escape_attribute
from telnetmail.ext.nodes import transcript_lines

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

#: Texts that html.escape changes, and ones it leaves alone.
AWKWARD = [
    "",
    "plain",
    "a & b < c > d",
    "&lt; already escaped &amp;",
    "\"double\" and 'single' quotes",
    "C: LOGIN \"user\" 'pa&ss'\n\tnext line\r",
    "àèìòù ’ ✓ \x00",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_escape_is_html_escape(text: str) -> None:
    assert escape(text) == html.escape(text, quote=False)
    assert escape(text, quote=True) == html.escape(text, quote=True)


@pytest.mark.parametrize("text", AWKWARD)
def test_an_attribute_is_html_escaped_with_its_whitespace_kept(text: str) -> None:
    expected = (
        html.escape(text, quote=True)
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )
    assert escape_attribute(text) == expected


def warnings(app: SphinxTestApp) -> str:
    return app.warning.getvalue()


@pytest.mark.sphinx("html", testroot="sizes", freshenv=True)
def test_sizes_across_pages_reuse_the_parse_of_each_directive(
    app: SphinxTestApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed_again: list[object] = []
    original = ext_sizes.parse_lines
    monkeypatch.setattr(
        ext_sizes,
        "parse_lines",
        lambda *args, **kwargs: parsed_again.append(args) or original(*args, **kwargs),
    )
    app.build()
    assert parsed_again == []
    # The chain on the other page still disagrees with the page's own sizes.
    assert "LIST gives message 1 9 octets, but RETR 1 shows 19 octets" in warnings(app)


@pytest.mark.sphinx("html", testroot="sizes", freshenv=True)
def test_a_transcript_read_elsewhere_is_parsed_again_to_compare_sizes(
    app: SphinxTestApp,
) -> None:
    # As when another process read the pages (sphinx-build -j): no parse here.
    app.connect(
        "env-check-consistency",
        lambda app, env: env.get_domain("transcript").parsed.clear(),
        priority=100,
    )
    app.build()
    assert "LIST gives message 1 9 octets, but RETR 1 shows 19 octets" in warnings(app)
    assert warnings(app).count("WARNING") == 2


def forget_the_parses(app: SphinxTestApp) -> None:
    """As when the pages were read by another process or an earlier build:
    once the checks across pages have run, the writer finds no parse."""
    app.connect(
        "env-check-consistency",
        lambda app, env: env.get_domain("transcript").parsed.clear(),
        priority=900,
    )


def written(app: SphinxTestApp) -> str:
    """The page as its builder wrote it: HTML, text, or the LaTeX document."""
    for name in ("index.html", "index.txt"):
        if (app.outdir / name).exists():
            return (app.outdir / name).read_text(encoding="utf-8")
    return "".join(
        tex.read_text(encoding="utf-8") for tex in sorted(app.outdir.glob("*.tex"))
    )


def dialogue(app: SphinxTestApp) -> str:
    """The text of the page's dialogues, as they are shown with their roles."""
    page = BeautifulSoup(written(app), "html.parser")
    return "".join(block.get_text() for block in page.select("pre.transcript-dialogue"))


@pytest.mark.parametrize(
    ("builder", "testroot"),
    [
        pytest.param(builder, root, marks=pytest.mark.sphinx(builder, testroot=root))
        for builder in ("html", "latex", "text")
        for root in ("render", "tls")
    ],
)
def test_a_page_is_written_the_same_from_the_parse_or_from_its_node(
    make_app: Callable[..., SphinxTestApp],
    app_params: tuple[list[Any], dict[str, Any]],
    builder: str,
    testroot: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rebuilt: list[object] = []  # nodes whose lines were rebuilt, not found parsed

    def rebuild(node: Any) -> Any:
        rebuilt.append(node)
        return transcript_lines(node)

    monkeypatch.setattr(ext_domain, "transcript_lines", rebuild)
    args, kwargs = app_params
    from_parse = make_app(*args, **{**kwargs, "freshenv": True})
    from_parse.build()
    assert rebuilt == []  # every dialogue was written from its parse
    expected = written(from_parse)
    from_node = make_app(*args, **{**kwargs, "freshenv": True})
    forget_the_parses(from_node)
    from_node.build()
    assert rebuilt  # ... and here from its node
    assert written(from_node) == expected
    assert "250" in expected  # the transcripts were written, in either build


@pytest.mark.sphinx("html", testroot="render", srcdir="render-edited", freshenv=True)
def test_a_transcript_changed_since_the_last_build_is_written_as_it_now_reads(
    app: SphinxTestApp,
) -> None:
    app.build()
    assert "250 2.1.0 Ok" in dialogue(app)
    page = app.srcdir / "index.rst"
    page.write_text(
        page.read_text(encoding="utf-8").replace("250 2.1.0 Ok", "250 2.1.0 Sender ok"),
        encoding="utf-8",
    )
    app.build()
    assert "250 2.1.0 Sender ok" in dialogue(app)
    assert "250 2.1.0 Ok\n" not in dialogue(app)


@pytest.mark.sphinx("singlehtml", testroot="extras", freshenv=True)
def test_the_reference_is_built_where_all_pages_make_one(app: SphinxTestApp) -> None:
    app.build()
    page = BeautifulSoup(
        (app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    tables = page.select("table.transcript-index")
    assert tables, "no reference table in the single page"
    assert any(link["href"].endswith("#hello") for link in tables[0].select("a"))


@pytest.mark.sphinx("html", testroot="caption-backslash", freshenv=True)
def test_the_captions_the_directive_made_are_checked_once_each(
    app: SphinxTestApp,
) -> None:
    # Handed over by the directive, not searched for in the page.
    app.build()
    dropped = [
        line for line in warnings(app).splitlines() if "drops the backslash" in line
    ]
    assert len(dropped) == 1, dropped
    assert "index.rst:22:" in dropped[0]
    assert "\\Flagged" in dropped[0]


#: An html build in an interpreter of its own, printing telnetmail's modules it loaded.
HTML_BUILD_LOADS = (
    "import sys\n"
    "from sphinx.cmd.build import build_main\n"
    "assert build_main(['-E', '-q', '-b', 'html', *sys.argv[1:]]) == 0\n"
    "print(*sorted(m for m in sys.modules if m.startswith('telnetmail')))\n"
)


def test_an_html_build_compiles_none_of_openssl_s_own_lines(tmp_path: Path) -> None:
    # Only the replay and the recorder tell them from the server's lines.
    page_with_openssl = Path(__file__).parent / "roots" / "test-tls"
    built = subprocess.run(
        [sys.executable, "-c", HTML_BUILD_LOADS, str(page_with_openssl), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = built.stdout.split()
    assert "telnetmail.core.openssl" in loaded  # what reads the page's openssl line
    assert "telnetmail.core.opensslout" not in loaded


def test_the_html_bench_runs_to_its_end() -> None:
    output = quick_run("htmlbuild.py")
    # Both ways of counting, side by side.
    assert "median share: hooked " in output
    assert "sampled (a " in output
    assert " own " in output
    assert " caused " in output


def test_the_parse_bench_runs_to_its_end() -> None:
    output = quick_run("parse.py")
    assert "first parse of the course (as in a build): " in output
    assert "parse of the course: median " in output
