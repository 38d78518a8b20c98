"""Config values: a wrong one is a one-line config error, in every build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sphinx.errors import ConfigError, SphinxError

ROOT = Path(__file__).parent / "roots" / "test-config"


def build_error(make_app, app_params) -> SphinxError:
    args, kwargs = app_params
    with pytest.raises(SphinxError) as raised:
        make_app(*args, **kwargs)
    return raised.value


@pytest.mark.sphinx(
    "html", testroot="config", confoverrides={"transcript_match": "fuzzy"}
)
def test_an_unknown_match_mode_is_refused_by_the_html_build(make_app, app_params):
    error = build_error(make_app, app_params)
    assert isinstance(error, ConfigError)
    assert str(error) == (
        "transcript_match = 'fuzzy': must be one of 'protocol', 'exact'"
    )


@pytest.mark.sphinx(
    "html", testroot="config", confoverrides={"transcript_backend": "nonesuch"}
)
def test_an_unknown_backend_is_a_config_error(make_app, app_params):
    error = build_error(make_app, app_params)
    assert isinstance(error, ConfigError)
    assert str(error).startswith("transcript_backend = 'nonesuch': must be one of")


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("transcript_timeout", "soon", "must be an int or float"),
        ("transcript_timeout", 0, "must be 0.001 or more"),
        ("transcript_jobs", 0, "must be 1 or more"),
        ("transcript_jobs", 2.5, "must be an int or 'auto'"),
        ("transcript_jobs", True, "must be an int or 'auto'"),
        ("transcript_jobs", "many", "must be an int or 'auto'"),
        ("transcript_telnet", 1, "must be a str"),
    ],
)
def test_a_value_of_the_wrong_kind_is_a_config_error(
    make_app, tmp_path, name, value, problem
):
    # Written in conf.py: -D would convert it to the default's type, or drop it.
    shutil.copytree(ROOT, tmp_path / "src")
    with (tmp_path / "src" / "conf.py").open("a") as conf:
        conf.write(f"{name} = {value!r}\n")
    with pytest.raises(ConfigError) as raised:
        make_app("html", srcdir=tmp_path / "src")
    assert str(raised.value) == f"{name} = {value!r}: {problem}"


@pytest.mark.sphinx(
    "transcripts",
    testroot="config",
    confoverrides={"transcript_telnet": "no-such-telnet"},
)
def test_a_missing_telnet_client_stops_the_transcripts_build(make_app, app_params):
    error = build_error(make_app, app_params)
    assert error.category == "Cannot replay transcripts"
    assert str(error).startswith("no 'no-such-telnet' on PATH:")


@pytest.mark.sphinx("html", testroot="config", confoverrides={"transcript_telnet": "no-such-telnet"})
def test_a_missing_telnet_client_does_not_concern_the_html_build(app):
    app.build()
    assert app.statuscode == 0


@pytest.mark.sphinx("transcripts", testroot="config")
def test_without_the_replay_extra_the_transcripts_build_says_what_to_install(
    make_app, app_params, monkeypatch
):
    monkeypatch.setitem(sys.modules, "pymap", None)  # as if not installed
    error = build_error(make_app, app_params)
    assert str(error) == (
        "replaying transcripts needs pymap: pip install 'telnetmail[replay]'"
    )


def test_sphinx_build_stops_at_a_config_error_with_its_one_line(tmp_path):
    result = subprocess.run(
        [
            # --no-color: CI=true makes Sphinx colour its output.
            sys.executable, "-m", "sphinx", "-b", "html", "-q", "--no-color",
            "-D", "transcript_match=fuzzy", str(ROOT), str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.lstrip().startswith("Configuration error")
    # Sphinx 7.3 to 9.x add their bug-report footer to every SphinxError
    # (sphinx-doc/sphinx#14543): our part is the one line.
    assert (
        "ConfigError: transcript_match = 'fuzzy': must be one of 'protocol', 'exact'\n"
        in result.stderr
    )
