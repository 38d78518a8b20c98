"""What the package says of itself: one version everywhere, typed, no stale tables."""

from __future__ import annotations

from importlib.metadata import metadata, version
from importlib.resources import files

import pytest

from telnetmail import __version__
from telnetmail.replay.backends import BACKENDS
from telnetmail.replay.requirements import BACKEND_MODULES


def test_the_installed_version_is_the_packages():
    assert version("telnetmail") == __version__


def test_the_package_is_marked_typed():
    assert files("telnetmail").joinpath("py.typed").is_file()


def test_the_project_urls_are_published():
    urls = metadata("telnetmail").get_all("Project-URL") or []
    assert {url.split(",")[0] for url in urls} >= {"Source", "Issues", "Documentation"}


def test_every_backend_states_what_it_needs():
    assert set(BACKEND_MODULES) == set(BACKENDS)


# Without the extension in conf.py, Sphinx finds the builder by its entry point.
@pytest.mark.sphinx("transcripts", testroot="config", confoverrides={"extensions": []})
def test_the_transcripts_builder_gives_the_packages_version(app):
    assert app.extensions["telnetmail.ext.builder"].version == __version__
