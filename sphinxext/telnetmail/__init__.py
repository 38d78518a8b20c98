"""telnetmail: transcripts of mail sessions typed over telnet, rendered and verified.

As a Sphinx extension (``extensions = ["telnetmail"]``) it adds the
``transcript`` directive. The pure transcript model lives in
:mod:`telnetmail.core`; the Sphinx layer in :mod:`telnetmail.ext`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

__version__ = "0.1.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``transcript`` directive, its nodes and its assets."""
    # Imported here so that the pure core and the command line never load Sphinx.
    from telnetmail.ext import setup as setup_extension

    return setup_extension(app)
