"""How a block becomes markup: the HTML block every notebook output is, and the auto-escaping templates that write it.

All data text is escaped before it reaches the page, so a CSV cell can never become markup, script or math.
"""

from __future__ import annotations


class HTML:
    """A block of trusted markup built from escaped parts."""

    def __init__(self, html: str, stale: list[dict] | None = None, told: set[str] | None = None):
        self.html = html
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
