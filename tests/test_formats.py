"""The course in every format the README names, as a reader gets it.

Each builder builds the real course as ``make html``, ``make epub``, ``make
text`` and ``make latex`` do: ``-W --keep-going``, from the repository's root.
Without TeX the PDF is checked as the ``.tex`` Sphinx writes for it (chapters,
the Italian continuation string, captions' backslashes); with ``latexmk`` the
PDF is built too. The browser tests (headless Chromium from Debian, driven by
Playwright, as in ``test_theme_contrast.py``) load the built pages on a phone's
screen, 390 px wide.
"""

from __future__ import annotations

import html
import pickle
import re
import runpy
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from bs4 import BeautifulSoup

from browserkit import CHROMIUM, MEASURE, MINIMUM, contrast, luminance, painted
from sphinxkit import warnings
from telnetmail.ext.html import WRAP_CSS, WRAP_MEDIA

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).resolve().parent.parent
CONF = runpy.run_path(str(ROOT / "conf.py"))
BUILDERS = ("html", "epub", "text", "latex")
PHONE = {"width": 390, "height": 844}


def sphinx_build(builder: str, outdir: Path) -> None:
    """Build the course with ``-W`` as the Makefile does; fail on any warning."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-M", builder, str(ROOT), str(outdir)]
        + ["-W", "--keep-going", "-q"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The course built by a builder, once per module: its output folder."""
    outdir = tmp_path_factory.mktemp("course")
    done: set[str] = set()

    def built(builder: str) -> Path:
        if builder not in done:
            sphinx_build(builder, outdir)
            done.add(builder)
        # ``-M latexpdf`` writes where ``-M latex`` does, then runs latexmk there.
        return outdir / ("latex" if builder == "latexpdf" else builder)

    return built


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("builder", BUILDERS)
def test_the_course_builds_with_zero_warnings(
    course: Callable[[str], Path], builder: str
) -> None:
    assert any(course(builder).iterdir())


needs_tex = pytest.mark.skipif(
    shutil.which("latexmk") is None, reason="no latexmk (TeX Live)"
)


@needs_tex
def test_the_course_builds_as_a_pdf(course: Callable[[str], Path]) -> None:
    assert (course("latexpdf") / "telnetmail.pdf").is_file()


def overfull_boxes(course: Callable[[str], Path], kind: str) -> list[float]:
    """How far (pt) each overfull box of the PDF's TeX log overshoots."""
    log = (course("latexpdf") / "telnetmail.log").read_text(encoding="latin-1")
    pattern = rf"Overfull \\{kind} \(([\d.]+)pt too (?:wide|high)\)"
    return [float(points) for points in re.findall(pattern, log)]


@needs_tex
def test_no_line_of_the_pdf_runs_into_the_margin(
    course: Callable[[str], Path],
) -> None:
    # Tables included: the reference's first column once hyphenated its
    # heading ("Co-man-do") and let STARTTLS overflow.
    assert overfull_boxes(course, "hbox") == []


@needs_tex
def test_no_page_of_the_pdf_runs_past_its_bottom(
    course: Callable[[str], Path],
) -> None:
    # Where Sphinx's framed verbatim splits a dialogue across pages, its frame
    # overshoots by up to about 3 points (measured: 0.6 to 3.03 over the whole
    # course), which no reader sees; a table too long for its page overshoots
    # by 85 points or more.
    assert [points for points in overfull_boxes(course, "vbox") if points > 6] == []


# EPUB


def test_the_epub_has_its_identifier_description_and_version(
    course: Callable[[str], Path],
) -> None:
    opf = read(course("epub") / "content.opf")
    assert f'id="{CONF["epub_uid"]}">{CONF["epub_identifier"]}</dc:identifier>' in opf
    description = re.search(r"<dc:description>(.*?)</dc:description>", opf, re.DOTALL)
    assert description and html.unescape(description[1]) == CONF["epub_description"]
    assert f'<meta property="ibooks:version">{CONF["version"]}</meta>' in opf
    assert "unknown" not in opf


def stylesheet_links(page: str) -> list[dict[str, Any]]:
    soup = BeautifulSoup(page, "html.parser")
    return [dict(link.attrs) for link in soup.find_all("link", rel="stylesheet")]


def wrap_link(page: str) -> dict[str, Any]:
    (link,) = (ln for ln in stylesheet_links(page) if WRAP_CSS in ln["href"])
    return link


def test_dialogue_lines_wrap_in_every_reader_of_the_epub(
    course: Callable[[str], Path],
) -> None:
    outdir = course("epub")
    assert "media" not in wrap_link(read(outdir / "course" / "smtp.xhtml"))
    (book,) = outdir.glob("*.epub")
    with zipfile.ZipFile(book) as archive:
        assert f"_static/{WRAP_CSS}" in archive.namelist()


def test_dialogue_lines_wrap_on_paper_and_narrow_screens_in_html(
    course: Callable[[str], Path],
) -> None:
    page = read(course("html") / "course" / "smtp.html")
    assert wrap_link(page)["media"] == WRAP_MEDIA


# Text


def test_the_text_edition_shows_each_line_with_its_role(
    course: Callable[[str], Path],
) -> None:
    text = read(course("text") / "course" / "index.txt")
    typed = typed_lines(ROOT / "course" / "index.rst").splitlines()
    assert typed
    assert all(f"C: {line}" in text for line in typed)
    assert re.search(r"^\s*S: \S", text, re.MULTILINE)


# LaTeX (the PDF)


def lessons(doctrees: Path) -> list[str]:
    """The titles of the root's toctree entries, in their order."""
    with (doctrees / "environment.pickle").open("rb") as file:
        env = pickle.load(file)
    return [env.titles[doc].astext() for doc in env.toctree_includes[CONF["root_doc"]]]


def plain(latex: str) -> str:
    """A LaTeX title as text: commands and braces dropped."""
    return re.sub(r"\\[A-Za-z]+\{|[{}]", "", latex)


def tex(course: Callable[[str], Path]) -> str:
    return read(course("latex") / "telnetmail.tex")


def test_each_lesson_is_a_chapter_of_the_pdf(course: Callable[[str], Path]) -> None:
    chapters = re.findall(r"^\\chapter\{(.*)\}$", tex(course), re.MULTILINE)
    expected = lessons(course("latex").parent / "doctrees")
    assert [plain(chapter) for chapter in chapters] == expected


def test_no_lesson_sits_under_a_section_of_the_front_page(
    course: Callable[[str], Path],
) -> None:
    front = tex(course).split("\\chapter{", 1)[0]
    assert not re.search(r"\\(sub)*section\{", front), "a numbered section"


def test_the_pdf_says_continues_on_the_next_page_in_italian(
    course: Callable[[str], Path],
) -> None:
    messages = read(course("latex") / "sphinxmessages.sty")
    assert (
        r"\renewcommand{\literalblockcontinuesname}{continua nella pagina successiva}"
        in messages
    )
    assert "continua dalla pagina precedente" in messages


def test_the_pdf_has_no_blank_pages(course: Callable[[str], Path]) -> None:
    source = tex(course)
    options = re.search(r"\\documentclass\[([^]]*)\]\{sphinxmanual\}", source)
    assert options and {"openany", "oneside"} <= set(options[1].split(","))
    # An index without entries would be a page with only its title.
    assert "\\printindex" not in source or "\\index{" in source


# Captions: one source of truth, backslashes included


def captions(page: str) -> dict[str, str]:
    """Each captioned dialogue's target and its caption as shown."""
    soup = BeautifulSoup(page, "html.parser")
    return {
        wrapper["id"]: wrapper.select_one(".caption-text").get_text()
        for wrapper in soup.select("div.literal-block-wrapper[id]")
        if wrapper.select_one("div.transcript")
    }


def table_links(page: str) -> set[tuple[str, str]]:
    """(target, text) of every link of the reference tables."""
    soup = BeautifulSoup(page, "html.parser")
    return {
        (link["href"].rpartition("#")[2], link.get_text())
        for link in soup.select("table.transcript-index a[href]")
    }


def test_a_caption_reads_the_same_in_its_page_and_in_the_tables(
    course: Callable[[str], Path],
) -> None:
    outdir = course("html") / "course"
    shown = {}
    for page in outdir.glob("*.html"):
        shown.update(captions(read(page)))
    linked = set()
    for page in outdir.glob("*.html"):
        linked |= table_links(read(page))
    assert linked, "no reference table"
    assert all(shown.get(target, text) == text for target, text in linked)


def test_a_caption_keeps_its_backslashes_in_the_pdf(
    course: Callable[[str], Path],
) -> None:
    outdir = course("html") / "course"
    with_backslash = [
        text
        for page in outdir.glob("*.html")
        for text in captions(read(page)).values()
        if "\\" in text
    ]
    source = tex(course)
    for text in with_backslash:
        words = re.findall(r"\\(\w+)", text)
        assert all(f"\\textbackslash{{}}{word}" in source for word in words), text


@pytest.mark.sphinx("html", testroot="caption-backslash")
def test_a_caption_shows_a_literal_or_doubled_backslash(app: SphinxTestApp) -> None:
    app.build()
    page = read(app.outdir / "index.html")
    shown = captions(page)
    assert shown["literal"] == "STORE \\Deleted, then EXPUNGE"
    assert shown["doubled"] == "STORE \\Seen by hand"
    assert ("literal", shown["literal"]) in table_links(page)
    assert ("doubled", shown["doubled"]) in table_links(page)


@pytest.mark.sphinx("html", testroot="caption-backslash", freshenv=True)
def test_a_caption_that_loses_its_backslash_is_reported(app: SphinxTestApp) -> None:
    app.build()
    reported = warnings(app)
    assert (
        "index.rst:22: WARNING: transcript caption: reST drops the backslash of "
        "\\Flagged, which reads 'Flagged'"
    ) in reported
    assert "Deleted" not in reported and "Seen" not in reported


@pytest.mark.sphinx("latex", testroot="caption-backslash")
def test_a_caption_keeps_its_backslash_in_latex(app: SphinxTestApp) -> None:
    app.build()
    source = read(next(app.outdir.glob("*.tex")))
    assert (
        r"\sphinxSetupCaptionForVerbatim{STORE "
        r"\sphinxcode{\sphinxupquote{\textbackslash{}Deleted}}, then EXPUNGE}"
    ) in source
    assert r"\sphinxSetupCaptionForVerbatim{STORE \textbackslash{}Seen by hand}" in (
        source
    )


# The site: titles and the theme's words


def test_no_page_but_the_first_is_titled_as_the_site(
    course: Callable[[str], Path],
) -> None:
    outdir = course("html") / "course"
    root = CONF["root_doc"].rpartition("/")[2]
    for page in outdir.glob("*.html"):
        if page.stem in {root, "genindex", "search"}:
            continue
        title = BeautifulSoup(read(page), "html.parser").h1
        assert title and title.get_text().strip("#¶ ") != CONF["html_title"], page


#: furo's own words, translatable, and Sphinx's that its catalog lacks.
ENGLISH = (
    "Skip to content",
    "Back to top",
    "On this page",
    "Made with",
    ">Next<",
    ">Previous<",
    "Link to this heading",
    "Link to this code",
)
ITALIAN = ("Vai al contenuto", "Torna su", "In questa pagina", "Realizzato con")


def test_the_theme_speaks_italian(course: Callable[[str], Path]) -> None:
    page = read(course("html") / "course" / "smtp.html")
    assert [word for word in ENGLISH if word in page] == []
    assert all(word in page for word in ITALIAN)


# On a phone: headless Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="no playwright")
    if CHROMIUM is None:
        pytest.skip("no chromium to drive (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


#: Themes the narrow root is built with: the course's, and Sphinx's default,
#: whose literals never break (basic.css: span.pre { white-space: nowrap }).
NARROW_THEMES = ("furo", "alabaster")


@pytest.fixture(scope="module", params=NARROW_THEMES)
def narrow_root(
    request: pytest.FixtureRequest,
    rootdir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The ``narrow`` root, the longest lines a course shows, built with a theme."""
    from sphinx.testing.util import SphinxTestApp

    srcdir = tmp_path_factory.mktemp(request.param) / "src"
    shutil.copytree(rootdir / "test-narrow", srcdir)
    app = SphinxTestApp(
        "html", srcdir=srcdir, confoverrides={"html_theme": request.param}
    )
    try:
        app.build()
        assert app.warning.getvalue() == ""
    finally:
        app.cleanup()
    return app.outdir / "index.html"


# Everything of a dialogue that could run off the screen, and whether it does:
# wider than its box (scrolled or cut off), or right of the viewport.
OVERFLOW = """
() => {
  const screen = document.documentElement.clientWidth;
  const found = [];
  const parts = document.querySelectorAll(
    '.transcript, .transcript pre, .transcript-line, p.transcript-start, '
    + '.literal-block-wrapper:has(.transcript) .code-block-caption');
  for (const e of parts) {
    if (e.closest('[hidden]')) continue;
    const box = e.getBoundingClientRect();
    if (e.scrollWidth > e.clientWidth + 1 || box.right > screen + 1) {
      found.push(`${e.className}: ${e.textContent.trim().slice(0, 50)}`);
    }
  }
  const wrapped = [...document.querySelectorAll('.transcript-dialogue .transcript-line')]
    .filter((line) => line.getClientRects().length
      && line.getBoundingClientRect().height
         > 1.5 * parseFloat(getComputedStyle(line).lineHeight)).length;
  return {checked: parts.length, overflowing: found, wrapped};
}
"""


def on_a_phone(browser: Browser, page: Path, mode: str = "light") -> Page:
    context = browser.new_context(
        viewport=PHONE,
        color_scheme=mode,  # type: ignore[arg-type]
        permissions=["clipboard-read", "clipboard-write"],
    )
    tab = context.new_page()
    tab.goto(page.as_uri())
    tab.wait_for_load_state("load")
    return tab


def overflow(browser: Browser, page: Path) -> dict[str, Any]:
    tab = on_a_phone(browser, page)
    try:
        return tab.evaluate(OVERFLOW)
    finally:
        tab.context.close()


def test_no_dialogue_of_the_course_overflows_a_phone(
    browser: Browser, course: Callable[[str], Path]
) -> None:
    pages = sorted((course("html") / "course").glob("*.html"))
    found = {page.name: overflow(browser, page) for page in pages}
    overflowing = {
        name: r["overflowing"] for name, r in found.items() if r["overflowing"]
    }
    assert overflowing == {}
    checked = sum(result["checked"] for result in found.values())
    wrapped = sum(result["wrapped"] for result in found.values())
    print(f"on a phone: {checked} parts of dialogues fit, {wrapped} lines wrapped")
    assert checked > 100 and wrapped > 0


def test_the_longest_lines_and_a_reset_command_wrap_on_a_phone(
    browser: Browser, narrow_root: Path
) -> None:
    found = overflow(browser, narrow_root)
    assert found["overflowing"] == []
    # The folded header, the message id, the base64 line and the addresses.
    assert found["wrapped"] >= 5


def test_the_telnet_window_view_fits_a_phone(
    browser: Browser, narrow_root: Path
) -> None:
    tab = on_a_phone(browser, narrow_root)
    try:
        for button in tab.locator(".transcript-switch").all():
            button.click()
        assert tab.locator("pre.transcript-window:visible").count() == 2
        assert tab.evaluate(OVERFLOW)["overflowing"] == []
    finally:
        tab.context.close()


def copy(browser: Browser, page: Path, button_selector: str) -> str:
    """Click a copy button on a phone; what the clipboard then holds."""
    tab = on_a_phone(browser, page)
    try:
        button = tab.locator(button_selector).first
        button.click()
        tab.wait_for_function(
            "(button) => button.parentElement"
            ".querySelector('.transcript-status').textContent",
            arg=button.element_handle(),
        )
        status = button.locator("xpath=..").locator(".transcript-status")
        assert status.text_content() == button.get_attribute("data-done-label")
        return tab.evaluate("() => navigator.clipboard.readText()")
    finally:
        tab.context.close()


def typed_lines(page: Path, index: int = 0) -> str:
    """What the student types in one of the page's dialogues, from its source."""
    from telnetmail.core.rstscan import scan

    block = list(scan(read(page)))[index]
    return "".join(
        text.partition("client:")[2].removeprefix(" ") + "\n"
        for _, text in block.content
        if text.startswith("client:")
    )


def test_the_copy_button_of_a_lesson_fills_the_clipboard(
    browser: Browser, course: Callable[[str], Path]
) -> None:
    copied = copy(browser, course("html") / "course" / "index.html", ".transcript-copy")
    assert copied == typed_lines(ROOT / "course" / "index.rst")


def test_the_copy_button_copies_long_lines_whole(
    browser: Browser, narrow_root: Path
) -> None:
    # The dialogue with the long lines, after a short one.
    copied = copy(browser, narrow_root, ".literal-block-wrapper .transcript-copy")
    assert copied == typed_lines(narrow_root.parent.parent.parent / "index.rst", 1)
    assert len(copied.splitlines()) == 9


@pytest.mark.parametrize("mode", ("light", "dark"))
def test_telnet_lines_have_contrast_on_the_course_pages(
    browser: Browser, course: Callable[[str], Path], mode: str
) -> None:
    tab = on_a_phone(browser, course("html") / "course" / "telnet.html", mode)
    try:
        shown = tab.evaluate(MEASURE)
    finally:
        tab.context.close()
    if mode == "dark":
        assert luminance(painted(shown["page"])) < 0.2, "the page did not turn dark"
    ratios = {
        sample["text"]: contrast(sample)
        for sample in shown["samples"]
        if sample["role"] == "telnet"
    }
    assert ratios
    assert {text: r for text, r in ratios.items() if r < MINIMUM} == {}
