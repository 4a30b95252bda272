#!/usr/bin/env python3
"""Thin command line for the Shaoguan dispatch simulator; see ``python run_scenario.py --help``."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
