"""Mutation testing of the model, results and analysis code with mutmut (run by hand, not in CI).

Usage::

    python tools/mutation.py run                 # mutate and test the committed tree (hours)
    python tools/mutation.py run --fresh         # forget the cached results of earlier runs
    python tools/mutation.py run 'sim.results.stats.*'   # only these mutants (mutmut globs)
    python tools/mutation.py report              # score and surviving mutants of the last run
    python tools/mutation.py report --markdown docs/testing-mutants.md

``run`` copies the files of the last commit (``git archive HEAD``) to ``build/mutation/`` and
runs ``mutmut run`` there with the settings of ``[tool.mutmut]`` in ``pyproject.toml``: which
modules are mutated, and the selection of tests from which mutmut runs, for each mutant, the
tests that called the mutated function (fastest first, stopping at the first failure). Mutants
that mypy rejects are not run (CI would refuse them). Results are cached in
``build/mutation/mutants/``: a second run re-tests only mutants of functions whose source
changed, and mutants named on the command line.

``report`` reads the results, leaves out the mutants listed as equivalent in
``tools/mutation-equivalent.txt`` (one ``name  # reason`` a line) and prints the score per
module: killed (including time-outs) / (run − equivalent).

mutmut is pinned in the ``mutation`` extra (``pip install -e ".[mutation]"``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "build" / "mutation"
EQUIVALENT = ROOT / "tools" / "mutation-equivalent.txt"
#: The mutmut of this Python's environment (``mutmut run``, not ``python -m mutmut``: mutmut
#: forks its workers from a process that must not import its own module twice).
MUTMUT = str(Path(sys.executable).parent / "mutmut")

#: mutmut's exit codes → what happened to the mutant.
STATUS = {
    0: "survived",
    1: "killed",
    3: "killed",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    37: "type check",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}


def _sync(workdir: Path) -> str:
    """Unpack the last commit into `workdir` (keeping its ``mutants/`` cache); return the hash."""
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    workdir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(workdir, filter="data")
    # mutmut compares each function's hash with the cached one; git is not needed there.
    return commit


def run(workdir: Path, max_children: int, fresh: bool, names: list[str]) -> int:
    """Run mutmut in `workdir` on the last commit; write ``last_run.json`` with the wall time."""
    if fresh and (workdir / "mutants").exists():
        subprocess.run(["rm", "-rf", str(workdir / "mutants")], check=True)
    commit = _sync(workdir)
    log = workdir / "mutmut.log"
    t0 = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        out.write(f"\n=== mutmut run {' '.join(names) or '(all)'} at {stamp}\n")
        out.flush()
        code = subprocess.run(
            [MUTMUT, "run", "--max-children", str(max_children), *names],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        ).returncode
    wall_s = time.monotonic() - t0
    info = {
        "commit": commit,
        "mutants": names or "all",
        "fresh": fresh,
        "max_children": max_children,
        "wall_s": round(wall_s),
        "exit_code": code,
    }
    runs_path = workdir / "runs.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else []
    runs_path.write_text(json.dumps([*runs, info], indent=2) + "\n")
    print(f"mutmut exited with {code} after {wall_s / 60:.1f} min (log: {log})")
    return code


def _mutated_files(workdir: Path) -> list[str]:
    cfg = tomllib.loads((workdir / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    pats = cfg["only_mutate"]
    files = sorted(str(p.relative_to(workdir)) for p in (workdir / "sim").rglob("*.py"))
    return [f for f in files if any(Path(f).match(p) or f == p for p in pats)]


def equivalent() -> dict[str, str]:
    """Mutants explained as equivalent: ``{name: reason}`` (``tools/mutation-equivalent.txt``)."""
    out = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines() if EQUIVALENT.exists() else []:
        name, _, reason = line.partition("#")
        if name.strip():
            out[name.strip()] = reason.strip()
    return out


def results(workdir: Path) -> Iterator[tuple[str, str, str]]:
    """(file, mutant name, status) of every mutant of the last run."""
    for f in _mutated_files(workdir):
        meta = workdir / "mutants" / (f + ".meta")
        if not meta.exists():
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data["exit_code_by_key"].items():
            yield f, name, STATUS.get(code, f"exit {code}")


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def diff_of(workdir: Path, name: str) -> str:
    """The mutant's change as the removed and added source lines."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # only installed for this tool

    with _cwd(workdir):
        text = get_diff_for_mutant(name)
    lines = [ln for ln in text.splitlines() if ln[:1] in "+-" and ln[:3] not in ("---", "+++")]
    return "\n".join(lines)


def report(workdir: Path, markdown: Path | None) -> int:
    """Print the score per module; optionally write the survivors with their diffs."""
    eq = equivalent()
    by_file: dict[str, Counter[str]] = {}
    survivors: list[tuple[str, str]] = []
    for f, name, status in results(workdir):
        c = by_file.setdefault(f, Counter())
        if status == "survived" and name in eq:
            status = "equivalent"
        c[status] += 1
        if status in ("survived", "equivalent"):
            survivors.append((f, name))
    rows = []
    total: Counter[str] = Counter()
    for f, c in by_file.items():
        total.update(c)
        rows.append((f, c))
    rows.append(("total", total))
    head = (
        f"{'module':<28} {'mutants':>7} {'mypy':>5} {'run':>6} {'killed':>6} {'timeout':>7} "
        f"{'equiv':>5} {'surv':>5} {'no test':>7} {'score':>6}"
    )
    lines = [head]
    for f, c in rows:
        n = sum(c.values())
        ran = n - c["type check"] - c["not checked"]
        killed = c["killed"] + c["timeout"]
        denom = ran - c["equivalent"] - c["skipped"]
        score = 100.0 * killed / denom if denom else float("nan")
        lines.append(
            f"{f.removeprefix('sim/'):<28} {n:>7} {c['type check']:>5} {ran:>6} {c['killed']:>6} "
            f"{c['timeout']:>7} {c['equivalent']:>5} {c['survived']:>5} {c['no tests']:>7} "
            f"{score:>5.1f}%"
        )
    print("\n".join(lines))
    runs_path = workdir / "runs.json"
    if runs_path.exists():
        for r in json.loads(runs_path.read_text()):
            print(
                f"run of {r['commit'][:10]} ({r['mutants']}): {r['wall_s'] / 3600:.2f} h wall, "
                f"{r['max_children']} workers, exit {r['exit_code']}"
            )
    if markdown is not None:
        out = ["| mutant | change | |", "|---|---|---|"]
        for _f, name in survivors:
            change = diff_of(workdir, name).replace("|", "\\|").replace("\n", "<br>")
            change = re.sub(r"\s+", " ", change)
            out.append(f"| `{name}` | `{change}` | {eq.get(name, 'survived')} |")
        markdown.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"{len(survivors)} surviving mutants written to {markdown}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run mutmut on the last commit")
    r.add_argument("names", nargs="*", help="mutant names or globs (default: all)")
    r.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    r.add_argument("--fresh", action="store_true", help="discard cached results first")
    r.add_argument("--workdir", type=Path, default=WORKDIR)
    p = sub.add_parser("report", help="score and survivors of the last run")
    p.add_argument("--workdir", type=Path, default=WORKDIR)
    p.add_argument("--markdown", type=Path, help="write the surviving mutants to this file")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        return run(args.workdir, args.max_children, args.fresh, args.names)
    return report(args.workdir, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
