"""Mutation testing of the model, results and analysis code with mutmut (run by hand, not in CI).

Usage::

    python tools/mutation.py run                 # mutate and test the committed tree (hours)
    python tools/mutation.py run --fresh         # forget the cached results of earlier runs
    python tools/mutation.py run 'sim.results.stats.*'   # only these mutants (mutmut globs)
    python tools/mutation.py run --sample 60 --seed 18 'sim.model.travel.*'  # 60 at random
    python tools/mutation.py run --sample 20 'sim.model.*' 'sim.model.dispatch.*=10'
    python tools/mutation.py report              # score and surviving mutants of the last run
    python tools/mutation.py report --markdown docs/testing-mutants.md
    python tools/mutation.py check NAME... --tests tests/x.py   # tests outside the selection

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
#: Survivors not killed yet, each with the test that is missing: ``name  # note`` a line.
OPEN = ROOT / "tools" / "mutation-open.txt"
#: Sampled mutants whose function no selected test calls (``run --sample``), by name.
NO_TESTS = "sampled-no-tests.json"
#: Random draws of ``run --sample``: per module, how many mutants were not yet run, and which.
SAMPLED = "sampled.json"
#: Survivors of mutmut's run killed by `check` (named tests on the mutant): name → tests.
OUTSIDE = "killed-outside.json"
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
        if f in drawn:
            # A second draw from what the first left is, with it, one random draw from the
            # mutants that were not run before the first.
            drawn[f]["names"] += picked
        else:
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


def equivalent(path: Path | None = None) -> dict[str, str]:
    """Mutants explained as equivalent: ``{name: reason}`` (``tools/mutation-equivalent.txt``).

    The same format holds the notes on survivors not killed yet (``mutation-open.txt``).
    """
    path = path or EQUIVALENT
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        name, _, reason = line.partition("#")
        if name.strip():
            out[name.strip()] = reason.strip()
    return out


def results(workdir: Path) -> Iterator[tuple[str, str, str]]:
    """(file, mutant name, status) of every mutant of the last run."""
    untested_path = workdir / NO_TESTS
    untested = set(json.loads(untested_path.read_text())) if untested_path.exists() else set()
    outside_path = workdir / OUTSIDE
    outside = json.loads(outside_path.read_text()) if outside_path.exists() else {}
    for f in _mutated_files(workdir):
        meta = workdir / "mutants" / (f + ".meta")
        if not meta.exists():
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data["exit_code_by_key"].items():
            if code is None and name in untested:
                code = 33
            status = STATUS.get(code, f"exit {code}")
            if status in ("survived", "no tests") and name in outside:
                status = "killed on recheck"
            yield f, name, status


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
    killed = c["killed"] + c["timeout"] + c["killed on recheck"]
    return n, ran, killed, ran - c["equivalent"] - c["skipped"]


def estimate(
    whole: Counter[str], drawn: Counter[str], not_run: int
) -> tuple[float, float, float, float] | None:
    """Killed and scoreable mutants of a module, from those run in full and a random draw.

    Parameters
    ----------
    whole
        Status counts of the mutants run one by one (every one of a stratum), draw excluded.
    drawn
        Status counts of the random draw from the `not_run` mutants left.
    not_run
        How many mutants were left when the draw was made.

    Returns
    -------
    killed, low, high, scoreable
        killed = k + p · M and scoreable = d + M, where k of d scoreable mutants run in full
        were killed, p is the draw's score and M the number of scoreable mutants the draw
        stands for (`not_run` times the draw's share of scoreable ones); low and high put the
        95 % Wilson bounds of p in its place. The score is killed / scoreable. None when
        nothing is known.
    """
    from sim.results.stats import wilson_interval  # the simulator's own, tested interval

    _, _, k_all, d_all = _score(whole)
    _, _, k_draw, d_draw = _score(drawn)
    decided = sum(drawn.values()) - drawn["not checked"]
    if d_draw <= 0 or decided <= 0:
        return (k_all, k_all, k_all, d_all) if not_run == 0 and d_all > 0 else None
    m = not_run * d_draw / decided
    lo, hi = wilson_interval(k_draw, d_draw)
    return (k_all + k_draw / d_draw * m, k_all + lo * m, k_all + hi * m, d_all + m)


def _row(name: str, c: Counter[str], est: tuple[float, ...] | None) -> list[object]:
    """One line of the report's table."""
    n, ran, killed, denom = _score(c)
    score = f"{100.0 * killed / denom:.1f}%" if denom else "—"
    shown = "—"
    if est is not None:
        k, lo, hi, d = est
        shown = f"{100 * k / d:.1f}% [{100 * lo / d:.1f}, {100 * hi / d:.1f}]"
    return [name, n, c["not checked"], c["type check"], ran, c["killed"], c["killed on recheck"],
            c["timeout"], c["equivalent"], c["survived"], c["no tests"], score,
            shown]  # fmt: skip


def report(workdir: Path, markdown: Path | None, only: list[str] | None = None) -> int:
    """Print the score per module; optionally write the table and survivors as Markdown.

    The score is killed (time-outs included) / (run − equivalent); mutants mypy rejects are
    not run. Where a module's remaining mutants were sampled (``run --sample``) the table also
    gives the estimated score of all its mutants and its 95 % interval (`estimate`).
    """
    eq = equivalent()
    notes = equivalent(OPEN)
    outside_path = workdir / OUTSIDE
    outside = json.loads(outside_path.read_text()) if outside_path.exists() else {}
    drawn_path = workdir / SAMPLED
    drawn = json.loads(drawn_path.read_text()) if drawn_path.exists() else {}
    in_draw = {n for d in drawn.values() for n in d["names"]}
    by_file: dict[str, Counter[str]] = {}
    draw_by_file: dict[str, Counter[str]] = {}
    survivors: list[tuple[str, str, str]] = []
    for f, name, status in results(workdir):
        if only and not any(fnmatch.fnmatch(f, p) for p in only):
            continue
        if status == "survived" and name in eq:
            status = "equivalent"
        by_file.setdefault(f, Counter())[status] += 1
        draw_by_file.setdefault(f, Counter())
        if name in in_draw:
            draw_by_file[f][status] += 1
        if status in ("survived", "equivalent", "no tests", "suspicious", "killed on recheck"):
            survivors.append((f, name, status))
    cols = ["module", "mutants", "not run", "mypy", "run", "killed", "killed on recheck", "timeout",
            "equiv", "survived", "no tests", "score of those run",
            "estimate for all [95 %]"]  # fmt: skip
    table: list[list[object]] = []
    sums = [0.0, 0.0, 0.0, 0.0]
    total: Counter[str] = Counter()
    for f, c in by_file.items():
        total.update(c)
        _, _, killed, denom = _score(c)
        if f in drawn:
            est = estimate(c - draw_by_file[f], draw_by_file[f], drawn[f]["not_run"])
        else:
            est = (killed, killed, killed, denom) if denom and not c["not checked"] else None
        if est is not None:
            sums = [a + b for a, b in zip(sums, est, strict=True)]
        table.append(_row(f.removeprefix("sim/"), c, est))
    # Modules without an estimate (not run, or partly run without a draw) are left out of it.
    table.append(_row("total (modules run)", total, tuple(sums) if sums[3] else None))
    lines: list[list[object]] = [list(cols), *table]
    widths = [max(len(str(r[i])) for r in lines) for i in range(len(cols))]
    for r in lines:
        cells = [str(r[0]).ljust(widths[0])]
        cells += [str(v).rjust(w) for v, w in zip(r[1:], widths[1:], strict=True)]
        print("  ".join(cells))
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
            why = eq.get(name, status)
            if status in ("survived", "no tests") and name in notes:
                why = f"{status}: {notes[name]}"
            if status == "killed on recheck":
                why = "killed by " + ", ".join(f"`{t}`" for t in outside[name])
            out.append(f"| `{name}` | `{change}` | {why} |")
        markdown.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"{len(survivors)} surviving mutants written to {markdown}")
    return 0


def _apply(workdir: Path, name: str, root: Path) -> None:
    """Write mutant `name` into the copy of the sources at `root` (mutmut's diff, by text).

    mutmut's diffs count lines from the function's start, so the change is placed by its text:
    the removed lines with their context, searched from the function's ``def`` on.
    """
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # only installed for this tool
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    with _cwd(workdir):
        diff = get_diff_for_mutant(name)
    lines = diff.splitlines()
    path = root / lines[0].removeprefix("--- ").strip()
    old, new = [], []
    for ln in lines[3:]:
        if ln[:1] in (" ", "-"):
            old.append(ln[1:])
        if ln[:1] in (" ", "+"):
            new.append(ln[1:])
    func, cls = orig_function_and_class_names_from_key(name)
    text = path.read_text(encoding="utf-8")
    start = text.index(f"class {cls}") if cls else 0
    start = text.index(f"def {func}(", start)
    # the diff shows the function dedented: indent it as the source does (methods)
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    before = "\n".join(indent + ln if ln else ln for ln in old)
    after = "\n".join(indent + ln if ln else ln for ln in new)
    if before in text[line_start:]:
        at = text.index(before, line_start)
    else:
        # The function changed since the mutants were generated (the context differs): place
        # the change by its removed lines alone, which must occur once in the function.
        end = text.find(f"\n{indent}def ", start)
        end = len(text) if end < 0 else end
        minus = [ln[1:] for ln in lines[3:] if ln[:1] == "-"]
        plus = [ln[1:] for ln in lines[3:] if ln[:1] == "+"]
        before = "\n".join(indent + ln if ln else ln for ln in minus)
        after = "\n".join(indent + ln if ln else ln for ln in plus)
        if text.count(before, line_start, end) != 1:
            msg = f"{name}: its change is not found once in the current {func}"
            raise ValueError(msg)
        at = text.index(before, line_start, end)
    text = text[:at] + after + text[at + len(before) :]
    path.write_text(text, encoding="utf-8")


def check(workdir: Path, names: list[str], tests: list[str]) -> int:
    """Apply each named mutant to a fresh copy of the last commit and run `tests` on it.

    For survivors of a run re-tested after new tests were written, or tests outside mutmut's
    selection (``[tool.mutmut]``): prints killed / survived per mutant and records the killed
    ones in ``killed-outside.json`` (the report counts them "killed on recheck", a column of
    their own, with the killing tests in the survivor list). Returns the number of survivors.
    """
    import tempfile

    survivors = 0
    path = workdir / OUTSIDE
    killed_outside = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            _sync(Path(tmp))
            _apply(workdir, name, Path(tmp))
            code = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                cwd=tmp,
                env={**os.environ, "PYTHONPATH": tmp, "PYTHONDONTWRITEBYTECODE": "1"},
                capture_output=True,
                text=True,
            ).returncode
        survivors += code == 0
        print(f"{'survived' if code == 0 else 'killed'}  {name}  ({' '.join(tests)})")
        if code != 0:
            killed_outside[name] = tests
            path.write_text(json.dumps(killed_outside, indent=1, ensure_ascii=False) + "\n")
    return survivors


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
    k = sub.add_parser("check", help="run given tests on given mutants (outside the selection)")
    k.add_argument("names", nargs="+", help="mutant names")
    k.add_argument("--tests", nargs="+", required=True, help="pytest node ids or files")
    k.add_argument("--workdir", type=Path, default=WORKDIR)
    p = sub.add_parser("report", help="score and survivors of the last run")
    p.add_argument("--workdir", type=Path, default=WORKDIR)
    p.add_argument("--markdown", type=Path, help="write the surviving mutants to this file")
    p.add_argument("--only", nargs="+", help="only these module files (globs, e.g. sim/results/*)")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        names = args.names
        if args.sample is not None:
            _sync(args.workdir)
            names = sample(args.workdir, names, args.sample, args.seed)
        if args.also is not None:
            names += [ln.strip() for ln in args.also.read_text().splitlines() if ln.strip()]
        return run(args.workdir, args.max_children, args.fresh, names)
    if args.cmd == "check":
        return check(args.workdir, args.names, args.tests)
    return report(args.workdir, args.markdown, args.only)


if __name__ == "__main__":
    sys.exit(main())
