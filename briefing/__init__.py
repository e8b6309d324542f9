"""The Meta / Scale AI briefing: load, validate, compute, chart and render the curated data.

Kept import-light: `python -m briefing validate` must not pay for pandas or matplotlib.
"""

__version__ = "1.0.0"
