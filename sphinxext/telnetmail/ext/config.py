"""The extension's config values: declared once, refused at ``config-inited``.

Sphinx itself only warns about a value of the wrong type or outside its
``ENUM``; a wrong value here would crash the replay later with a traceback.
So each value is declared to Sphinx with its types or ``ENUM``, and the same
declaration is enforced when the configuration is read: a
:class:`~sphinx.errors.ConfigError` of one line, in every build (the html
build refuses ``transcript_match = "fuzzy"`` too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sphinx.config import ENUM
from sphinx.errors import ConfigError

from telnetmail.core.modes import Mode
from telnetmail.replay.defaults import DEFAULT_SERVER_NAME, DEFAULT_TIMEOUT
from telnetmail.replay.requirements import BACKEND_MODULES, DEFAULT_BACKEND

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


# A named tuple, not a frozen dataclass: see telnetmail.core.model.Connection.
class Setting(NamedTuple):
    """One config value: what Sphinx is told, and what is refused."""

    name: str
    default: str | int | float | bool
    #: What to rebuild when it changes ("" nothing, "env" every page).
    rebuild: str
    description: str
    types: tuple[type, ...] = (str,)
    #: The only values allowed, when there is such a list.
    choices: tuple[str, ...] = ()
    #: Whether a number must be 1 or more (``jobs``) or above 0 (``timeout``).
    minimum: float | None = None
    #: Words accepted besides values of ``types`` (``auto`` for ``jobs``).
    words: tuple[str, ...] = ()

    def problem(self, value: object) -> str | None:
        """Why ``value`` is refused, or None."""
        if value in self.words:
            return None
        if self.choices:
            if value not in self.choices:
                return f"must be one of {', '.join(map(repr, self.choices))}"
            return None
        # bool is an int to Python, never a number of seconds or workers.
        if isinstance(value, bool) is not (bool in self.types) or not isinstance(
            value, self.types
        ):
            kinds = " or ".join(kind.__name__ for kind in self.types)
            words = "".join(f" or {word!r}" for word in self.words)
            return f"must be {'an' if kinds[0] in 'aeiou' else 'a'} {kinds}{words}"
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            return f"must be {self.minimum:g} or more"
        return None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "transcript_backend",
        DEFAULT_BACKEND,
        "",
        "The mail servers to replay against.",
        choices=tuple(sorted(BACKEND_MODULES)),
    ),
    Setting(
        "transcript_timeout",
        DEFAULT_TIMEOUT,
        "",
        "Seconds of silence before a missing reply fails.",
        types=(int, float),
        minimum=0.001,
    ),
    Setting(
        "transcript_jobs",
        "auto",
        "",
        "Transcripts replayed at once, each worker with its own server: a "
        "number, or 'auto' (one per CPU, at most 4). Workers beyond the first "
        "are processes of their own, started only where there is work enough "
        "for them (20 dialogues or page walks each).",
        types=(int,),
        minimum=1,
        words=("auto",),
    ),
    Setting(
        "transcript_walk",
        True,
        "",
        "Also walk each page: its transcripts in page order on one server, "
        "as a student types them (besides each alone).",
        types=(bool,),
    ),
    Setting(
        "transcript_telnet",
        "auto",
        "",
        "'telnet', 'python' (ours), 'auto', or a telnet client's command.",
    ),
    Setting(
        "transcript_junit_xml",
        "",
        "",
        "Also write results as JUnit XML to this path (relative to conf.py).",
    ),
    Setting(
        "transcript_server_name",
        DEFAULT_SERVER_NAME,
        "",
        "The SMTP server's host name the pages show; the replay's servers answer with it.",
    ),
    Setting(
        "transcript_match",
        str(Mode.PROTOCOL),
        "env",
        "How transcripts are compared with a server when no :match: is given.",
        choices=tuple(str(mode) for mode in Mode),
    ),
)


def check_config(app: Sphinx, config: Config) -> None:
    """Refuse the first value outside its declaration, in one line."""
    for setting in SETTINGS:
        value = config[setting.name]
        problem = setting.problem(value)
        if problem is not None:
            raise ConfigError(f"{setting.name} = {value!r}: {problem}")


def setup(app: Sphinx) -> None:
    for setting in SETTINGS:
        app.add_config_value(
            setting.name,
            setting.default,
            setting.rebuild,  # type: ignore[arg-type]
            types=ENUM(*setting.choices)
            if setting.choices
            else frozenset(setting.types) | ({str} if setting.words else set()),
            description=setting.description,
        )
    # Before Sphinx's own check (priority 800), which would only warn.
    app.connect("config-inited", check_config, priority=100)
