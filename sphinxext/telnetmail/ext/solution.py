"""The ``transcript-solution`` directive: an exercise's answer, folded until asked for.

.. code-block:: rst

   .. transcript-solution::

      .. transcript::
         ...

Like sphinx-design's components, the directive emits a generic container
(a rubric for its title, then the content), so text, LaTeX and every other
builder show the solution as a titled block with no code of their own; for
HTML a ``doctree-resolved`` handler turns it into a ``<details>`` element
the student opens.

The short name ``solution`` is an alias, registered only when the build is
set up and no other extension (sphinx-exercise, say) has taken it: either
order of ``extensions`` then builds without a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.locale import get_translation
from sphinx.util.docutils import SphinxDirective, is_directive_registered

from telnetmail.ext.domain import one_page_per_document
from telnetmail.ext.inline import inline_nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import OptionSpec
    from sphinx.writers.html5 import HTML5Translator

    from telnetmail.ext.domain import TranscriptDomain

_ = get_translation("telnetmail")

CLASS = "transcript-solution"
NAME = "transcript-solution"
#: Given to our directive too, unless another extension has it.
ALIAS = "solution"


class solution_details(nodes.General, nodes.Element):
    """HTML only: a ``<details>`` element whose first child is its summary."""


class SolutionDirective(SphinxDirective):
    """An exercise's solution; ``:title:`` replaces the default "Solution"."""

    has_content = True
    option_spec: ClassVar[OptionSpec] = {"title": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        domain: TranscriptDomain = self.env.get_domain("transcript")  # type: ignore[assignment]
        domain.solution_pages.add(self.env.docname)
        container = nodes.container(classes=[CLASS])
        self.set_source_info(container)
        title = self.options.get("title") or str(_("Solution"))
        text_nodes, messages = inline_nodes(self, title, self.lineno)
        container += nodes.rubric(title, "", *text_nodes, classes=[f"{CLASS}-title"])
        container += messages
        container += self.parse_content_to_nodes()
        return [container]


def fold_solutions(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """For HTML, fold each solution into ``<details>``: summary, then content."""
    if app.builder.format != "html":
        return
    domain: TranscriptDomain = app.env.get_domain("transcript")  # type: ignore[assignment]
    if docname not in domain.solution_pages and one_page_per_document(app):
        return  # no solution on the page: no need to search it for one
    for container in list(doctree.findall(nodes.container)):
        if CLASS not in container["classes"]:
            continue
        details = solution_details(classes=[CLASS])
        details.source, details.line = container.source, container.line
        details += container.children
        container.replace_self(details)


def visit_solution_details(self: HTML5Translator, node: solution_details) -> None:
    title = node[0]
    self.body.append(self.starttag(node, "details", CLASS=" ".join(node["classes"])))
    self.body.append('<summary class="transcript-solution-title">')
    self.body.append(self.encode(title.astext()))
    self.body.append("</summary>\n")
    title.parent.remove(title)  # already written as the summary


def depart_solution_details(self: HTML5Translator, node: solution_details) -> None:
    self.body.append("</details>\n")


def add_alias(app: Sphinx) -> None:
    # At builder-inited every extension has run its setup(): registering the
    # alias earlier would clash with one loaded after us.
    if not is_directive_registered(ALIAS):
        app.add_directive(ALIAS, SolutionDirective)


def setup(app: Sphinx) -> None:
    app.add_directive(NAME, SolutionDirective)
    app.connect("builder-inited", add_alias)
    app.add_node(
        solution_details, html=(visit_solution_details, depart_solution_details)
    )
    app.connect("doctree-resolved", fold_solutions)
