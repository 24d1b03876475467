"""The contract's structure as the converters see it: stable ids for sections and clauses,
the DOCX bookmark each clause carries, and the page options of a build.

mc2 passes `structure_map` to pandoc as a metadata value on the command line, and
`templates/structure.lua` reads it; nothing of it comes from the Markdown, whose attribute
syntax stays switched off for clause texts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass

from mc2cli.assembly.contract import Contract
from mc2cli.errors import UsageError

_NOT_NAME = re.compile(r"[^A-Za-z0-9]")
BOOKMARK_LIMIT = 40  # Word drops longer bookmark names
SIGNATURES = "Signatures"
FIRST_SCHEDULE = "Schedule A: Key Terms"
DEFINITIONS_NUMBER = "1."  # templates/contract.md.j2 numbers the Definitions section 1


def bookmark_name(clause_id: str) -> str:
    """The Word bookmark of a clause: "mc2_" + its id with every character outside
    [A-Za-z0-9] made "_"; a name over 40 characters becomes its first 31 characters, "_",
    and the first 8 hex digits of the id's SHA-1."""
    name = "mc2_" + _NOT_NAME.sub("_", clause_id)
    if len(name) <= BOOKMARK_LIMIT:
        return name
    return name[:31] + "_" + hashlib.sha1(clause_id.encode("utf-8")).hexdigest()[:8]


def structure_map(contract: Contract) -> dict[str, object]:
    """Number -> id maps for the Lua filter, keyed as the Markdown writes the numbers."""
    return {
        "sections": {DEFINITIONS_NUMBER: "section-definitions",
                     **{f"{s.number}.": f"section-{s.id}" for s in contract.all_sections}},
        "clauses": {c.number: [c.id, bookmark_name(c.id)] for c in contract.clauses},
        "signatures": SIGNATURES,
        "break_before": FIRST_SCHEDULE,
    }


def structure_json(contract: Contract) -> str:
    return json.dumps(structure_map(contract), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Layout:
    """Page options of a build: the running header's words, a draft stamp, a table of
    contents, and (DOCX) whether Word tracks the next edits."""

    title: str
    reference: str
    draft: str = ""  # the stamp, "DRAFT - 2026-03-01 - REF", or "" for a final copy
    toc: bool = False
    track_changes: bool = False


DATE_ENV = "SOURCE_DATE_EPOCH"


def draft_date(contract: Contract, given: dt.date | None = None) -> dt.date:
    """The draft stamp's date: the one given, else SOURCE_DATE_EPOCH (UTC), else the
    deal's effective date. Never the clock, so a build stays reproducible."""
    if given is not None:
        return given
    raw = os.environ.get(DATE_ENV, "").strip()
    if raw:
        try:
            return dt.datetime.fromtimestamp(int(raw), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"{DATE_ENV}={raw!r}: give whole seconds since 1970-01-01") from None
    return contract.deal.effective_date


@dataclass(frozen=True)
class PageOptions:
    """What `mc2 build` asks of the pages: a draft stamp (dated `draft_on`, else as
    `draft_date` says), a table of contents, tracked changes in the DOCX."""

    draft: bool = False
    draft_on: dt.date | None = None
    toc: bool = False
    track_changes: bool = False


def layout_for(contract: Contract, options: PageOptions | None = None) -> Layout:
    options = options or PageOptions()
    deal = contract.deal
    reference = deal.reference or ""
    stamp = ""
    if options.draft:
        day = draft_date(contract, options.draft_on).isoformat()
        stamp = " - ".join(p for p in ("DRAFT", day, reference) if p)
    return Layout(deal.title, reference, stamp, options.toc, options.track_changes)
