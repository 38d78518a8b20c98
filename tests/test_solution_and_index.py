"""Course tools: folded exercise solutions, and the generated reference tables."""

from __future__ import annotations

import re

import pytest


@pytest.mark.sphinx("html", testroot="extras", freshenv=True)
def test_a_solution_is_folded_in_details_with_its_transcript_inside(app):
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    folded = re.search(
        r'<details class="transcript-solution">(.*?)</details>', page, re.S
    )
    assert folded is not None
    assert folded[1].startswith(
        '\n<summary class="transcript-solution-title">Solution</summary>'
    )
    assert 'id="goodbye"' in folded[1]
    assert "transcript-dialogue" in folded[1]


@pytest.mark.sphinx("text", testroot="extras", freshenv=True)
def test_a_solution_is_a_titled_block_in_other_formats(app):
    app.build()
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "-[ Solution ]-" in text
    assert "C: QUIT" in text


@pytest.mark.sphinx(
    "html", testroot="extras", freshenv=True, confoverrides={"language": "it"}
)
def test_the_solution_title_is_translated(app):
    app.build()
    assert ">Soluzione</summary>" in (app.outdir / "index.html").read_text(
        encoding="utf-8"
    )


def index_rows(app) -> dict[str, list[str]]:
    page = (app.outdir / "reference.html").read_text(encoding="utf-8")
    rows = {}
    for cells in re.findall(
        r"<tr[^>]*><td><p>(.*?)</p></td>\s*<td><p>(.*?)</p></td>", page, re.S
    ):
        item = re.sub(r"<[^>]+>", "", cells[0])
        rows[item] = re.findall(r'href="([^"]+)"', cells[1])
    return rows


@pytest.mark.sphinx("html", testroot="extras", freshenv=True)
def test_the_reference_lists_each_command_and_reply_with_links_to_its_dialogues(app):
    app.build()
    rows = index_rows(app)
    assert rows == {
        "HELO": ["index.html#hello"],
        "QUIT": ["index.html#goodbye"],
        "VRFY": ["index.html#hello"],
        "220": ["index.html#hello", "index.html#goodbye"],
        "221": ["index.html#goodbye"],
        "250": ["index.html#hello"],
        "252": ["index.html#hello"],
    }


@pytest.mark.sphinx("html", testroot="extras", freshenv=True)
def test_the_reference_follows_a_changed_page(app):
    app.build()
    source = app.srcdir / "index.rst"
    source.write_text(
        source.read_text().replace("VRFY nobody", "NOOP"), encoding="utf-8"
    )
    app.build()
    rows = index_rows(app)
    assert "VRFY" not in rows and rows["NOOP"] == ["index.html#hello"]


@pytest.mark.sphinx("html", testroot="captions-i18n", freshenv=True)
def test_the_reference_links_with_the_caption_as_translated_and_shown(app):
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "<em>il server</em>" in page  # the caption itself is translated
    links = re.findall(r'<a class="reference internal" href="#hello"[^>]*>(.*?)</a>', page)
    assert len(links) == 3  # HELO, 220, 250
    assert set(links) == {"Salutare il server"}


@pytest.mark.sphinx("latex", testroot="extras", freshenv=True)
def test_the_reference_tables_keep_their_widths_and_break_across_pages_in_latex(app):
    app.build()
    tex = (app.outdir / "projectnamenotset.tex").read_text(encoding="utf-8")
    # Measured widths (tabulary) squeezed the first column until its heading
    # hyphenated; an unbreakable tabular ran past the bottom of the page.
    tables = re.findall(r"\\begin\{longtable\}\{([^\n]*)\}\n", tex)
    assert len(tables) == 2  # commands, replies
    assert all(spec == r"\X{25}{100}\X{75}{100}" for spec in tables)
    assert "tabulary" not in tex


def folded_solutions(page: str) -> list[str]:
    return re.findall(r'<details class="transcript-solution">(.*?)</details>', page, re.S)


SOLUTION = """

.. solution::

   .. transcript::

      S: 220 mx1.example.com ESMTP
      C: QUIT
"""


@pytest.mark.sphinx(
    "singlehtml", testroot="extras", srcdir="extras-solution-elsewhere", freshenv=True
)
def test_a_solution_on_another_page_is_folded_in_the_single_page(app):
    # The single page is resolved as the root document's: every page's
    # solutions are folded, not just those the root document holds.
    index = app.srcdir / "index.rst"
    text = index.read_text(encoding="utf-8")
    index.write_text(text[: text.index(".. solution::")], encoding="utf-8")
    with (app.srcdir / "reference.rst").open("a", encoding="utf-8") as reference:
        reference.write(SOLUTION)
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert len(folded_solutions(page)) == 1


@pytest.mark.sphinx(
    "html", testroot="parallel", srcdir="parallel-solutions", parallel=2, freshenv=True
)
def test_solutions_on_pages_read_in_parallel_are_folded(app):
    for number in range(1, 9):
        with (app.srcdir / f"doc{number}.rst").open("a", encoding="utf-8") as doc:
            doc.write(SOLUTION)
    app.build()
    for number in range(1, 9):
        page = (app.outdir / f"doc{number}.html").read_text(encoding="utf-8")
        assert len(folded_solutions(page)) == 1, f"doc{number}"
