"""Regenerate the golden outputs under ``tests/golden/`` (run by hand, never by the tests).

Usage::

    python tools/regen_golden.py          # rewrite every golden folder
    python tools/regen_golden.py --check  # exit 1 if any golden file would change

Each golden case is a scenario run with its own seed and ``--no-plots``; only the reproducible
files (``metrics.json``, ``incidents.csv``) are kept. A change to these files must be explained
in the commit that makes it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.cli import main  # noqa: E402 - after the path set-up above

#: Golden case name -> scenario file (relative to the repository root).
CASES = {
    "small_test": "scenarios/small_test.yaml",
    "forest_small": "tests/data/scenarios/valid/forest_small.yaml",
}
FILES = ("metrics.json", "incidents.csv")
GOLDEN = ROOT / "tests" / "golden"


def produce(case: str, out: Path) -> Path:
    """Run one golden case into ``out`` and return the folder."""
    code = main(
        [
            "run",
            str(ROOT / CASES[case]),
            "--out",
            str(out),
            "--no-plots",
            "--quiet",
            "--workers",
            "1",
        ]
    )
    if code != 0:
        msg = f"golden case {case!r} exited with {code}"
        raise SystemExit(msg)
    return out


def cli(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, compare) every golden folder."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = p.parse_args(argv)
    changed = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            out = produce(case, Path(tmp) / case)
            for f in FILES:
                new = (out / f).read_bytes()
                dest = GOLDEN / case / f
                if not dest.exists() or dest.read_bytes() != new:
                    changed.append(f"{case}/{f}")
                    if not args.check:
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(new)
    for c in changed:
        print(("differs: " if args.check else "rewritten: ") + c)
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(cli())
