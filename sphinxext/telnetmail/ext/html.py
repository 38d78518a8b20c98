"""HTML output of transcripts: a dialogue a student can follow at a glance.

Every HTML builder (html, dirhtml, singlehtml, epub...) gets::

    <div class="transcript transcript-smtp notranslate" id="NAME">
      <div class="transcript-toolbar" hidden>
        <button type="button" class="transcript-copy" data-client-input="...">
        <button type="button" class="transcript-switch" aria-pressed="false">
        <span class="transcript-status" role="status"></span>
      </div>
      <pre class="transcript-dialogue"><code>
        <span class="transcript-line transcript-server transcript-positive">
          <span class="transcript-role">server </span>
          <span class="transcript-code">250</span> OK\n</span>
        ...
      </code></pre>
      <pre class="transcript-window" hidden>the telnet window</pre>
    </div>

Lines are ``transcript-client``, ``transcript-server`` or ``transcript-telnet``;
server lines with a status add their tone (``transcript-positive``,
``-intermediate``, ``-transient``, ``-negative``); each span of the line but
plain text is wrapped in ``transcript-<kind>`` (``transcript-verb``,
``transcript-tag``, ``transcript-code``...). The toolbar is hidden until
``transcript.js`` wires it, so a page without JavaScript shows no dead buttons.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from docutils import nodes
from sphinx.locale import get_translation

from telnetmail.core.base64note import decoded_notes
from telnetmail.core.model import Line, Role, SpanKind, Tone
from telnetmail.core.plain import client_input, format_window
from telnetmail.core.tlsmark import encryption_starts
from telnetmail.ext.domain import lines_to_write

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.writers.html5 import HTML5Translator

    from telnetmail.ext.nodes import transcript

_ = get_translation("telnetmail")

STATIC_DIR = Path(__file__).parent / "static"
WRAP_CSS = "transcript-wrap.css"
ASSETS = ("transcript.css", WRAP_CSS, "transcript.js")
#: Where a long line wraps rather than scrolls, in HTML: on paper and on
#: screens too narrow for a line of a mail session (a phone, a small tablet).
WRAP_MEDIA = "print, (max-width: 60em)"


def escape(text: str, quote: bool = False) -> str:
    """As ``html.escape`` (which quotes by default; this does not).

    A chain of ``str.replace``, as ``html.escape`` does: each call scans the
    text in C and returns it as it is when the character is absent, which
    most texts are. ``str.translate`` with a table looks each character up
    in a dict: five times slower on a line of a mail session.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        return text.replace('"', "&quot;").replace("'", "&#x27;")
    return text


def escape_attribute(value: str) -> str:
    # Characters that XML (epub is XHTML) would normalise to spaces inside an
    # attribute value: kept as character references so the copy is exact.
    return (
        escape(value, quote=True)
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def role_labels() -> dict[Role, str]:
    """The gutter label of each role, padded to one width so the text aligns."""
    labels = {
        Role.CLIENT: _("client"),
        Role.SERVER: _("server"),
        Role.TELNET: _("telnet"),
    }
    width = max(len(label) for label in labels.values()) + 1
    return {role: label.ljust(width) for role, label in labels.items()}


#: The tags around each kind of span; plain text has none, and a volatile
#: value's add a title in the reader's language (:class:`Labels`).
_SPAN_TAGS = {
    kind: ("", "")
    if kind is SpanKind.TEXT
    else (f'<span class="transcript-{kind}">', "</span>")
    for kind in SpanKind
}
#: The classes of a line of each role and tone.
_LINE_CLASSES = {
    (role, tone): " ".join(
        ["transcript-line", f"transcript-{role}"]
        + ([f"transcript-{tone}"] if tone else [])
    )
    for role in Role
    for tone in (None, *Tone)
}


class Labels(NamedTuple):
    """What every transcript of a page says in the reader's language, in HTML:
    made once per page, not once per transcript (the translations are looked
    up each time they are asked for)."""

    #: Each role's label, as its lines show it in the gutter.
    gutters: dict[Role, str]
    #: The tags around each kind of span.
    span_tags: dict[SpanKind, tuple[str, str]]
    base64_title: str
    divider: str
    copy_label: str
    copy_attributes: dict[str, str]
    switch: str

    @classmethod
    def translated(cls) -> Labels:
        return cls(
            gutters={role: gutter_html(label) for role, label in role_labels().items()},
            span_tags={**_SPAN_TAGS, SpanKind.VOLATILE: volatile_tags()},
            base64_title=str(_("base64 of: ")),
            divider=divider_html(),
            copy_label=_("Copy client lines"),
            copy_attributes={
                "data-done-label": _("Copied"),
                "data-failed-label": _("Copy failed"),
                "title": _("Copy what the client types, to paste into telnet"),
            },
            switch=button_html(
                "transcript-switch",
                _("Telnet window"),
                {
                    "aria-pressed": "false",
                    "title": _("Show the session as the telnet window shows it"),
                },
            ),
        )


#: Where a page's writer keeps its labels (the visitors are its methods).
_LABELS_ATTRIBUTE = "_transcript_labels"


def page_labels(writer: HTML5Translator) -> Labels:
    """The labels of the page ``writer`` (a translator, one per page) writes."""
    # An attribute of the writer, not a weak mapping: a weak reference's
    # callback would run inside the garbage collection that frees the writer.
    labels: Labels | None = getattr(writer, _LABELS_ATTRIBUTE, None)
    if labels is None:
        labels = Labels.translated()
        setattr(writer, _LABELS_ATTRIBUTE, labels)
    return labels


def volatile_tags() -> tuple[str, str]:
    # A student's own session shows another date or id here: say so.
    title = escape_attribute(str(_("Differs in every session")))
    return f'<span class="transcript-{SpanKind.VOLATILE}" title="{title}">', "</span>"


def gutter_html(label: str) -> str:
    """A line's role label, as every line of that role shows it."""
    return f'<span class="transcript-role">{escape(label)}</span>'


def line_html(line: Line, labels: Labels, note: str | None = None) -> str:
    """A line of the dialogue, with its role's label in the gutter."""
    classes = _LINE_CLASSES[line.role, line.tone]
    # Three pieces a span, joined once: a third cheaper than a string per span,
    # and every line of every page comes through here.
    pieces: list[str] = []
    for kind, text in line.spans:
        opening, closing = labels.span_tags[kind]
        pieces += (opening, escape(text), closing)
    content = "".join(pieces)
    title = ""
    if note is not None:
        # What the base64 says: a reader's aid, never compared.
        classes += " transcript-base64"
        title = f' title="{escape_attribute(labels.base64_title + note)}"'
    gutter = labels.gutters[line.role]
    # The newline sits inside the line so the <pre> reads right without CSS
    # and a selection copies one line per line.
    return f'<span class="{classes}"{title}>{gutter}{content}\n</span>'


def divider_html() -> str:
    """Where the dialogue starts to travel encrypted (TLS)."""
    label = escape(str(_("TLS: encrypted from here")))
    return f'<span class="transcript-tls" role="separator">{label}\n</span>'


def dialogue_html(lines: list[Line], labels: Labels) -> str:
    notes = decoded_notes(lines)
    parts = [
        line_html(line, labels, notes.get(index)) for index, line in enumerate(lines)
    ]
    starts = encryption_starts(lines)
    if starts is not None:
        parts.insert(starts + 1, labels.divider)
    body = "".join(parts)
    return f'<pre class="transcript-dialogue"><code>{body}</code></pre>\n'


def button_html(css_class: str, label: str, attributes: dict[str, str]) -> str:
    rendered = "".join(
        f' {name}="{escape_attribute(str(value))}"'
        for name, value in attributes.items()
    )
    return (
        f'<button type="button" class="{css_class}"{rendered}>'
        f"{escape(str(label), quote=True)}</button>"
    )


def toolbar_html(lines: list[Line], labels: Labels) -> str:
    copy = button_html(
        "transcript-copy",
        labels.copy_label,
        # Emitted, so the script never rebuilds it from the page.
        {"data-client-input": client_input(lines), **labels.copy_attributes},
    )
    status = '<span class="transcript-status" role="status"></span>'
    toolbar = '<div class="transcript-toolbar" hidden="hidden">'
    return f"{toolbar}{copy}{labels.switch}{status}</div>\n"


def window_html(lines: Iterable[Line]) -> str:
    text = escape(format_window(lines))
    return f'<pre class="transcript-window" hidden="hidden">{text}</pre>\n'


def html_visit_transcript(self: HTML5Translator, node: transcript) -> None:
    lines = lines_to_write(self, node)
    classes = ["notranslate"]
    if node.get("protocol"):
        classes.append(f"transcript-{node['protocol']}")
    # starttag adds the node's ids and its own classes ("transcript", :class:).
    self.body.append(self.starttag(node, "div", CLASS=" ".join(classes)))
    labels = page_labels(self)
    self.body.append(
        toolbar_html(lines, labels) + dialogue_html(lines, labels) + window_html(lines)
    )
    self.body.append("</div>\n")
    raise nodes.SkipNode


def add_static_files(app: Sphinx, config: Config) -> None:
    # Files, not the directory: it also holds the LaTeX package.
    # A new list, so that the default value shared by all apps stays untouched.
    config.html_static_path = [
        *config.html_static_path,
        *(str(STATIC_DIR / name) for name in ASSETS),
    ]


def add_wrap_css(app: Sphinx) -> None:
    """Wrap long lines on paper and narrow screens, and always in e-books.

    An e-book's page is as narrow as its reader makes it, and its readers
    honour media queries unevenly: no query there.
    """
    if app.builder.format != "html":
        return
    if app.builder.name.startswith("epub"):
        app.add_css_file(WRAP_CSS)
    else:
        app.add_css_file(WRAP_CSS, media=WRAP_MEDIA)


def setup(app: Sphinx) -> None:
    """Ship the stylesheets and the script of the HTML transcripts."""
    app.connect("config-inited", add_static_files)
    app.add_css_file("transcript.css")
    # After transcript.css, whose rules it overrides where it applies.
    app.connect("builder-inited", add_wrap_css)
    app.add_js_file("transcript.js", defer="defer")
