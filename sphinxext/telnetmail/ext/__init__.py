"""The Sphinx layer: the ``transcript`` directive, its nodes, visitors and assets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from telnetmail import __version__
from telnetmail.ext import (
    builder,
    config,
    directive,
    domain,
    index,
    results,
    sizes,
    solution,
    visitors,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

LOCALE_DIR = Path(__file__).parent.parent / "locale"

#: Bump when what the domain stores on the environment changes shape.
ENV_VERSION = 4


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_message_catalog("telnetmail", str(LOCALE_DIR))
    config.setup(app)
    domain.setup(app)
    sizes.setup(app)
    directive.setup(app)
    visitors.setup(app)
    solution.setup(app)
    index.setup(app)
    results.setup(app)
    builder.register(app)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
