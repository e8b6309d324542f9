"""Command line: python -m briefing {validate,verify-quotes,execute,html,pdf,dictionary,...}."""

from .pipeline.cli import main

raise SystemExit(main())
