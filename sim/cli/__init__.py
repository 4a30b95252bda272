"""Command line: parse arguments, call a workflow, print its result, map errors to exit codes."""

from __future__ import annotations

from sim.cli.main import main

__all__ = ["main"]
