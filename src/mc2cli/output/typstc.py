"""Compile Typst from stdin to PDF on stdout, in its own process so a timeout can stop it."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def main() -> int:
    import typst

    source = sys.stdin.buffer.read()
    with tempfile.TemporaryDirectory(prefix="mc2-typst-") as tmp:
        root = Path(tmp)
        (root / "main.typ").write_bytes(source)
        try:
            pdf = typst.compile(str(root / "main.typ"), root=str(root), format="pdf",
                                ignore_system_fonts=True, timestamp=0)
        except Exception as exc:  # typst raises its own error types; report them on stderr
            sys.stderr.write(f"typst: {str(exc).splitlines()[0] if str(exc) else exc}\n")
            return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
