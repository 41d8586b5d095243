"""A small exact argument parser for the plain invocations ``entry.main`` serves without Typer.

It accepts only what it fully understands (known options, valid values); for anything else it answers
None and the Typer app takes over, with its help and usage messages. Both paths fill the same
dataclasses and call the same runner, so behaviour does not depend on which one parsed.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

# kind -> converter returning None for a value the simple parser will not accept
Converters = Dict[str, Callable[[str], object]]


def _text(value: str):
    return value if value and not value.startswith("--") else None


def _number(low: Optional[float] = None, high: Optional[float] = None):
    def convert(value: str):
        try:
            number = float(value)
        except ValueError:
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            return None
        return number
    return convert


def _positive_int(value: str):
    return int(value) if value.isdigit() and int(value) >= 1 else None


def _choice(*allowed: str):
    return lambda value: value if value in allowed else None


CONVERTERS: Converters = {
    "str": _text, "list": _text, "float": _number(), "purity": _number(0.01, 1.0), "ploidy": _number(0.5, 10.0),
    "jobs": _positive_int, "genome": _choice("GRCh37", "GRCh38"),
    "format": _choice("tsv", "json", "table", "vcf", "maf"),
}


def parse(tokens: List[str], target, value_options: Dict[str, Tuple[str, str]], flags: Dict[str, str],
          positional: str, max_positional: Optional[int] = None):
    """Fill ``target`` (a dataclass instance) from ``tokens``; None when Typer should parse instead."""
    seen_positional = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in flags:
            setattr(target, flags[token], True)
            i += 1
            continue
        if token.startswith("-") and token != "-":
            name, eq, inline = token.partition("=")
            if name not in value_options:
                return None
            if eq:
                value, i = inline, i + 1
            elif i + 1 < len(tokens):
                value, i = tokens[i + 1], i + 2
            else:
                return None
            attr, kind = value_options[name]
            converted = CONVERTERS[kind](value)
            if converted is None:
                return None
            if kind == "list":
                getattr(target, attr).append(converted)
            else:
                setattr(target, attr, converted)
            continue
        seen_positional += 1
        if max_positional is not None and seen_positional > max_positional:
            return None
        current = getattr(target, positional)
        if isinstance(current, list):
            current.append(token)
        else:
            setattr(target, positional, token)
        i += 1
    if max_positional is not None and seen_positional == 0:
        return None
    return target
