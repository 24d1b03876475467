"""`python -m mc2cli` is `mc2`."""

from .cli import main

main()
