"""What the browser tests share: the system's Chromium and the contrast of text.

The tests drive Debian's ``chromium`` through Playwright (both optional: a
test module skips without them) and measure what is really painted.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

#: The system's Chromium (Debian: apt-get install chromium), or None.
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
#: WCAG's minimum contrast for body text.
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
