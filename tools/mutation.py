"""Mutation testing of the model, results and analysis code with mutmut (run by hand, not in CI).

Usage::

    python tools/mutation.py run                 # mutate and test the committed tree (hours)
    python tools/mutation.py run --fresh         # forget the cached results of earlier runs
    python tools/mutation.py run 'sim.results.stats.*'   # only these mutants (mutmut globs)
    python tools/mutation.py run --sample 60 --seed 18 'sim.model.travel.*'  # 60 at random
    python tools/mutation.py run --sample 20 'sim.model.*' 'sim.model.dispatch.*=10'
    python tools/mutation.py report              # score and surviving mutants of the last run
    python tools/mutation.py report --markdown docs/testing-mutants.md

``run`` copies the files of the last commit (``git archive HEAD``) to ``build/mutation/`` and
runs ``mutmut run`` there with the settings of ``[tool.mutmut]`` in ``pyproject.toml``: which
modules are mutated, and the selection of tests from which mutmut runs, for each mutant, the
tests that called the mutated function (fastest first, stopping at the first failure). Mutants
that mypy rejects are not run (CI would refuse them). Results are cached in
``build/mutation/mutants/``: a second run re-tests only mutants of functions whose source
changed, and mutants named on the command line.

``run --sample N`` draws N mutants at random (seeded) from each module the globs match, among
the mutants of the last generation (``build/mutation/mutants/``; a first run generates them), so
that a module too large for the time at hand is scored on a random sample; the report then gives
the score's 95 % Wilson interval. Sampled mutants of functions no selected test calls are
recorded as "no tests" (mutmut refuses to name them) and count as not killed.

``report`` reads the results, leaves out the mutants listed as equivalent in
``tools/mutation-equivalent.txt`` (one ``name  # reason`` a line) and prints the score per
module: killed (including time-outs) / (run − equivalent).

mutmut is pinned in the ``mutation`` extra (``pip install -e ".[mutation]"``).
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import io
import json
import os
import random
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
#: Sampled mutants whose function no selected test calls (``run --sample``), by name.
NO_TESTS = "sampled-no-tests.json"
#: Random draws of ``run --sample``: per module, how many mutants were not yet run, and which.
SAMPLED = "sampled.json"
#: mutmut's command line with a faster mapping of type errors to mutants (tools/mutmut_fast.py;
#: run as a script, not ``python -m mutmut``: mutmut forks its workers from a process that must
#: not import its own module twice).
MUTMUT = [sys.executable, str(ROOT / "tools" / "mutmut_fast.py")]

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


def sample(workdir: Path, patterns: list[str], n: int, seed: int) -> list[str]:
    """Draw `n` not yet run mutants at random from each module matched by `patterns`.

    A pattern may end in ``=N`` to draw N from the modules it matches instead.

    The draw is recorded in ``sampled.json`` (per module: how many mutants were not yet run,
    and the names drawn), so that the report can weigh the sample by what it stands for.
    Mutants of functions that no selected test calls are left out of the returned names (mutmut
    refuses them) and recorded in ``sampled-no-tests.json``: the report counts them "no tests".
    """
    rng = random.Random(seed)
    stats_path = workdir / "mutants" / "mutmut-stats.json"
    tested = json.loads(stats_path.read_text())["tests_by_mangled_function_name"]
    chosen: list[str] = []
    untested_path = workdir / NO_TESTS
    untested = set(json.loads(untested_path.read_text())) if untested_path.exists() else set()
    drawn_path = workdir / SAMPLED
    drawn = json.loads(drawn_path.read_text()) if drawn_path.exists() else {}
    for f in _mutated_files(workdir):
        meta_path = workdir / "mutants" / (f + ".meta")
        if not meta_path.exists():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        keys = sorted(
            k
            for k, code in meta["exit_code_by_key"].items()
            if code is None
            and k not in untested
            and any(fnmatch.fnmatch(k, p.partition("=")[0]) for p in patterns)
        )
        if not keys:
            continue
        size = n
        for p in patterns:
            glob, _, count = p.partition("=")
            if count and any(fnmatch.fnmatch(k, glob) for k in keys):
                size = int(count)
        picked = rng.sample(keys, min(size, len(keys)))
        drawn[f] = {"not_run": len(keys), "names": picked}
        for name in picked:
            if tested.get(name.partition("__mutmut_")[0]):
                chosen.append(name)
            else:
                untested.add(name)
    untested_path.write_text(json.dumps(sorted(untested), indent=1) + "\n")
    drawn_path.write_text(json.dumps(drawn, indent=1) + "\n")
    return chosen


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
            [*MUTMUT, "run", "--max-children", str(max_children), *names],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            # mypy and pytest of this environment, even when it is not activated
            env={
                **os.environ,
                "PYTHONDONTWRITEBYTECODE": "1",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            },
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
    untested_path = workdir / NO_TESTS
    untested = set(json.loads(untested_path.read_text())) if untested_path.exists() else set()
    for f in _mutated_files(workdir):
        meta = workdir / "mutants" / (f + ".meta")
        if not meta.exists():
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data["exit_code_by_key"].items():
            if code is None and name in untested:
                code = 33
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


def _score(c: Counter[str]) -> tuple[int, int, int, int]:
    """(mutants, run, killed, denominator) of one module's status counts."""
    n = sum(c.values())
    ran = n - c["type check"] - c["not checked"]
    killed = c["killed"] + c["timeout"]
    return n, ran, killed, ran - c["equivalent"] - c["skipped"]


def report(workdir: Path, markdown: Path | None) -> int:
    """Print the score per module; optionally write the table and survivors as Markdown.

    The score is killed (time-outs included) / (run − equivalent); mutants mypy rejects are
    not run. Where only part of a module's mutants was run (``--sample`` or an interrupted
    run) the 95 % Wilson interval says how far the score of all its mutants may be.
    """
    from sim.results.stats import wilson_interval  # the simulator's own, tested, interval

    eq = equivalent()
    by_file: dict[str, Counter[str]] = {}
    survivors: list[tuple[str, str, str]] = []
    for f, name, status in results(workdir):
        c = by_file.setdefault(f, Counter())
        if status == "survived" and name in eq:
            status = "equivalent"
        c[status] += 1
        if status in ("survived", "equivalent", "no tests", "suspicious"):
            survivors.append((f, name, status))
    rows = []
    total: Counter[str] = Counter()
    for f, c in by_file.items():
        total.update(c)
        rows.append((f, c))
    rows.append(("total", total))
    cols = ["module", "mutants", "not run", "mypy", "run", "killed", "timeout", "equiv",
            "survived", "no tests", "score", "95 % interval"]  # fmt: skip
    table = []
    for f, c in rows:
        n, ran, killed, denom = _score(c)
        score = f"{100.0 * killed / denom:.1f}%" if denom else "—"
        ci = "—"
        if denom and c["not checked"]:
            lo, hi = wilson_interval(killed, denom)
            ci = f"[{100 * lo:.1f}%, {100 * hi:.1f}%]"
        table.append(
            [f.removeprefix("sim/"), n, c["not checked"], c["type check"], ran, c["killed"],
             c["timeout"], c["equivalent"], c["survived"], c["no tests"], score, ci]
        )  # fmt: skip
    widths = [max(len(str(r[i])) for r in [cols, *table]) for i in range(len(cols))]
    for r in [cols, *table]:
        print("  ".join(str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in
                        enumerate(zip(r, widths, strict=True))))  # fmt: skip
    runs_path = workdir / "runs.json"
    if runs_path.exists():
        for r in json.loads(runs_path.read_text()):
            shown = r["mutants"] if isinstance(r["mutants"], str) else " ".join(r["mutants"])
            if len(shown) > 80:
                shown = f"{len(r['mutants'])} named mutants"
            print(
                f"run of {r['commit'][:10]} ({shown}): {r['wall_s'] / 3600:.2f} h wall, "
                f"{r['max_children']} workers, exit {r['exit_code']}"
            )
    if markdown is not None:
        out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        out += ["| " + " | ".join(str(v) for v in r) + " |" for r in table]
        out += ["", "| mutant | change | status |", "|---|---|---|"]
        for _f, name, status in survivors:
            change = diff_of(workdir, name).replace("|", "\\|").replace("\n", "<br>")
            change = re.sub(r"\s+", " ", change)
            out.append(f"| `{name}` | `{change}` | {eq.get(name, status)} |")
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
    r.add_argument("--sample", type=int, help="run this many random mutants of each module")
    r.add_argument("--seed", type=int, default=18, help="seed of --sample")
    r.add_argument("--also", type=Path, help="file of further mutant names to run (one a line)")
    r.add_argument("--workdir", type=Path, default=WORKDIR)
    p = sub.add_parser("report", help="score and survivors of the last run")
    p.add_argument("--workdir", type=Path, default=WORKDIR)
    p.add_argument("--markdown", type=Path, help="write the surviving mutants to this file")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        names = args.names
        if args.sample is not None:
            _sync(args.workdir)
            names = sample(args.workdir, names, args.sample, args.seed)
        if args.also is not None:
            names += [ln.strip() for ln in args.also.read_text().splitlines() if ln.strip()]
        return run(args.workdir, args.max_children, args.fresh, names)
    return report(args.workdir, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
