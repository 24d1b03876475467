"""The command line as a click command tree, for the generated reference (docs/commands.md)."""

from __future__ import annotations

import typer.main
from typer.core import TyperGroup

from mc2cli.cli.main import app


def click_command() -> TyperGroup:
    """The `mc2` command with every subcommand and option, as `mc2 --help` shows them."""
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    return command


# mkdocs-click reads a module attribute, not a function call; docs/commands.md names this one.
command = click_command()
