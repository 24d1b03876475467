"""Are the committed outputs fresh? Compare files built in memory with those on disk."""

from __future__ import annotations

from pathlib import Path

from mc2cli.errors import Problem

# Outputs compared line by line, so a stale one is located at its first changed line.
_TEXT_SUFFIXES = (".md", ".html", ".json")


def stale_files(out_dir: Path, files: dict[str, bytes], shown_dir: str,
                deal: str) -> list[Problem]:
    """A problem for each file in `files` that is missing from `out_dir` or differs there."""
    problems: list[Problem] = []
    hint = f"run 'mc2 build {deal}' and commit what it writes"
    for name, data in sorted(files.items()):
        shown = f"{shown_dir.rstrip('/')}/{name}"
        try:
            old = (out_dir / name).read_bytes()
        except FileNotFoundError:
            problems.append(Problem(shown, 1, 1, f"missing: {deal} produces it", hint=hint,
                                    rule="stale-output"))
            continue
        except OSError as exc:
            problems.append(Problem(shown, 1, 1, f"cannot read it: {exc.strerror}",
                                    rule="stale-output"))
            continue
        if old != data:
            line = first_changed_line(old, data) if name.endswith(_TEXT_SUFFIXES) else 1
            problems.append(Problem(shown, line, 1, f"stale: differs from what {deal} now "
                                    "produces", hint=hint, rule="stale-output"))
    return problems


def first_changed_line(old: bytes, new: bytes) -> int:
    """The 1-based line of `old` where it first differs from `new`."""
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
              min(len(old), len(new)))
    return old.count(b"\n", 0, at) + 1
