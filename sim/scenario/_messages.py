"""Error text for scenario problems: map pydantic locations to the YAML and word each problem."""

from __future__ import annotations

import difflib
import math
import re
import reprlib
import types
import typing
from datetime import date
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.schema import _ID_PATTERN, Amount, Duration, Scenario, Where

# --------------------------------------------------------------------------- type walking

Loc = tuple[Any, ...]
_ALL_UNION_MEMBERS = (
    *typing.get_args(typing.get_args(Where)[0]),
    *typing.get_args(typing.get_args(Duration)[0]),
    *typing.get_args(typing.get_args(Amount)[0]),
)


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``None`` from an annotation."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_members(tp: Any) -> list[type[BaseModel]]:
    """Return the model members of a (discriminated) union annotation, else []."""
    if typing.get_origin(tp) not in (Union, types.UnionType):
        return []
    members = []
    for arg in typing.get_args(tp):
        arg = _unwrap(arg)
        if _is_model(arg):
            members.append(arg)
        elif typing.get_origin(arg) in (Union, types.UnionType):
            members.extend(_union_members(arg))
    return members


def _tag_of(member: type[BaseModel]) -> tuple[str, str] | None:
    """Return ``(discriminator key, tag)`` of a union member model."""
    for key in ("model", "dist"):
        f = member.model_fields.get(key)
        if f is not None and typing.get_origin(f.annotation) is Literal:
            return key, typing.get_args(f.annotation)[0]
    return None


def _member_for(tp: Any, tag: Any) -> type[BaseModel] | None:
    for m in _union_members(tp):
        t = _tag_of(m)
        if t is not None and t[1] == tag:
            return m
    return None


def _child_type(tp: Any, key: Any) -> Any:
    """Annotation of ``key`` inside a value of annotation ``tp`` (None if unknown)."""
    tp = _unwrap(tp)
    if _is_model(tp):
        f = tp.model_fields.get(key) if isinstance(key, str) else None
        return f.annotation if f is not None else None
    origin = typing.get_origin(tp)
    if origin in (list, tuple) and isinstance(key, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    return None


def _list_label(items: list[Any], i: int) -> str:
    """``id`` of list item ``i`` when it has a unique string id, else the index."""
    item = items[i] if 0 <= i < len(items) else None
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        ids = [x.get("id") for x in items if isinstance(x, dict)]
        if ids.count(item["id"]) == 1:
            return item["id"]
    return str(i)


def _walk(loc: Loc, data: Any) -> tuple[str, Any, Any]:
    """Follow a pydantic (or cross-check) location through the raw data and the schema.

    Returns
    -------
    path, annotation, value
        Dotted display path (union tags dropped, list items named by id), the schema annotation
        at the location and the raw value there (None if absent).
    """
    tp: Any = Scenario
    path = ""
    for el in loc:
        utp = _unwrap(tp)
        member = _member_for(utp, el)
        if member is not None:  # discriminated-union tag inserted by pydantic: not a key
            tp = member
            continue
        if el == "[key]":
            path += " (key)"
            continue
        if isinstance(data, list) and isinstance(el, int):
            path += f"[{_list_label(data, el)}]"
            data = data[el] if 0 <= el < len(data) else None
        else:
            path += f".{el}" if path else str(el)
            data = data.get(el) if isinstance(data, dict) else None
        tp = _child_type(utp, el)
    return path or "(top level)", tp, data


def _allowed_keys(tp: Any, data: Any) -> list[str]:
    """Keys allowed in a mapping of annotation ``tp`` (union member chosen by the data's tag)."""
    tp = _unwrap(tp)
    if _is_model(tp):
        return list(tp.model_fields)
    members = _union_members(tp)
    if members and isinstance(data, dict):
        for m in members:
            t = _tag_of(m)
            if t is not None and data.get(t[0]) == t[1]:
                return list(m.model_fields)
    return []


# --------------------------------------------------------------------------- messages


# YAML anchors can make a 1 kB file hold a value whose full repr has billions of characters
# (shared sub-lists): reprlib stops at a few items and levels, so text is cut before it is made.
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdict = 6
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlong = 40


def _short(value: Any, limit: int = 60) -> str:
    """``repr`` of a value from a scenario, cut to `limit` characters without building it whole."""
    if isinstance(value, str):
        text = repr(value[: limit + 1])
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        # str() of an integer with more than 4,300 digits raises ValueError (CPython limit)
        text = f"<an integer of about {value.bit_length() * 0.30103:.0f} digits>"
    else:
        text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggest(word: Any, options: list[str] | tuple[str, ...]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(o) for o in options], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?; " if close else ""


def _unknown(what: str, name: Any, defined: Any, plural: str = "defined") -> str:
    """``unknown <what> <name> (did you mean ...?; defined: ...)``; any value as `name`."""
    names = [d if isinstance(d, str) else _short(d) for d in defined]
    listed = ", ".join(names) if names else "none"
    return f"unknown {what} {_short(name)} ({_suggest(name, names)}{plural}: {listed})"


_NAMES = {"model": "spatial model", "dist": "distribution"}
_TYPE_WORDS = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "date_type": "a date YYYY-MM-DD",
    "date_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_inexact": "a date YYYY-MM-DD without a time",
}
_PATTERNS = {_ID_PATTERN: "letters, digits, '_' or '-' only"}


def _looks_numeric(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _number_hint(text: str, *, integer: bool) -> str:
    """Why a number was read as text, and how to write it so that YAML reads a number."""
    try:
        as_yaml = yaml.safe_load(text)
    except yaml.YAMLError:  # pragma: no cover - float() accepted it, so it is one scalar
        as_yaml = None
    if not math.isfinite(float(text)):
        return "a finite number is needed"
    if isinstance(as_yaml, int | float):
        return "text, not a number: drop the quotes"
    value = float(text)  # exponent forms PyYAML does not read as numbers, e.g. 1e3, 1.0e3
    whole = value.is_integer() and abs(value) < 1e16
    if integer:
        return (
            f"YAML reads {text.strip()} as text: write {int(value)}"
            if whole
            else ("text, not a number: write the digits of an integer")
        )
    readable = whole or 1e-6 <= abs(value) < 1e16  # repr() of these has no exponent
    plain = f", or write {int(value) if whole else repr(value)}" if readable else ""
    return (
        f"YAML reads {text.strip()} as text: an exponent needs a dot and a sign, "
        f"{_yaml_exponent(value)}{plain}"
    )


def _yaml_exponent(value: float) -> str:
    """``value`` in the exponent form PyYAML reads as a number (``1.0e+3``)."""
    mantissa, exp = f"{value:.6e}".split("e")
    mantissa = mantissa.rstrip("0")
    mantissa += "0" if mantissa.endswith(".") else ""
    return f"{mantissa}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"


def _describe(
    err: dict[str, Any], tp: Any, value: Any, parent_tp: Any, parent: Any
) -> tuple[str, str]:
    """Translate one pydantic error into plain words; return (path suffix, message)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if kind == "missing":
        return "", "required key is missing"
    if kind == "extra_forbidden":
        key = err["loc"][-1]
        allowed = _allowed_keys(parent_tp, parent)
        msg = f"unknown key ({_suggest(key, allowed)}allowed: {', '.join(allowed)})"
        if got is None or (isinstance(key, str) and " " in key.strip()):
            msg += "; if this is the rest of a text after a comma inside {...}, quote the text"
        return "", msg
    if kind in {"model_type", "model_attributes_type"}:
        allowed = _allowed_keys(tp, value)
        keys = f" with keys {', '.join(allowed)}" if allowed else ""
        return "", f"expected a mapping{keys}, got {_short(got)}"
    if kind in _TYPE_WORDS:
        msg = f"expected {_TYPE_WORDS[kind]}, got {_short(got)}"
        if kind in {"float_type", "int_type"} and isinstance(got, str) and _looks_numeric(got):
            msg += f" ({_number_hint(got, integer=kind == 'int_type')})"
        if kind == "int_type" and isinstance(got, float) and got.is_integer():
            msg += f" (write {int(got)})"
        return "", msg
    bounds = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()))
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        if isinstance(got, date):
            return "", f"expected a date {bounds[kind]} {limit}, got {got.isoformat()}"
        what = "an integer" if _unwrap(tp) is int else "a number"
        shown = f"{limit:,}" if isinstance(limit, int) else str(limit)
        return "", f"expected {what} {bounds[kind]} {shown}, got {_short(got)}"
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "", f"expected one of {', '.join(options)}, got {_short(got)}{_hint(got, options)}"
    if kind == "union_tag_invalid":
        key = str(ctx.get("discriminator", "")).strip("'")
        options = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return f".{key}", _unknown(_NAMES.get(key, key), ctx.get("tag"), options, "expected one of")
    if kind == "union_tag_not_found":
        key = str(ctx.get("discriminator", "")).strip("'")
        options = [t[1] for m in _union_members(_unwrap(tp)) if (t := _tag_of(m))]
        return (
            f".{key}",
            f"required key is missing (the {_NAMES.get(key, key)}: {', '.join(options)})",
        )
    if kind in {"too_short", "too_long"}:
        n = ctx.get("min_length", ctx.get("max_length"))
        word = "at least" if kind == "too_short" else "at most"
        return (
            "",
            f"expected {word} {n} item{'s' if n != 1 else ''}, got {ctx.get('actual_length')}",
        )
    if kind == "string_too_short":
        return "", f"expected non-empty text, got {_short(got)}"
    if kind == "string_too_long":
        n = ctx.get("max_length")
        found = f"{len(got)}: " if isinstance(got, str) else ""
        return "", f"expected text of at most {n} characters, got {found}{_short(got)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return (
            "",
            f"expected {_PATTERNS.get(pattern, 'text matching ' + pattern)}, got {_short(got)}",
        )
    if kind in {"value_error", "assertion_error"}:
        return "", str(ctx.get("error", err["msg"]))
    return "", f"{err['msg']}, got {_short(got)}"  # pragma: no cover - unmapped pydantic error


def _hint(got: Any, options: list[str]) -> str:
    close = _suggest(got, options)
    return f" ({close.rstrip('; ')})" if close else ""


def _pydantic_problems(exc: ValidationError, data: Any) -> list[tuple[Loc, str, str]]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "too_short":
            # pydantic counts only the items that validated: a list with a bad item is not
            # also "too short" (the bad item is reported on its own)
            raw = _walk(loc, data)[2]
            if isinstance(raw, list | tuple | dict) and len(raw) >= err["ctx"]["min_length"]:
                continue
        path, tp, value = _walk(loc, data)
        _ppath, parent_tp, parent = _walk(loc[:-1], data) if loc else ("", Scenario, data)
        suffix, msg = _describe(dict(err), tp, value, parent_tp, parent)
        out.append((loc, path + suffix, msg))
    return out


def _doc_position(loc: Loc, data: Any) -> tuple[int, ...]:
    """Position of a location in the file: key / item indexes along the path (missing → last)."""
    pos: list[int] = []
    tags = {t[1] for m in _ALL_UNION_MEMBERS if (t := _tag_of(m))}
    for el in loc:
        if isinstance(data, dict):
            keys = list(data)
            if el in data:
                pos.append(keys.index(el))
                data = data[el]
                continue
            if el in tags and any(data.get(k) == el for k in ("model", "dist")):
                continue  # union tag inserted by pydantic
            pos.append(len(keys))
            break
        if isinstance(data, list) and isinstance(el, int) and 0 <= el < len(data):
            pos.append(el)
            data = data[el]
            continue
        break
    return tuple(pos)


def _in_document_order(
    problems: list[tuple[Loc, str, str]], data: dict[str, Any]
) -> list[tuple[str, str]]:
    """Sort problems by where they are in the file (stable: per-field before cross-field)."""
    ranked = sorted(problems, key=lambda p: _doc_position(p[0], data))
    return [(path, msg) for _loc, path, msg in ranked]


def _format(source: str, problems: list[tuple[str, str]]) -> str:
    seen: list[tuple[str, str]] = []
    for p in problems:
        if p not in seen:
            seen.append(p)
    n = len(seen)
    lines = [f"{source}: {n} problem{'s' if n != 1 else ''}"]
    lines += [f"  - {path}: {msg}" for path, msg in seen]
    return "\n".join(lines)
