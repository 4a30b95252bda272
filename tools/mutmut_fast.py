"""mutmut's command line with a faster mapping of type errors to mutants (used by mutation.py).

mutmut 3.8.1 finds the mutant behind each mypy error by parsing every mutated file with libcst's
position metadata; on this project's mutated files (about 730,000 lines: each function is copied
once per mutant) that step alone took over 25 minutes of a shared core, and it runs again on
every ``mutmut run``. Python's own parser gives the same line span of each function
(``lineno`` of its first decorator or ``def``, ``end_lineno``) in seconds. The result is the same
mapping: error line → the mutated function whose span holds it. Everything else is mutmut's.

Run as mutmut itself: ``python tools/mutmut_fast.py run ...`` (not ``-m``: mutmut forks its
workers from a process that must import its own module once).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import mutmut.__main__ as mutmut_main
from mutmut.configuration import config
from mutmut.mutation import file_mutation as fm
from mutmut.type_checking import run_type_checker
from mutmut.utils.file_utils import change_cwd
from mutmut.utils.format_utils import get_mutant_name, is_mutated_method_name


def mutated_spans(path: Path, source: str) -> list[fm.MutatedMethodLocation]:
    """Line spans (1-based, inclusive) of the mutated functions of one mutated file."""
    out = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and is_mutated_method_name(
            node.name
        ):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            out.append(
                fm.MutatedMethodLocation(
                    file=path,
                    function_name=node.name,
                    line_number_start=start,
                    line_number_end=node.end_lineno,
                )
            )
    return out


def filter_mutants_with_type_checker() -> dict[str, fm.FailedTypeCheckMutant]:
    """mutmut's filter of the same name, with `mutated_spans` in place of libcst."""
    with change_cwd(Path("mutants")):
        errors = run_type_checker(config().type_check_command)
        skip: dict[str, fm.FailedTypeCheckMutant] = {}
        for path, errors_of_file in fm.group_by_path(errors).items():
            spans = mutated_spans(path, path.read_text(encoding="utf-8"))
            if not spans:
                continue
            for error in errors_of_file:
                mutant = next(
                    (
                        m
                        for m in spans
                        if m.line_number_start <= error.line_number <= m.line_number_end
                    ),
                    None,
                )
                if mutant is None:
                    msg = (
                        f"type error outside any mutant: {error.file_path}:{error.line_number} "
                        f"({error.error_description})"
                    )
                    raise RuntimeError(msg)
                name = get_mutant_name(path.relative_to(Path(".").absolute()), mutant.function_name)
                skip[name] = fm.FailedTypeCheckMutant(
                    method_location=mutant, name=name, error=error
                )
        return skip


mutmut_main.filter_mutants_with_type_checker = filter_mutants_with_type_checker

if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\.pyw|\.exe)?$", "", sys.argv[0])
    sys.exit(mutmut_main.cli())
