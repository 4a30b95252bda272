"""Command line: parse arguments, call one workflow, print its result, map errors to exit codes."""

from __future__ import annotations

from sim.cli.main import main

__all__ = ["main"]
