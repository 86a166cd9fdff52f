"""The placeholders of mappings and texts (``{ar}``, ``{ar-1}``, ``{period}``, ``{kod}``...).

Its own module so the mapping (which names measures) and the measures (which expand their
parameters) both use it without importing each other.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{(\w+)([+-]\d+)?\}")


def expand(text: str, values: dict[str, object]) -> str:
    """Replace ``{ar}``, ``{ar-1}``, ``{period}``... in ``text``; unknown names are left as they are."""

    def replace(match: re.Match) -> str:
        name, offset = match.group(1), match.group(2)
        if name not in values:
            return match.group(0)
        value = values[name]
        if offset:
            if not isinstance(value, int):
                return match.group(0)
            value = value + int(offset)
        return str(value)

    return _PLACEHOLDER.sub(replace, text)
