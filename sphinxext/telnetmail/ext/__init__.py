"""The Sphinx layer: the ``transcript`` directive, its nodes, visitors and assets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnetmail import __version__
from telnetmail.ext import directive, domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

#: Bump when what the domain stores on the environment changes shape.
ENV_VERSION = 1


def setup(app: Sphinx) -> ExtensionMetadata:
    domain.setup(app)
    directive.setup(app)
    _setup_rendering(app)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def _setup_rendering(app: Sphinx) -> None:
    # The visitors arrive in their own modules; until then builders fall
    # back to the literal block the transcript node derives from.
    try:
        from telnetmail.ext import visitors
    except ImportError:
        return
    visitors.setup(app)
