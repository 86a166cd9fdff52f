"""Command-line argument types for the domain vocabulary (``bokslut.domain``), shared by every command.

argparse shows an ``ArgumentTypeError``'s own words (a plain ``ValueError`` would become the generic
"invalid value") after "argument --x: ": the domain's ``InvalidValue`` in its command-line spelling.
Light at import time (argparse and the domain only).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from bokslut.domain.invalid import InvalidValue
from bokslut.domain.organisation import parse_forvaltning, parse_forvaltningar
from bokslut.domain.periods import get_point, parse_period, parse_year

T = TypeVar("T")


def argument_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` with its Swedish ValueError shown by argparse as the error."""
    def convert(text: str) -> T:
        try:
            return parse(text)
        except InvalidValue as exc:
            raise argparse.ArgumentTypeError(exc.argument_message()) from None
    convert.__name__ = parse.__name__.removeprefix("parse_")  # argparse names the type in some messages
    return convert


period = argument_type(parse_period)
year = argument_type(parse_year)
forvaltning = argument_type(parse_forvaltning)
forvaltningar = argument_type(parse_forvaltningar)


def _point_code(text: str) -> str:
    return get_point(text).code


point = argument_type(_point_code)
