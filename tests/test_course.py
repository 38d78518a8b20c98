"""The course itself, built as ``make html`` builds it: with -W, from the root."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from seedlesson import role_lines, seed_sessions

ROOT = Path(__file__).resolve().parent.parent

#: What the static checks proved wrong in the seed, and the page's correction.
SEED_CORRECTIONS = {
    "1 1801": "1 482",
    "+OK 1801 octets": "+OK 482 octets",
    "{405}": "{482}",
}
#: What the verifier proved wrong: the headers come back in the order typed.
SEED_REORDERED = ("Subject: Test message", "To: recipient@example.com")
#: The Date: the seed's message lacked (RFC 5322 §3.6), typed first and stored.
SEED_DATE = "Date: Tue, 20 Jan 2004 22:34:04 +0200"
#: The folded Received: lines are indented alike in POP3 and IMAP (8 spaces).
SEED_FOLD = re.compile(r"^ {7}(?=\S)")


def with_date(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``lines`` with the seed's Date: before its first From: header."""
    for index, (role, content) in enumerate(lines):
        if content == "From: sender@example.com":
            return [*lines[:index], (role, SEED_DATE), *lines[index:]]
    return lines


def corrected_seed(section: str) -> list[tuple[str, str]]:
    """The seed's (role, content) lines with the page's corrections applied."""
    lines = []
    for _, role, content in role_lines(seed_sessions()[section]):
        for wrong, right in SEED_CORRECTIONS.items():
            content = content.replace(wrong, right)
        lines.append((role, SEED_FOLD.sub(" " * 8, content)))
    lines = with_date(lines)
    for index in range(len(lines) - 1):
        if (lines[index][1], lines[index + 1][1]) == SEED_REORDERED:
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
    return lines


#: What `pip install telnetmail` leaves out: the replay extra.
REPLAY_MODULES = ("pexpect", "aiosmtpd", "pymap")

# sphinx-build as a docs-only install runs it (Read the Docs): any import of
# the replay extra's modules fails.
DOCS_ONLY_SPHINX = (
    f"import sys; sys.modules.update(dict.fromkeys({REPLAY_MODULES!r}));"
    "from sphinx.cmd.build import main; raise SystemExit(main(sys.argv[1:]))"
)


@pytest.fixture(scope="module")
def built_course(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("course-html")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DOCS_ONLY_SPHINX,
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(outdir / ".doctrees"),
            str(ROOT),
            str(outdir),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return outdir


def test_the_course_builds_without_the_replay_extra(built_course):
    # built_course blocks pexpect, aiosmtpd and pymap: importing one would fail.
    assert (built_course / "course" / "index.html").is_file()


def dialogues(page: str) -> list[str]:
    return re.findall(r'<pre class="transcript-dialogue">(.*?)</pre>', page, re.S)


def lines_of(dialogue: str) -> list[tuple[str, str]]:
    """``(role, text)`` of every line, roles read from the markup."""
    found = []
    for match in re.finditer(
        r'<span class="transcript-line transcript-(\w+)[^"]*">(.*?)\n</span>',
        dialogue,
        re.S,
    ):
        text = re.sub(r'<span class="transcript-role">[^<]*</span>', "", match[2])
        found.append((match[1], html.unescape(re.sub(r"<[^>]+>", "", text))))
    return found


def test_the_course_builds_with_zero_warnings(built_course):
    assert (built_course / "course" / "index.html").exists()


#: The seed's three dialogues on the lab page, by section: the page adds one
#: between POP3 and IMAP (the mailbox IMAP finds after POP3's DELE and QUIT).
SEED_DIALOGUES = {"SMTP": "seed-smtp", "POP3": "seed-pop3", "IMAP": "seed-imap"}


def after_id(page: str, name: str, pattern: str) -> str:
    """The first match of ``pattern`` after the element with id ``name``."""
    found = re.search(pattern, page[page.index(f'id="{name}"') :], re.S)
    assert found is not None, name
    return found[1]


def test_the_seed_lesson_shows_every_seed_line_with_its_role(built_course):
    page = (built_course / "course" / "telnet-mail.html").read_text(encoding="utf-8")
    # The seed's dialogues, then the verified solutions of the exercises.
    assert len(dialogues(page)) == 8
    ids = re.findall(r'<div class="literal-block-wrapper[^"]*" id="([^"]+)"', page)
    assert ids[:4] == ["seed-smtp", "seed-pop3", "seed-imap-vuota", "seed-imap"]
    assert all(name.startswith("seed-es") for name in ids[4:])
    for section, name in SEED_DIALOGUES.items():
        dialogue = after_id(page, name, r'<pre class="transcript-dialogue">(.*?)</pre>')
        assert lines_of(dialogue) == corrected_seed(section)


def test_the_copy_button_yields_exactly_the_client_lines(built_course):
    page = (built_course / "course" / "telnet-mail.html").read_text(encoding="utf-8")
    payloads = [
        html.unescape(after_id(page, name, r'data-client-input="([^"]*)"'))
        for name in SEED_DIALOGUES.values()
    ]
    expected = [
        "".join(
            content + "\n"
            for role, content in with_date(
                [(role, content) for _, role, content in role_lines(seed_sessions()[s])]
            )
            if role == "client"
        )
        for s in SEED_DIALOGUES
    ]
    assert payloads == expected
    assert payloads[0].startswith("HELO client.example.com\nMAIL from:")


def test_the_seed_lab_says_how_to_continue_after_pop3_deleted_the_message(
    built_course,
):
    page = (built_course / "course" / "telnet-mail.html").read_text(encoding="utf-8")
    empty = after_id(
        page, "seed-imap-vuota", r'<pre class="transcript-dialogue">(.*?)</pre>'
    )
    assert ("server", "* 0 EXISTS") in lines_of(empty)
    start = re.findall(r'<p class="transcript-start">(.*?)</p>', page, re.S)
    assert [re.sub(r"<[^>]+>", "", line) for line in start] == [
        (
            "Prima di questo dialogo, svuota le caselle del server di prova: "
            "telnetmail reset"
        ),
        (
            "Prima di questo dialogo, riporta il server di prova al suo stato di "
            "partenza: telnetmail reset seed-imap"
        ),
    ]
    last = page.rindex('class="transcript-start"')
    assert page.index('id="seed-imap-vuota"') < last < page.index('id="seed-imap"')


def test_the_page_notes_each_correction_of_the_seed(built_course):
    page = (built_course / "course" / "telnet-mail.html").read_text(encoding="utf-8")
    assert page.count("Correzione rispetto alla versione originale") == 3
    assert "1801" in page and "405" in page and "RFC 5322 (§3.6)" in page
    assert (
        '<code class="docutils literal notranslate"><span class="pre">Subject</span></code>'
        in page
    )


def test_every_page_of_the_course_has_a_dialogue_and_the_course_has_forty():
    from telnetmail.core.rstscan import scan

    pages = sorted((ROOT / "course").glob("*.rst"))
    counts = {
        page.name: len(list(scan(page.read_text(encoding="utf-8")))) for page in pages
    }
    assert all(count >= 1 for count in counts.values()), counts
    assert sum(counts.values()) >= 40
