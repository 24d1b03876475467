"""Did-you-mean hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint naming the nearest candidate, or an empty string."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return ""


def known(kind: str, candidates: Iterable[str], limit: int = 8) -> str:
    options = sorted(set(candidates))
    shown = ", ".join(options[:limit])
    more = f" and {len(options) - limit} more" if len(options) > limit else ""
    return f"known {kind}: {shown}{more}"
