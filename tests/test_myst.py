"""MyST Markdown pages: built by Sphinx, found by ``telnetmail check`` and the plugin."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from telnetmail.replay.pages import collect, pages
from telnetmail.core.mystscan import scan_myst, scan_page

pytest.importorskip("myst_parser", reason="myst-parser is not installed")

ROOT = Path(__file__).resolve().parent / "roots" / "test-myst"
NAMES = ["myst-options", "myst-yaml", "myst-nested", "myst-eval-rst", "myst-in-list"]


def lines(content) -> list[tuple[int, str]]:
    """The lines that say something: blank lines between turns are layout."""
    return [(number, text) for number, text in content if text.strip()]


def warned_lines(app) -> dict[str, int]:
    """The line each warning names, by the text of the line it is about."""
    return {
        match[2]: int(match[1])
        for match in re.finditer(
            r"malformed\.md:(\d+): WARNING: .*got '([^']*)'", app.warning.getvalue()
        )
    }


@pytest.mark.sphinx("html", testroot="myst", freshenv=True)
def test_warnings_name_the_line_of_the_md_page(app):
    app.build()
    assert warned_lines(app) == {
        "options line without a role": 7,
        "yaml line without a role": 15,
        "nested line without a role": 21,
        "reST line without a role": 30,
    }


@pytest.mark.sphinx("html", testroot="myst", freshenv=True)
def test_the_scanner_reads_what_the_build_reads(app):
    app.build()
    for docname in ("index", "malformed"):
        built = [
            lines(tuple(pair) for pair in node["transcript_source"])
            for node in app.env.get_doctree(docname).findall(
                lambda node: "transcript_source" in node
            )
        ]
        text = (app.srcdir / f"{docname}.md").read_text(encoding="utf-8")
        assert [lines(block.content) for block in scan_myst(text)] == built


def test_the_scanner_reads_options_from_lines_and_from_yaml():
    blocks = list(scan_myst((ROOT / "index.md").read_text(encoding="utf-8")))
    assert [block.options.get("name") for block in blocks] == NAMES
    assert blocks[1].options["caption"] == "Checking the mailbox"


def test_transcripts_shown_in_code_fences_are_examples():
    text = "````md\n```{transcript}\nS: x\n```\n````\n```rst\n.. transcript::\n```\n"
    assert list(scan_myst(text)) == []


def test_a_page_is_read_as_myst_by_its_suffix():
    text = "```{transcript}\nS: 220 x\n```\n\n.. transcript::\n\n   S: 220 y\n"
    assert [lines(b.content) for b in scan_page("page.md", text)] == [[(2, "S: 220 x")]]
    assert [lines(b.content) for b in scan_page("page.rst", text)] == [
        [(7, "S: 220 y")]
    ]


def test_check_finds_md_pages_in_a_folder():
    assert ROOT / "index.md" in list(pages([ROOT]))


def test_check_collects_the_transcripts_of_an_md_page():
    cases = list(collect([ROOT / "index.md"], "protocol"))
    assert [case.name for case in cases] == NAMES
    assert all(not case.transcript.diagnostics for case in cases)


def test_check_replays_an_md_page(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "telnetmail", "check", str(ROOT / "index.md")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(NAMES)} passed" in result.stdout


def test_the_pytest_plugin_collects_an_md_page(pytester):
    pytester.path.joinpath("page.md").write_text(
        (ROOT / "index.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = pytester.runpytest_inprocess(
        "--transcripts", "--collect-only", "-q", "page.md"
    )
    result.stdout.fnmatch_lines([f"page.md::{name}" for name in NAMES])


ENTITY_PAGE = """# Entities

```{transcript}
:caption: Tom &amp; Jerry

S: 220 mx1.example.com ESMTP
C: QUIT
```

```{transcript-solution}
:title: Tom &amp; Jerry
```
"""


@pytest.mark.sphinx("html", testroot="myst", srcdir="myst-entities", freshenv=True)
def test_a_caption_and_a_solution_title_are_read_as_markdown(app):
    # Markdown reads the entity, which reST would show as written.
    (app.srcdir / "entities.md").write_text(ENTITY_PAGE, encoding="utf-8")
    app.build()
    page = (app.outdir / "entities.html").read_text(encoding="utf-8")
    assert "Tom &amp; Jerry</span>" in page  # the caption
    assert ">Tom &amp; Jerry</summary>" in page
    assert "&amp;amp;" not in page
