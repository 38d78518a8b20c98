"""LaTeX output of transcripts: Sphinx's verbatim, our colour tokens, captions."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sphinx.testing.util import SphinxTestApp

pytestmark = pytest.mark.sphinx("latex", testroot="render")


def build_tex(app: SphinxTestApp) -> str:
    app.build()
    return (app.outdir / "render.tex").read_text(encoding="utf-8")


def verbatim_blocks(tex: str) -> list[str]:
    return re.findall(
        r"\\begin\{sphinxVerbatim\}(.*?)\\end\{sphinxVerbatim\}", tex, re.S
    )


def block_lines(tex: str, index: int) -> list[str]:
    return verbatim_blocks(tex)[index].splitlines()[1:]


def test_style_package_is_loaded_and_shipped_with_the_document(
    app: SphinxTestApp,
) -> None:
    tex = build_tex(app)
    assert r"\usepackage{telnetmail}" in tex
    style = (app.outdir / "telnetmail.sty").read_text(encoding="utf-8")
    assert r"\ProvidesPackage{telnetmail}" in style


def test_style_package_defines_the_colours_of_roles_and_tones(
    app: SphinxTestApp,
) -> None:
    app.build()
    style = (app.outdir / "telnetmail.sty").read_text(encoding="utf-8")
    for token in (
        "tmclient",
        "tmtelnet",
        "tmpositive",
        "tmintermediate",
        "tmtransient",
        "tmnegative",
    ):
        assert rf"\@namedef{{PYG@tok@{token}}}" in style


def test_every_transcript_is_a_verbatim_with_command_characters(
    app: SphinxTestApp,
) -> None:
    tex = build_tex(app)
    blocks = verbatim_blocks(tex)
    assert len(blocks) == 4
    assert all(block.startswith(r"[commandchars=\\\{\}]") for block in blocks)


def test_client_lines_are_prefixed_and_styled_as_client(app: SphinxTestApp) -> None:
    line = block_lines(build_tex(app), 0)[4]
    assert line.startswith(r"\PYG{tmclient+tmprefix}{C: }")
    assert r"\PYG{tmclient+tmverb}{EHLO}" in line


@pytest.mark.parametrize(
    ("index", "tone"),
    [(3, "positive"), (10, "negative"), (12, "transient"), (16, "intermediate")],
)
def test_server_lines_are_prefixed_and_coloured_by_tone(
    app: SphinxTestApp, index: int, tone: str
) -> None:
    line = block_lines(build_tex(app), 0)[index]
    assert line.startswith(rf"\PYG{{tmserver+tmprefix+tm{tone}}}{{S: }}")
    assert re.search(rf"\\PYG\{{tmserver\+tmcode\+tm{tone}\}}\{{\d\d\d\}}", line)


def test_telnet_lines_are_unprefixed_and_grey(app: SphinxTestApp) -> None:
    line = block_lines(build_tex(app), 0)[1]
    assert line == r"\PYG{tmtelnet+tmprefix}{   }\PYG{tmtelnet}{Trying 192.0.2.2...}"


def test_tex_special_characters_are_escaped_as_pygments_does(
    app: SphinxTestApp,
) -> None:
    tex = build_tex(app)
    escaped = (
        r"100\PYGZpc{} \PYGZob{}sure\PYGZcb{} \PYGZbs{}o/ \PYGZsh{}1 \PYGZdl{}5 "
        r"\PYGZti{}user \PYGZca{}\PYGZus{}\PYGZca{} \PYGZsq{}single\PYGZsq{} "
        r"\PYGZdq{}double\PYGZdq{} a\PYGZhy{}b"
    )
    assert escaped in tex
    assert r"Fish \PYGZam{} chips \PYGZlt{}today\PYGZgt{}" in tex


def test_imap_literal_and_flags_are_escaped(app: SphinxTestApp) -> None:
    tex = build_tex(app)
    assert r"\PYGZbs{}Seen" in tex
    assert r"\PYGZob{}13\PYGZcb{}" in tex


def test_narration_is_styled_apart_from_protocol_text(app: SphinxTestApp) -> None:
    narration = r"\PYGZlt{}the POP3 server sends message 1\PYGZgt{}"
    assert rf"\PYG{{tmserver+tmplaceholder}}{{{narration}}}" in build_tex(app)


def test_leading_spaces_of_a_folded_line_are_kept(app: SphinxTestApp) -> None:
    assert (
        r"\PYG{tmclient+tmprefix}{C: }\PYG{tmclient+tmdata}{        by mx1"
        in build_tex(app)
    )


def test_captioned_transcript_gets_the_caption_and_label_of_a_code_block(
    app: SphinxTestApp,
) -> None:
    tex = build_tex(app)
    assert (
        r"\sphinxSetupCaptionForVerbatim{Sending a message \& checking "
        r"\textless{}replies\textgreater{}}"
        "\n"
        r"\def\sphinxLiteralBlockLabel{\label{\detokenize{index:smtp-session}}}"
        "\n"
        r"\begin{sphinxVerbatim}"
    ) in tex


def test_uncaptioned_transcript_keeps_its_label(app: SphinxTestApp) -> None:
    tex = build_tex(app)
    assert (
        r"\def\sphinxLiteralBlockLabel{\label{\detokenize{index:pop3-session}}}" in tex
    )
    assert r"\sphinxSetupCaptionForVerbatim{Reading mail with IMAP}" in tex


def test_latex_builds_without_warnings(app: SphinxTestApp) -> None:
    app.build()
    assert app.warning.getvalue() == ""


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk is not installed")
def test_pdf_compiles(app: SphinxTestApp) -> None:
    app.build()
    result = subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "render.tex"],
        cwd=app.outdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (app.outdir / "render.pdf").is_file()
