"""How a block becomes markup: the HTML block every notebook output is, and the auto-escaping templates that write it.

All data text is escaped before it reaches the page, so a CSV cell can never become markup, script or math.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup

from .citations import cite, plain_ids

BLOCKS_DIR = Path(__file__).parent / "templates" / "blocks"  # one template per block: the markup, readable without Python


class HTML:
    """A block of trusted markup built from escaped parts."""

    def __init__(self, html: str, stale: list[dict] | None = None, told: set[str] | None = None):
        self.html = str(html)  # plain text: concatenating it never escapes it again
        self.stale = stale or []  # sentences withheld because a premise or a figure is missing: reported by the build
        self.told = told or set()  # parties whose standing a printed sentence tells (its status:, direction: or evidence: premises)

    def _repr_html_(self) -> str:
        return f'<div class="briefing-block mathjax_ignore tex2jax_ignore">{self.html}</div>' if self.html else ""

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        from ..story.premises import STALE_MIME

        bundle = {"text/html": self._repr_html_()}
        if self.stale:
            bundle[STALE_MIME] = self.stale
        return bundle

    def __str__(self) -> str:
        return self.html

    def __html__(self) -> str:  # a block inside a template's block is markup already, never escaped twice
        return self.html


class JoinLines(Extension):
    """A template's lines are joined without their line breaks and indentation, so a block's markup is written one tag a
    line and renders on one line, as the page has it. A space that matters is written inside a line, never at its end;
    one that opens a line is written {{ " " }}. Prose is not wrapped: a line break inside a sentence would join two words."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return re.sub(r"\n[ \t]*", "", source)


def _escaped(value):
    """Every value a template prints is escaped unless it is markup already; the stdlib's entities (&quot; &#x27;),
    as the page has always had them."""
    return value if hasattr(value, "__html__") else Markup(html.escape(str(value)))


@functools.cache
def environment() -> jinja2.Environment:
    """The blocks' templates: autoescaped, strict about a missing value, one line each once rendered (JoinLines)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(BLOCKS_DIR), autoescape=True, undefined=jinja2.StrictUndefined,
                             finalize=_escaped, extensions=[JoinLines], keep_trailing_newline=False)
    env.filters["thousands"] = "{:,}".format  # 1,234: counts as the page writes them
    env.globals.update(cite=lambda d, ids: Markup(cite(d, ids)), plain_ids=lambda d, text: Markup(plain_ids(d, text)))
    return env


def render(template: str, **values) -> Markup:
    """A block's markup from its template (templates/blocks/TEMPLATE.html.j2); pass trusted markup as Markup or HTML."""
    return Markup(environment().get_template(f"{template}.html.j2").render(**values))
