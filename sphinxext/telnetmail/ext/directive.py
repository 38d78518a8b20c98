"""The ``transcript`` directive: a telnet session, parsed and checked.

.. code-block:: rst

   .. transcript::
      :name: seed-smtp
      :caption: Sending a message

      telnet: > telnet mx1.example.com smtp
      server: 220 mx1.example.com ESMTP
      client: HELO client.example.com
      server: 250 mx1.example.com
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StateMachine
from sphinx.locale import get_translation
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from telnetmail.core.model import Diagnostic, Protocol, Transcript
from telnetmail.core.modes import Mode
from telnetmail.core.options import OPTIONS, REPLAYED, Kind, split_names
from telnetmail.core.parser import parse_lines
from telnetmail.core.plain import format_prefixed
from telnetmail.core.starts import reset_command, unnamed_reset_problem
from telnetmail.core.vocabulary import commands_used, replies_seen
from telnetmail.ext.domain import TranscriptDomain, TranscriptInfo
from telnetmail.ext.inline import inline_nodes
from telnetmail.ext.nodes import transcript

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx
    from sphinx.util.typing import OptionSpec

logger = logging.getLogger(__name__)
_ = get_translation("telnetmail")
__ = get_translation("telnetmail", "console")

MATCH_MODES = tuple(str(mode) for mode in Mode)


def protocol_option(argument: str | None) -> str:
    return directives.choice((argument or "").lower(), [p.value for p in Protocol])


def match_option(argument: str | None) -> str:
    return directives.choice((argument or "").lower(), MATCH_MODES)


def names_option(argument: str | None) -> list[str]:
    """``:after:`` takes names separated by spaces or commas."""
    names = split_names(argument or "")
    if not names:
        raise ValueError("expects one or more transcript names")
    return names


#: How docutils reads each kind of option value (the options: core.options).
OPTION_CONVERTERS: dict[Kind, Callable[[str], Any]] = {
    Kind.TEXT: directives.unchanged,
    Kind.REQUIRED_TEXT: directives.unchanged_required,
    Kind.PROTOCOL: protocol_option,
    Kind.NAMES: names_option,
    Kind.MODE: match_option,
    Kind.CLASSES: directives.class_option,
    Kind.FLAG: directives.flag,
}


class TranscriptDirective(SphinxDirective):
    """A transcript of ``client:``, ``server:`` and ``telnet:`` lines."""

    has_content = True
    option_spec: ClassVar[OptionSpec] = {
        name: OPTION_CONVERTERS[kind] for name, kind in OPTIONS.items()
    }

    def run(self) -> list[nodes.Node]:
        # add_name() pops :name: from the options: keep it first.
        self.transcript_name: str = self.options.get("name", "")
        numbered = self.numbered_content()
        parsed = parse_lines(numbered, protocol=self.options.get("protocol"))
        self.report(parsed)
        if parsed.readable:
            node: nodes.Element = self.transcript_node(parsed)
        else:
            raw = "\n".join(self.content)
            node = nodes.literal_block(raw, raw)
            node["language"] = "none"
        self.set_source_info(node)
        # What the transcripts builder needs to parse the transcript again
        # (the domain keeps the same list: nothing changes it).
        source: list[list[int | str]] = [list(pair) for pair in numbered]
        node["transcript_source"] = source
        node["transcript_options"] = self.replay_options()
        node["classes"] += self.options.get("class", [])
        wrapper = self.with_caption(node)
        self.add_name(wrapper)
        self.note(parsed, wrapper, source)
        return [*self.start_note(), wrapper]

    def start_note(self) -> list[nodes.Node]:
        """For a ``:reset:`` dialogue, one line telling the reader where it
        starts and the command that gets the practice server there."""
        if "reset" not in self.options:
            return []
        after = self.options.get("after", [])
        problem = unnamed_reset_problem(self.transcript_name, after, reset=True)
        if problem is not None:
            source, line = self.get_source_info()
            logger.warning(
                "transcript: %s",
                problem,
                location=f"{source}:{line}",
                type="transcript",
                subtype="options",
            )
            return []
        command = reset_command(self.transcript_name, after)
        if after:
            said = _(
                "Before this dialogue, put the practice server back in its starting state:"
            )
        else:
            said = _("Before this dialogue, empty the practice server's mailboxes:")
        note = nodes.paragraph(
            "",
            "",
            nodes.Text(f"{said} "),
            nodes.literal(command, command),
            classes=["transcript-start"],
        )
        self.set_source_info(note)
        return [note]

    def replay_options(self) -> dict[str, str]:
        """The options a replay reads (``core.options.REPLAYED``), as text."""
        # Those whose value is not the option's own text.
        special: dict[str, str] = {
            "name": self.transcript_name,
            "after": " ".join(self.options.get("after", [])),
            "match": self.options.get("match", self.config.transcript_match),
        }
        return {
            key: special.get(key, str(self.options.get(key) or ""))
            for key in REPLAYED
            if key in self.options or key in special
        }

    def numbered_content(self) -> list[tuple[int, str]]:
        """Content lines with their 1-based line numbers in their own file."""
        if not isinstance(self.state_machine, StateMachine):
            # MyST (whose state machine is a mock of docutils') numbers the
            # content from 0, and gives content_offset as the count of lines
            # between the directive's line (absolute) and the content.
            first = self.lineno + self.content_offset + 1
            return [(first + index, text) for index, text in enumerate(self.content)]
        # content.items holds what content.info(index) gives, line by line.
        return [
            ((offset or 0) + 1, text)
            for (_source, offset), text in zip(
                self.content.items, self.content.data, strict=True
            )
        ]

    def transcript_node(self, parsed: Transcript) -> transcript:
        text = format_prefixed(parsed.lines)
        node = transcript(text, text)
        node["classes"].append("transcript")
        node["protocol"] = str(parsed.protocol or "")
        node["lines"] = [line.as_dict() for line in parsed.lines]
        node["transcript_name"] = self.transcript_name
        node["after"] = self.options.get("after", [])
        node["match"] = self.options.get("match", self.config.transcript_match)
        return node

    def with_caption(self, node: nodes.Element) -> nodes.Element:
        """Wrap in a captioned container, as ``code-block`` does, if asked to."""
        caption = self.options.get("caption")
        if not caption:
            return node
        container = nodes.container(
            "", literal_block=True, classes=["literal-block-wrapper"]
        )
        parsed, messages = inline_nodes(self, caption, self.lineno)
        caption_node = nodes.caption(caption, "", *parsed)
        self.set_source_info(caption_node)
        self.set_source_info(container)
        container += caption_node
        container += messages
        container += node
        self.transcript_domain().note_captioned(self.env.docname, container)
        return container

    def report(self, parsed: Transcript) -> None:
        if not parsed.diagnostics:
            return
        source = self.get_source_info()[0]
        for diagnostic in parsed.diagnostics:
            self.warn(diagnostic, source)

    def warn(self, diagnostic: Diagnostic, source: str) -> None:
        name = self.transcript_name
        prefix = f"transcript {name!r}: " if name else "transcript: "
        logger.warning(
            "%s%s",
            prefix,
            diagnostic.message,
            location=f"{source}:{diagnostic.lineno}",
            type="transcript",
            subtype=str(diagnostic.category),
        )

    def note(
        self,
        parsed: Transcript,
        wrapper: nodes.Element,
        source: list[list[int | str]],
    ) -> None:
        info: TranscriptInfo = {
            "name": self.transcript_name,
            "docname": self.env.docname,
            "location": self.get_location(),
            "path": self.get_source_info()[0] or "",
            "source": source,
            "protocol": str(parsed.protocol or ""),
            "after": self.options.get("after", []),
            "match": self.options.get("match", self.config.transcript_match),
            "target": wrapper["ids"][0] if wrapper["ids"] else "",
            "caption": self.options.get("caption", ""),
            "commands": commands_used(parsed),
            "replies": replies_seen(parsed),
            "indexed": "no-index" not in self.options,
        }
        self.transcript_domain().note_transcript(info, parsed)

    def transcript_domain(self) -> TranscriptDomain:
        return self.env.get_domain("transcript")  # type: ignore[return-value]


def setup(app: Sphinx) -> None:
    app.add_directive("transcript", TranscriptDirective)
