"""IMAP over MIME messages: BODYSTRUCTURE and the parts of BODY[n], as
Dovecot 2.3 answers them (measured on Dovecot 2.3.19.1 with the same
messages delivered by Postfix; the expected replies are its replies)."""

from __future__ import annotations

import pytest

from server_fixtures import RawClient, RawLogin, SendMail

TEXT_HEADERS = (
    "From: Segreteria <segreteria@example.com>\r\n"
    "To: recipient@example.com\r\n"
    "Subject: =?UTF-8?Q?Gita_a_Urbino:_si_parte_luned=C3=AC?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
)
TEXT_BODY = "Partenza alle 8: perch=C3=A9 nessuno resti a terra,\r\nsiate puntuali.\r\n"

MIXED_HEADERS = (
    "From: anna@example.com\r\n"
    "To: recipient@example.com\r\n"
    "Subject: Appunti in allegato\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="confine"\r\n'
)
ATTACHMENT = (
    "--confine\r\n"
    'Content-Type: text/plain; name="ciao.txt"\r\n'
    'Content-Disposition: attachment; filename="ciao.txt"\r\n'
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "Q2lhbwo=\r\n"
)
MIXED_BODY = (
    "--confine\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "\r\n"
    "Ti mando il file.\r\n" + ATTACHMENT + "--confine--\r\n"
)

TEXT_PART = b'"text" "plain" ("charset" "UTF-8") NIL NIL "7bit" 17 0'
ATTACHED = (
    b'"text" "plain" ("name" "ciao.txt" "charset" "us-ascii") NIL NIL "base64" 8 0'
)
EMPTY_PART = b'"text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0'


def fetch(client: RawClient, items: bytes, number: int = 1) -> bytes:
    """The whole reply to ``FETCH number items`` in an examined INBOX, CRLFs
    kept, up to the tagged OK (literals and all)."""
    client.tagged(b"a2 EXAMINE INBOX")
    lines = client.tagged(b"a3 FETCH %d %s" % (number, items))
    assert lines[-1].startswith(b"a3 OK"), lines
    return b"\r\n".join(lines[:-1])


@pytest.fixture
def text_message(send_mail: SendMail) -> None:
    send_mail(TEXT_BODY, headers=TEXT_HEADERS)


@pytest.fixture
def mixed_message(send_mail: SendMail) -> None:
    send_mail(MIXED_BODY, headers=MIXED_HEADERS)


def test_a_text_message_has_the_size_and_lines_of_its_body_alone(
    text_message: None, raw_imap_login: RawLogin
) -> None:
    # 70 octets, 2 lines: the body after the empty line, not the message.
    assert fetch(raw_imap_login(), b"BODYSTRUCTURE") == (
        b'* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "UTF-8") NIL NIL '
        b'"quoted-printable" 70 2 NIL NIL NIL NIL))'
    )


def test_body_is_bodystructure_without_extension_data(
    text_message: None, raw_imap_login: RawLogin
) -> None:
    assert fetch(raw_imap_login(), b"BODY") == (
        b'* 1 FETCH (BODY ("text" "plain" ("charset" "UTF-8") NIL NIL '
        b'"quoted-printable" 70 2))'
    )


def test_a_message_without_mime_headers_is_us_ascii_text_in_7bit(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    send_mail(
        "Una riga.\r\n", headers="From: anna@example.com\r\nSubject: Semplice\r\n"
    )
    assert fetch(raw_imap_login(), b"BODYSTRUCTURE") == (
        b'* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL '
        b'"7bit" 11 1 NIL NIL NIL NIL))'
    )


def test_multipart_mixed_with_a_base64_attachment(
    mixed_message: None, raw_imap_login: RawLogin
) -> None:
    # Each part without the CRLF before the next delimiter (RFC 2046
    # §5.1.1): 17 octets and 0 lines, 8 and 0; charset added to the
    # attachment, its disposition as a list.
    assert fetch(raw_imap_login(), b"BODYSTRUCTURE") == (
        b"* 1 FETCH (BODYSTRUCTURE ((" + TEXT_PART + b" NIL NIL NIL NIL)"
        b"(" + ATTACHED + b' NIL ("attachment" ("filename" "ciao.txt")) NIL NIL)'
        b' "mixed" ("boundary" "confine") NIL NIL NIL))'
    )
    assert fetch(raw_imap_login(), b"BODY") == (
        b"* 1 FETCH (BODY ((" + TEXT_PART + b")(" + ATTACHED + b') "mixed"))'
    )


@pytest.mark.parametrize(
    ("section", "reply"),
    [
        (b"1", b"{17}\r\nTi mando il file.)"),
        (b"2", b"{8}\r\nQ2lhbwo=)"),
        (b"1.MIME", b"{43}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n)"),
        (
            b"2.MIME",
            (
                b'{134}\r\nContent-Type: text/plain; name="ciao.txt"\r\n'
                b'Content-Disposition: attachment; filename="ciao.txt"\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\n)"
            ),
        ),
        # A part that is not there: an empty literal, not an error.
        (b"3", b"{0}\r\n)"),
        # Part 2 is not multipart: its part 1 is itself (RFC 3501 §6.4.5).
        (b"2.1", b"{8}\r\nQ2lhbwo=)"),
    ],
)
def test_body_section_of_a_part_ends_before_the_delimiters_crlf(
    mixed_message: None, raw_imap_login: RawLogin, section: bytes, reply: bytes
) -> None:
    answer = fetch(raw_imap_login(), b"BODY.PEEK[%s]" % section)
    assert answer == b"* 1 FETCH (BODY[%s] %s" % (section, reply)


def test_type_subtype_and_parameters_keep_their_case(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    body = MIXED_BODY.replace("text/plain; name=", "TEXT/Plain; Name=")
    body = body.replace("base64", "BASE64").replace(
        "attachment; filename", "ATTACHMENT; FileName"
    )
    send_mail(body, headers=MIXED_HEADERS)
    assert (
        b'("TEXT" "Plain" ("Name" "ciao.txt" "charset" "us-ascii") NIL NIL "BASE64" 8 0'
        b' NIL ("ATTACHMENT" ("FileName" "ciao.txt")) NIL NIL)'
    ) in fetch(raw_imap_login(), b"BODYSTRUCTURE")


def test_delimiters_without_their_dashes_leave_one_empty_part(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    body = MIXED_BODY.replace("--confine", "confine")
    send_mail(body, headers=MIXED_HEADERS)
    assert fetch(raw_imap_login(), b"BODYSTRUCTURE") == (
        b"* 1 FETCH (BODYSTRUCTURE ((" + EMPTY_PART + b' NIL NIL NIL NIL) "mixed"'
        b' ("boundary" "confine") NIL NIL NIL))'
    )
    assert fetch(raw_imap_login(), b"BODY.PEEK[1]") == b"* 1 FETCH (BODY[1] {0}\r\n)"


def test_a_boundary_matches_the_start_of_a_delimiter_line(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    # boundary "confin": "--confine" delimits, and "--confine--" too (after
    # "confin" comes "e-", not "--"), opening a third, empty part.
    headers = MIXED_HEADERS.replace('"confine"', '"confin"')
    send_mail(MIXED_BODY, headers=headers)
    structure = fetch(raw_imap_login(), b"BODY")
    assert structure == (
        b"* 1 FETCH (BODY (("
        + TEXT_PART
        + b")("
        + ATTACHED
        + b")("
        + EMPTY_PART
        + b') "mixed"))'
    )


def test_a_nested_message_has_its_envelope_structure_and_lines(
    send_mail: SendMail, raw_imap_login: RawLogin
) -> None:
    body = (
        "--esterno\r\n"
        "Content-Type: text/plain\r\n"
        "Content-ID: <testo@example.com>\r\n"
        "Content-Description: Il testo\r\n"
        "Content-Language: it, en\r\n"
        "Content-Location: testo.txt\r\n"
        "\r\n"
        "Vedi sotto.\r\n"
        "--esterno\r\n"
        "Content-Type: message/rfc822\r\n"
        "Content-Disposition: inline\r\n"
        "\r\n"
        "From: bruno@example.com\r\n"
        "Subject: Originale\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 +0100\r\n"
        "\r\n"
        "Riga.\r\n"
        "--esterno--\r\n"
    )
    headers = (
        "From: anna@example.com\r\nSubject: Inoltro\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=esterno\r\nContent-Language: it\r\n"
    )
    send_mail(body, headers=headers)
    bruno = b'((NIL NIL "bruno" "example.com"))'
    assert fetch(raw_imap_login(), b"BODYSTRUCTURE") == (
        b'* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii")'
        b' "<testo@example.com>" "Il testo" "7bit" 11 0 NIL NIL ("it" "en") "testo.txt")'
        b'("message" "rfc822" NIL NIL NIL "7bit" 91'
        b' ("Mon, 23 Nov 2026 09:00:00 +0100" "Originale" '
        + b" ".join([bruno] * 3)
        + b" NIL NIL NIL NIL NIL)"
        b' ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)'
        b' 4 NIL ("inline" NIL) NIL NIL) "mixed" ("boundary" "esterno") NIL ("it") NIL))'
    )


def test_the_whole_message_is_unchanged_by_the_part_parsing(
    mixed_message: None, raw_imap_login: RawLogin
) -> None:
    text = fetch(raw_imap_login(), b"BODY.PEEK[TEXT]")
    assert text.endswith(MIXED_BODY.encode() + b")")
