"""Doctree nodes for transcripts."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from telnetmail.core.model import Line


class transcript(nodes.literal_block):
    """A parsed transcript.

    Attributes (plain data, so the doctree pickles):

    ``protocol``
        ``"smtp"``, ``"pop3"``, ``"imap"`` or ``""`` when unknown.
    ``lines``
        One dict per line, as :meth:`telnetmail.core.model.Line.as_dict`
        gives it: ``role``, ``text``, ``lineno``, ``spans`` (a list of
        ``[kind, text]`` pairs whose texts join to ``text``), ``tone``.
    ``transcript_name``, ``after``, ``match``
        The directive's options, for the verifier.

    Its text child is the ``C:``/``S:`` plain form, so any builder without a
    visitor of its own shows a readable literal block (Sphinx's translators
    fall back to ``visit_literal_block`` through the class hierarchy).
    """


def transcript_lines(node: transcript) -> list[Line]:
    """The lines of a transcript node, as model objects."""
    lines: list[dict[str, Any]] = node.get("lines", [])
    return [Line.from_dict(data) for data in lines]
