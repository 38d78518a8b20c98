"""The dialogue is readable in every common theme, light and dark, in a real browser.

Each theme builds the ``themes`` root; headless Chromium (the system's, driven
by Playwright) loads the page with the system's colour scheme set light or
dark, and every piece of text of the client, server and telnet lines must
stand out from what is really painted under it (WCAG contrast >= 4.5:1).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sphinx.testing.util import SphinxTestApp

if TYPE_CHECKING:
    from playwright.sync_api import Browser

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
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
MINIMUM = 4.5

# For every element of a line that holds text, its text colour and the
# colours painted under it, from the page down: background colours, and the
# tint of a one-colour gradient drawn over them.
MEASURE = """
() => {
  const rgba = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined ? 1 : a];
  };
  const layers = (element) => {
    const found = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      const tint = style.backgroundImage.startsWith('linear-gradient')
        ? rgba(style.backgroundImage) : null;
      if (tint) found.unshift(tint);
      const colour = rgba(style.backgroundColor);
      if (colour && colour[3] > 0) found.unshift(colour);
    }
    return found;
  };
  const result = [];
  for (const line of document.querySelectorAll('.transcript-dialogue .transcript-line')) {
    const role = ['client', 'server', 'telnet'].find(
      (r) => line.classList.contains('transcript-' + r));
    for (const e of [line, ...line.querySelectorAll('*')]) {
      const own = [...e.childNodes].some(
        (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!own) continue;
      result.push({role, text: e.textContent.trim().slice(0, 40),
                   colour: rgba(getComputedStyle(e).color), layers: layers(e)});
    }
  }
  return {samples: result, page: layers(document.body)};
}
"""


def luminance(colour: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def over(
    top: list[float], bottom: tuple[float, float, float]
) -> tuple[float, float, float]:
    alpha = top[3]
    return tuple(t * alpha + b * (1 - alpha) for t, b in zip(top[:3], bottom))  # type: ignore[return-value]


WHITE = (255.0, 255.0, 255.0)  # the browser's canvas under a page that paints none


def painted(layers: list[list[float]]) -> tuple[float, float, float]:
    colour = WHITE
    for layer in layers:
        colour = over(layer, colour)
    return colour


def contrast(sample: dict[str, Any]) -> float:
    background = painted(sample["layers"])
    text = over(sample["colour"], background)
    light, dark = sorted((luminance(text), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


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
