"""The dialogue is readable in every common theme, light and dark, in a real browser.

Each theme builds the ``themes`` root; headless Chromium (the system's, driven
by Playwright) loads the page with the system's colour scheme set light or
dark, and every piece of text of the client, server and telnet lines must
stand out from what is really painted under it (WCAG contrast >= 4.5:1).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sphinx.testing.util import SphinxTestApp

from browserkit import CHROMIUM, MEASURE, MINIMUM, contrast, luminance, painted

if TYPE_CHECKING:
    from playwright.sync_api import Browser

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
if CHROMIUM is None:
    pytest.skip(
        "no chromium to drive (Debian: apt-get install chromium)",
        allow_module_level=True,
    )

#: Theme module, and whether it has a dark mode that follows the system's.
THEMES = {
    "alabaster": False,
    "furo": True,
    "sphinx_rtd_theme": False,
    "pydata_sphinx_theme": True,
    "sphinx_book_theme": True,
}
MODES = ("light", "dark")
ROLES = ("client", "server", "telnet")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The themes root built once with each theme."""
    built = {}
    for theme in THEMES:
        srcdir = tmp_path_factory.mktemp(theme) / "src"
        shutil.copytree(rootdir / "test-themes", srcdir)
        app = SphinxTestApp("html", srcdir=srcdir, confoverrides={"html_theme": theme})
        try:
            app.build()
            assert app.warning.getvalue() == ""
        finally:
            app.cleanup()
        built[theme] = app.outdir / "index.html"
    return built


def measure(browser: Browser, page: Path, mode: str) -> dict[str, Any]:
    """The page shown in ``mode``: its text samples and its own background."""
    context = browser.new_context(color_scheme=mode)  # type: ignore[arg-type]
    try:
        tab = context.new_page()
        tab.goto(page.as_uri())
        tab.wait_for_load_state("load")
        return tab.evaluate(MEASURE)
    finally:
        context.close()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("theme", THEMES)
def test_client_server_and_telnet_text_have_contrast_in_every_theme(
    browser: Browser, pages: dict[str, Path], theme: str, mode: str
) -> None:
    shown = measure(browser, pages[theme], mode)
    if mode == "dark" and THEMES[theme]:
        assert luminance(painted(shown["page"])) < 0.2, f"{theme} did not turn dark"
    worst: dict[str, tuple[float, str]] = {}
    for sample in shown["samples"]:
        ratio = contrast(sample)
        if sample["role"] not in worst or ratio < worst[sample["role"]][0]:
            worst[sample["role"]] = (ratio, sample["text"])
    print(f"{theme} {mode}: " + ", ".join(f"{r} {worst[r][0]:.2f}" for r in ROLES))
    assert set(worst) == set(ROLES)
    low = {role: found for role, found in worst.items() if found[0] < MINIMUM}
    assert not low, f"{theme} {mode}: contrast below {MINIMUM}: {low}"
