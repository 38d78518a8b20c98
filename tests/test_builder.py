"""The ``transcripts`` builder: ``make check`` in a real Sphinx build."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest
from sphinxkit import warnings


@pytest.mark.sphinx("transcripts", testroot="replay", freshenv=True)
def test_a_mismatch_warns_at_the_diverging_page_line_with_both_sides(app):
    app.build()
    text = warnings(app)
    assert (
        "wrong.rst:11: WARNING: transcript 'refused-mail' (protocol, isolated): "
        "reply code 503 where the page shows 250"
    ) in text
    assert ">   11 | 250 Ok" in text
    assert "[transcript.mismatch]" in text
    # Alone, then again when its page is walked.
    assert "wrong.rst:11: WARNING: transcript 'refused-mail' (protocol, walked" in text
    assert text.count("WARNING") == 2


@pytest.mark.sphinx("transcripts", testroot="replay", freshenv=True)
def test_output_txt_lists_every_transcript_and_the_summary(app):
    app.build()
    output = (app.outdir / "output.txt").read_text(encoding="utf-8")
    assert re.search(r"index\.rst:8: \[passed\] greeting", output)
    assert re.search(r"wrong\.rst:11: \[failed\] refused-mail: reply code 503", output)
    assert output.rstrip().splitlines()[-1].startswith("1 passed, 1 failed, 0 skipped")


@pytest.mark.sphinx(
    "transcripts",
    testroot="replay",
    freshenv=True,
    confoverrides={"transcript_junit_xml": "_build/junit.xml"},
)
def test_junit_xml_is_written_when_configured(app):
    app.build()
    root = ElementTree.parse(app.confdir / "_build" / "junit.xml").getroot()
    names = {
        case.get("name"): case.find("failure") is not None
        for case in root.iter("testcase")
    }
    assert names == {
        "greeting": False,
        "refused-mail": True,
        "greeting [walked]": False,
        "refused-mail [walked]": True,
    }


@pytest.mark.sphinx("transcripts", testroot="walk", freshenv=True)
def test_a_page_that_fails_only_walked_warns_at_its_line_naming_both_modes(app):
    app.build()
    text = warnings(app)
    assert (
        "index.rst:51: WARNING: transcript 'read' (protocol, walked in page order;"
        " isolated it passed): 0 messages where the page shows 1 messages"
    ) in text
    assert text.count("WARNING") == 1


@pytest.mark.sphinx(
    "transcripts",
    testroot="walk",
    freshenv=True,
    confoverrides={"transcript_walk": False},
)
def test_transcript_walk_false_replays_each_transcript_alone_only(app):
    app.build()
    assert "WARNING" not in warnings(app)
    output = (app.outdir / "output.txt").read_text(encoding="utf-8")
    assert "[walked]" not in output


@pytest.mark.sphinx(
    "transcripts",
    testroot="replay",
    freshenv=True,
    confoverrides={"suppress_warnings": ["transcript.mismatch"]},
)
def test_mismatch_warnings_have_a_type_that_can_be_silenced(app):
    app.build()
    assert "WARNING" not in warnings(app)


@pytest.mark.sphinx("transcripts", testroot="names", freshenv=True)
def test_a_name_defined_twice_replays_nothing(app):
    app.build()
    text = warnings(app)
    assert re.search(
        r"index\.rst:9: ERROR: nothing replayed: "
        r"duplicate transcript name 'twice', also at \S*index\.rst:4",
        text,
    )
    assert not (app.outdir / "output.txt").exists()


@pytest.mark.sphinx("transcripts", testroot="server-name", freshenv=True)
def test_the_server_answers_with_the_name_transcript_server_name_gives(app):
    app.build()
    output = (app.outdir / "output.txt").read_text(encoding="utf-8")
    assert re.search(r"index\.rst:\d+: \[passed\] greeting", output), output


@pytest.mark.sphinx(
    "transcripts",
    testroot="server-name",
    freshenv=True,
    confoverrides={"transcript_server_name": "mx1.example.com"},
)
def test_a_page_for_another_server_name_fails_under_the_default(app):
    app.build()
    output = (app.outdir / "output.txt").read_text(encoding="utf-8")
    assert re.search(r"index\.rst:\d+: \[failed\] greeting", output), output
