"""`python -m mc2cli` is `mc2`."""

from mc2cli.cli.main import main

main()
