"""Translations: the Italian course gets Italian labels, from a catalog kept current."""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from telnetmail.ext import LOCALE_DIR

CATALOG = LOCALE_DIR / "it" / "LC_MESSAGES" / "telnetmail"


def test_the_compiled_catalog_matches_its_source():
    with open(CATALOG.with_suffix(".po"), "rb") as source:
        catalog = read_po(source)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with open(CATALOG.with_suffix(".mo"), "rb") as shipped_file:
        shipped = gettext.GNUTranslations(shipped_file)
    for message in catalog:
        if message.id:
            assert (
                shipped.gettext(message.id)
                == fresh.gettext(message.id)
                == message.string
            )


@pytest.mark.sphinx(
    "html", testroot="directive", freshenv=True, confoverrides={"language": "it"}
)
def test_an_italian_build_labels_buttons_in_italian(app):
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "Copia le righe del client" in page
    assert "Finestra di telnet" in page
    assert "Copy client lines" not in page
