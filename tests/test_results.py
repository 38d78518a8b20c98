"""The proof on the published page: replay records written, read and shown."""

from __future__ import annotations

import datetime
import json
import re

import pytest

from recordkit import check
from sphinxkit import warnings
from telnetmail import __version__


def proofs(app) -> list[tuple[str, str]]:
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    found = re.findall(
        r'<p class="transcript-proof transcript-proof-(\w+)">([^<]*)</p>', page
    )
    return [(state, text.strip()) for state, text in found]


@pytest.mark.sphinx("transcripts", testroot="replay", freshenv=True)
def test_the_builder_writes_a_record_per_dialogue(app):
    app.build()
    record = json.loads((app.outdir / "results.json").read_text(encoding="utf-8"))
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert record["format"] == 1
    assert [
        (entry["name"], entry["page"], entry["line"], entry["result"], entry["mode"])
        for entry in record["dialogues"]
    ] == [
        ("greeting", "index.rst", 8, "passed", "isolated"),
        ("refused-mail", "wrong.rst", 4, "failed", "isolated"),
        ("greeting", "index.rst", 8, "passed", "walked"),
        ("refused-mail", "wrong.rst", 4, "failed", "walked"),
    ]
    for entry in record["dialogues"]:
        assert entry["backend"] == "embedded"
        assert entry["servers"] == [{"name": "telnetmail", "version": __version__}]
        assert entry["date"] == today


@pytest.mark.sphinx(
    "html", testroot="results", freshenv=True, confoverrides={"language": "it"}
)
def test_each_dialogue_shows_its_proof_in_italian(app):
    app.build()
    assert proofs(app) == [
        (
            "passed",
            (
                "✓ verificato con il server di prova (telnetmail 0.1.0), 30/11/2026; "
                "verificato con Postfix 3.7.11 e Dovecot 2.3.19.1, 29/11/2026"
            ),
        ),
        (
            "failed",
            "✗ non passa la verifica con il server di prova (telnetmail 0.1.0), 30/11/2026",
        ),
        ("unverified", "? non verificato"),
    ]
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    # The proof follows the captioned dialogue, outside its wrapper.
    assert page.index("Hello") < page.index("transcript-proof-passed")


@pytest.mark.sphinx("html", testroot="results", freshenv=True)
def test_in_english(app):
    app.build()
    assert proofs(app)[0] == (
        "passed",
        (
            "✓ verified with the practice server (telnetmail 0.1.0), 2026-11-30; "
            "verified with Postfix 3.7.11 and Dovecot 2.3.19.1, 2026-11-29"
        ),
    )


@pytest.mark.sphinx(
    "html", testroot="results", srcdir="results-replayed-again", freshenv=True
)
def test_a_record_written_again_shows_its_new_results_at_the_next_build(app):
    app.build()
    assert "2026-11-30;" in proofs(app)[0][1]
    record = app.srcdir / "embedded.json"
    # Same size, so only its bytes tell the record changed.
    record.write_text(
        record.read_text(encoding="utf-8").replace("2026-11-30", "2026-12-01"),
        encoding="utf-8",
    )
    app.build()
    assert "2026-12-01;" in proofs(app)[0][1]


@pytest.mark.sphinx("text", testroot="results", freshenv=True)
def test_other_builders_show_no_proof(app):
    app.build()
    assert "verified" not in (app.outdir / "index.txt").read_text(encoding="utf-8")


@pytest.mark.sphinx(
    "html",
    testroot="results",
    freshenv=True,
    confoverrides={"transcript_results": "missing.json"},
)
def test_a_missing_record_is_a_warning_and_every_dialogue_unverified(app):
    app.build()
    assert "transcript_results: cannot read" in warnings(app)
    assert "missing.json" in warnings(app)
    assert [state for state, _ in proofs(app)] == ["unverified"] * 3


@pytest.mark.sphinx(
    "html", testroot="results", srcdir="results-not-objects", freshenv=True
)
def test_a_record_whose_entry_is_not_an_object_is_a_warning_not_a_crash(app):
    record = app.srcdir / "embedded.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["dialogues"].append("oops")
    record.write_text(json.dumps(data), encoding="utf-8")
    app.build()
    assert "transcript_results: cannot read" in warnings(app)
    assert "not an object" in warnings(app)


@pytest.mark.sphinx(
    "html", testroot="results", freshenv=True, confoverrides={"transcript_results": []}
)
def test_without_records_nothing_is_shown(app):
    app.build()
    assert proofs(app) == []


def test_check_writes_the_record_too(tmp_path):
    page = tmp_path / "page.rst"
    page.write_text(
        ".. transcript::\n   :name: hello\n\n"
        "   telnet: > telnet mx1.example.com smtp\n"
        "   server: 220 mx1.example.com ESMTP\n   client: QUIT\n   server: 221 Bye\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.json"
    result = check(page, "--results", str(out))
    assert result.returncode == 0, result.stderr
    entries = json.loads(out.read_text(encoding="utf-8"))["dialogues"]
    assert [
        (entry["name"], entry["line"], entry["result"], entry["mode"])
        for entry in entries
    ] == [("hello", 1, "passed", "isolated"), ("hello", 1, "passed", "walked")]


@pytest.mark.sphinx(
    "html", testroot="results", confoverrides={"transcript_results": [5]}
)
def test_a_record_list_of_anything_but_paths_is_refused(make_app, app_params) -> None:
    from sphinx.errors import ConfigError

    args, kwargs = app_params
    with pytest.raises(
        ConfigError, match=r"transcript_results = \[5\]: must be a path"
    ):
        make_app(*args, **kwargs)


@pytest.mark.sphinx(
    "html",
    testroot="results",
    freshenv=True,
    confoverrides={"transcript_results": "walked.json"},
)
def test_a_dialogue_that_fails_walked_is_shown_failing_once(app):
    # Passed alone, failed in its page's order, same backend: one line, failing.
    app.build()
    assert proofs(app)[0] == (
        "failed",
        "✗ fails with the practice server (telnetmail 0.1.0), 2026-11-30",
    )
