"""The ``transcript`` directive in real Sphinx builds."""

from __future__ import annotations


import pytest
from sphinxkit import warnings
from docutils import nodes

from telnetmail.ext.nodes import transcript


def transcripts(app, docname="index"):
    return list(app.env.get_doctree(docname).findall(transcript))


@pytest.mark.sphinx("html", testroot="directive", freshenv=True)
def test_well_formed_transcripts_build_without_warnings(app):
    app.build()
    assert warnings(app) == ""
    assert len(transcripts(app)) == 3


@pytest.mark.sphinx("html", testroot="directive", freshenv=True)
def test_node_carries_protocol_lines_and_options(app):
    app.build()
    smtp, pop3, imap = transcripts(app)
    assert (smtp["protocol"], pop3["protocol"], imap["protocol"]) == (
        "smtp",
        "pop3",
        "imap",
    )
    assert smtp["transcript_name"] == "hello-smtp"
    assert pop3["after"] == ["hello-smtp"]
    assert (smtp["match"], pop3["match"]) == ("protocol", "exact")
    assert "wide" in imap["classes"]
    first = smtp["lines"][0]
    assert first["role"] == "telnet" and first["lineno"] == 8
    assert smtp["lines"][3] == {
        "role": "client",
        "text": "HELO client.example.com",
        "lineno": 11,
        "spans": [["verb", "HELO"], ["text", " client.example.com"]],
        "tone": None,
    }


@pytest.mark.sphinx("html", testroot="directive", freshenv=True)
def test_node_text_is_the_prefixed_plain_form(app):
    app.build()
    assert (
        transcripts(app)[2].astext()
        == "S: * OK ready\nC: a1 LOGOUT\nS: * BYE bye\nS: a1 OK done"
    )


@pytest.mark.sphinx("html", testroot="directive", freshenv=True)
def test_caption_wraps_the_transcript_like_a_code_block(app):
    app.build()
    node = transcripts(app)[0]
    container = node.parent
    assert isinstance(container, nodes.container) and container["literal_block"]
    assert container[0].astext() == "A short session"
    assert "hello-smtp" in container["ids"]


@pytest.mark.sphinx("html", testroot="directive", freshenv=True)
def test_name_is_a_reference_target_titled_by_the_caption(app):
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert 'href="#hello-smtp"' in html
    assert '<span class="std std-ref">A short session</span>' in html


@pytest.mark.sphinx("html", testroot="directive", freshenv=True)
def test_transcripts_are_noted_in_the_domain(app):
    app.build()
    domain = app.env.get_domain("transcript")
    named = domain.by_name()
    assert sorted(named) == ["hello-smtp", "read-pop3"]
    assert named["read-pop3"]["after"] == ["hello-smtp"]
    assert named["hello-smtp"]["location"].endswith("index.rst:4")


@pytest.mark.sphinx(
    "html",
    testroot="directive",
    confoverrides={"transcript_match": "exact"},
    freshenv=True,
)
def test_match_defaults_to_the_config_value(app):
    app.build()
    assert [node["match"] for node in transcripts(app)] == ["exact", "exact", "exact"]


@pytest.mark.sphinx("html", testroot="malformed", freshenv=True)
def test_a_line_without_role_warns_at_its_line_and_renders_literally(app):
    app.build()
    assert (
        "index.rst:9: WARNING: transcript 'broken': expected 'client:', 'server:' "
        "or 'telnet:' (or 'C:', 'S:') at the start of the line, "
        "got 'HELO client.example.com' [transcript.syntax]"
    ) in warnings(app)
    doctree = app.env.get_doctree("index")
    fallback = [
        node
        for node in doctree.findall(nodes.literal_block)
        if not isinstance(node, transcript)
    ]
    assert len(fallback) == 1
    assert "HELO client.example.com" in fallback[0].astext()
    assert "broken" in fallback[0]["ids"]


@pytest.mark.sphinx("html", testroot="malformed", freshenv=True)
def test_a_line_breaking_the_protocol_warns_but_still_renders_the_dialogue(app):
    app.build()
    assert (
        "index.rst:16: WARNING: transcript 'grammar': an SMTP reply starts with a "
        "three-digit code, got 'Hello, I am a mail server' [transcript.protocol]"
    ) in warnings(app)
    assert [node["transcript_name"] for node in transcripts(app)] == ["grammar"]


@pytest.mark.sphinx("html", testroot="inconsistent", freshenv=True)
def test_a_page_that_contradicts_itself_warns_at_each_wrong_line(app):
    app.build()
    found = [line for line in warnings(app).splitlines() if "WARNING" in line]
    assert [line.split(": WARNING")[0] for line in found] == [
        "index.rst:11",
        "index.rst:14",
        "index.rst:26",
        "index.rst:32",
    ]
    assert "RETR 1 says 1801 octets, but the message shown is 50 octets" in found[1]
    assert "literal {405} announces 405 octets" in found[2]
    assert "tagged reply 'a9' answers no command" in found[3]
    assert all(line.endswith("[transcript.consistency]") for line in found)


@pytest.mark.sphinx(
    "html",
    testroot="inconsistent",
    confoverrides={"suppress_warnings": ["transcript.consistency"]},
    freshenv=True,
)
def test_consistency_warnings_can_be_suppressed_by_type(app):
    app.build()
    assert warnings(app) == ""


@pytest.mark.sphinx("html", testroot="names", freshenv=True)
def test_duplicate_unknown_and_circular_names_are_reported(app):
    app.build()
    text = warnings(app)
    assert "index.rst:9: WARNING: duplicate transcript name 'twice', also at" in text
    assert "index.rst:14: WARNING: transcript 'lonely' is :after: 'nowhere'" in text
    assert "transcript 'chicken' is :after: itself" in text
    assert "transcript 'egg' is :after: itself" in text


@pytest.mark.sphinx("html", testroot="parallel", parallel=2, freshenv=True)
def test_parallel_reads_merge_every_documents_transcripts(app):
    app.build()
    assert warnings(app) == ""
    named = app.env.get_domain("transcript").by_name()
    assert sorted(named) == [f"step-{i}" for i in range(1, 9)]
    assert named["step-8"]["docname"] == "doc8"


@pytest.mark.sphinx("html", testroot="parallel", freshenv=True)
def test_rebuilding_a_changed_document_forgets_its_old_transcripts(app):
    app.build()
    source = app.srcdir / "doc3.rst"
    source.write_text(
        source.read_text().replace("step-3", "step-three"), encoding="utf-8"
    )
    app.build()
    named = app.env.get_domain("transcript").by_name()
    assert "step-3" not in named and "step-three" in named
    assert "transcript 'step-4' is :after: 'step-3'" in warnings(app)


def test_the_after_chain_lists_what_to_replay_first():
    from telnetmail.ext.domain import after_chain

    named = {
        "smtp": {"after": []},
        "pop3": {"after": ["smtp"]},
        "imap": {"after": ["smtp", "pop3"]},
    }
    assert after_chain("imap", named) == ["smtp", "pop3"]
    assert after_chain("smtp", named) == []
    assert after_chain("a", {"a": {"after": ["b"]}, "b": {"after": ["a"]}}) is None


@pytest.mark.sphinx("gettext", testroot="directive", freshenv=True)
def test_gettext_extracts_the_caption_but_not_the_dialogue(app):
    app.build()
    catalog = (app.outdir / "index.pot").read_text(encoding="utf-8")
    assert 'msgid "A *short* session"' in catalog
    assert "HELO" not in catalog
    assert "mx1.example.com" not in catalog


@pytest.mark.sphinx("html", testroot="volatile", freshenv=True)
def test_a_volatile_mark_on_protocol_data_warns_at_its_line(app):
    app.build()
    found = [line for line in warnings(app).splitlines() if "WARNING" in line]
    assert [line.split(": WARNING")[0] for line in found] == [
        "index.rst:10",
        "index.rst:12",
    ]
    assert "a volatile mark cannot cover the reply code '250'" in found[0]
    assert "the enhanced status code '2.0.0'" in found[1]
    assert all(line.endswith("[transcript.volatile]") for line in found)


@pytest.mark.sphinx("html", testroot="sizes", freshenv=True)
def test_sizes_of_sibling_transcripts_must_agree(app):
    app.build()
    assert (
        "index.rst:32: WARNING: transcript 'flags-size': RFC822.SIZE gives message 1 "
        "30 octets, but BODY[HEADER] {15} and BODY[TEXT] {4} make 19 octets "
        "(lines 46 and 52 of transcript 'header-text') [transcript.consistency]"
    ) in warnings(app)


@pytest.mark.sphinx("html", testroot="sizes", freshenv=True)
def test_sizes_in_the_after_chain_on_another_page_must_agree(app):
    app.build()
    assert (
        "index.rst:68: WARNING: transcript 'pop3-list': LIST gives message 1 9 "
        "octets, but RETR 1 shows 19 octets (line 15 of transcript 'pop3-retr'; "
        "each line ends with CRLF, dot-stuffing undone) [transcript.consistency]"
    ) in warnings(app)


@pytest.mark.sphinx("html", testroot="sizes", freshenv=True)
def test_only_the_sizes_that_disagree_warn(app):
    app.build()
    assert warnings(app).count("WARNING") == 2
