"""``transcript-solution`` and its ``solution`` alias next to sphinx-exercise."""

from __future__ import annotations

import pytest

pytest.importorskip("sphinx_exercise", reason="sphinx-exercise is not installed")


def in_order(*extensions: str) -> object:
    return pytest.param(
        marks=pytest.mark.sphinx(
            "html",
            testroot="coexist",
            freshenv=True,
            confoverrides={"extensions": list(extensions)},
        ),
        id="-then-".join(extensions),
    )


BOTH_ORDERS = pytest.mark.parametrize(
    (),
    [
        in_order("sphinx_exercise", "telnetmail"),
        in_order("telnetmail", "sphinx_exercise"),
    ],
)


@BOTH_ORDERS
def test_next_to_sphinx_exercise_the_build_has_no_warning(app):
    app.build()
    assert app.warning.getvalue() == ""


@BOTH_ORDERS
def test_next_to_sphinx_exercise_solution_is_theirs_and_ours_is_prefixed(app):
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert page.count('<details class="transcript-solution">') == 1
    assert 'class="solution' in page  # sphinx-exercise's admonition


@pytest.mark.sphinx("html", testroot="extras", freshenv=True)
def test_alone_solution_is_ours_too(app):
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert app.warning.getvalue() == ""
    assert page.count('<details class="transcript-solution">') == 2
