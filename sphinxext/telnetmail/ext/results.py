"""Each dialogue's proof on the published page, from the replay's records.

``transcript_results`` names JSON records that ``telnetmail check
--results`` or the ``transcripts`` builder wrote (paths relative to
conf.py). The html build then shows, under each dialogue, what verified it
and when ("verified with Postfix 3.7.11 and Dovecot 2.3.19.1, 2026-11-30"),
in the project's language; a failed or unverified dialogue is marked so.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.errors import ConfigError
from sphinx.locale import get_translation
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)
_ = get_translation("telnetmail")
__ = get_translation("telnetmail", "console")

#: A dialogue's key in the records: its name, or its page's file name and line.
Key = tuple[str, str, int]

MARKS = {"passed": "✓", "failed": "✗", "skipped": "–", "unverified": "?"}


def record_paths(app: Sphinx) -> list[Path]:
    value = app.config.transcript_results or []
    paths = [value] if isinstance(value, str) else list(value)
    return [Path(app.confdir, path) for path in paths]


#: Each record parsed, by path: the bytes it was parsed from and its entries
#: by dialogue. Every page shows proofs from the same records: each page
#: reads a record's bytes, but parses them only when they changed. Bytes,
#: not a modification time: two writes within one clock tick share one.
_READ: dict[Path, tuple[bytes, dict[Key, list[dict[str, Any]]]]] = {}


def load_records(app: Sphinx) -> dict[Key, list[dict[str, Any]]]:
    """Every dialogue's entries, from every record named (warned if unreadable)."""
    found: dict[Key, list[dict[str, Any]]] = {}
    for path in record_paths(app):
        try:
            by_dialogue = read_record(path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning(
                __("transcript_results: cannot read %s: %s"),
                path,
                error,
                type="transcript",
                subtype="results",
            )
            continue
        for key, entries in by_dialogue.items():
            found.setdefault(key, []).extend(entries)
    return found


def read_record(path: Path) -> dict[Key, list[dict[str, Any]]]:
    """A record's entries by dialogue, in the record's order."""
    data = path.read_bytes()
    known = _READ.get(path)
    if known is not None and known[0] == data:
        return known[1]
    by_dialogue: dict[Key, list[dict[str, Any]]] = {}
    for entry in json.loads(data.decode("utf-8"))["dialogues"]:
        if not isinstance(entry, dict):
            raise TypeError(f"a dialogue's entry is not an object: {entry!r}")
        by_dialogue.setdefault(key_of(entry), []).append(entry)
    _READ[path] = (data, by_dialogue)
    return by_dialogue


def key_of(entry: dict[str, Any]) -> Key:
    if entry.get("named", True):
        return (entry["name"], "", 0)
    return ("", Path(entry["page"]).name, int(entry["line"]))


def node_key(node: nodes.Element) -> Key:
    name = node["transcript_options"].get("name")
    if name:
        return (name, "", 0)
    return ("", Path(node.source or "").name, node.line or 0)


def servers_text(servers: list[dict[str, str]]) -> str:
    names = [
        _("the practice server (telnetmail %s)") % server["version"]
        if server["name"] == "telnetmail"
        else f"{server['name']} {server['version']}"
        for server in servers
    ]
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s") % {
        "first": ", ".join(names[:-1]),
        "last": names[-1],
    }


def entry_text(entry: dict[str, Any]) -> str:
    values = {
        "servers": servers_text(entry.get("servers", [])),
        "date": date_text(entry.get("date", "")),
    }
    if entry["result"] == "passed":
        return _("verified with %(servers)s, %(date)s") % values
    if entry["result"] == "failed":
        return _("fails with %(servers)s, %(date)s") % values
    return _("not replayed with %(servers)s, %(date)s") % values


def date_text(iso: str) -> str:
    """``2026-11-30`` as the language writes dates (``30/11/2026``)."""
    year, _sep, rest = iso.partition("-")
    month, _sep, day = rest.partition("-")
    if not (year and month and day):
        return iso
    return _("%(year)s-%(month)s-%(day)s") % {"year": year, "month": month, "day": day}


#: Of a dialogue's results with one backend (alone, walked), the one told.
WORST_FIRST = ("failed", "skipped", "passed")


def per_backend(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per backend: a dialogue is verified with a backend when it
    passed there both alone and walked in its page's order."""
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        kept = merged.setdefault(str(entry.get("backend", "")), dict(entry))
        results = {kept.get("result"), entry.get("result")}
        kept["result"] = next(
            (result for result in WORST_FIRST if result in results), kept["result"]
        )
    return list(merged.values())


def proof(entries: list[dict[str, Any]]) -> nodes.paragraph:
    """The discreet line under a dialogue: its status and what proved it."""
    entries = per_backend(entries)
    results = {entry.get("result") for entry in entries}
    state = (
        "unverified"
        if not entries
        else "failed"
        if "failed" in results
        else "passed"
        if results == {"passed"}
        else "skipped"
    )
    text = "; ".join(entry_text(entry) for entry in entries) or _("not verified")
    return nodes.paragraph(
        "",
        f"{MARKS[state]} {text}",
        classes=["transcript-proof", f"transcript-proof-{state}"],
    )


def add_proofs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not record_paths(app):
        return
    records = load_records(app)
    for node in list(doctree.findall(nodes.literal_block)):
        if "transcript_options" not in node:
            continue
        anchor: nodes.Element = node
        if (
            isinstance(node.parent, nodes.container)
            and "literal-block-wrapper" in node.parent["classes"]
        ):
            anchor = node.parent
        anchor.parent.insert(
            anchor.parent.index(anchor) + 1, proof(records.get(node_key(node), []))
        )


def digest(app: Sphinx) -> str:
    hashed = hashlib.sha256()
    for path in record_paths(app):
        hashed.update(str(path).encode())
        hashed.update(path.read_bytes() if path.is_file() else b"-")
    return hashed.hexdigest()


def outdated(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """Every page again when the records changed: the proofs are written with them."""
    now = digest(app)
    if getattr(env, "telnetmail_results", None) == now:
        return []
    env.telnetmail_results = now  # type: ignore[attr-defined]
    return sorted(env.found_docs - added - removed) if record_paths(app) else []


def check_config(app: Sphinx, config: Config) -> None:
    """Refuse a value that names no files, in one line, as config.py does."""
    value = config.transcript_results
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list | tuple) or not all(
        isinstance(p, str) for p in paths
    ):
        raise ConfigError(
            f"transcript_results = {value!r}: must be a path or a list of paths"
        )


def setup(app: Sphinx) -> None:
    app.add_config_value(
        "transcript_results",
        [],
        "html",
        types=frozenset({list, tuple, str}),
        description="Replay records (JSON, relative to conf.py) whose results the html pages show.",
    )
    app.connect("config-inited", check_config, priority=100)
    app.connect("env-get-outdated", outdated)
    app.connect("doctree-resolved", add_proofs)
