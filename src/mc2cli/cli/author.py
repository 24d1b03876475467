"""Authoring commands: `mc2 init` (a starter deal) and `mc2 schema` (editor support), and the
shell completion of clause and principle ids."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mc2cli.authoring.starter import (
    DEFAULT_ADDRESS,
    DEFAULT_GOVERNING_LAW,
    DEFAULT_PRODUCT,
    DEFAULT_SIGNATORY,
    SCHEMA_FILE,
    Answers,
    Product,
    check_line,
    default_effective_date,
    parse_date,
    parse_product,
    parse_signatory,
)
from mc2cli.cli.console import LibraryOpt, err, guard
from mc2cli.cli.console import layers as _layers
from mc2cli.errors import InputError, OutputError, Problem, UsageError, shown

if TYPE_CHECKING:
    from mc2cli.inputs.models import Position


class PositionChoice(StrEnum):
    hdo = "hdo"
    middle = "middle"
    mdm = "mdm"


def _checked(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """An option callback: the value as given, or a usage error (exit 2) saying why not."""
    def callback(value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            try:
                parse(item)
            except ValueError as exc:
                raise typer.BadParameter(str(exc)) from None
        return value
    return callback


# --- mc2 init ------------------------------------------------------------------------------

def init(
    deal: Annotated[str, typer.Argument(
        metavar="DEAL", help="The deal file to write. A folder gets deal.yaml inside it, and so "
                             "does a name that ends with '/' or that does not exist and does "
                             "not end in .yaml or .yml (the folder is created).")]
        = "deal.yaml",
    hdo: Annotated[str | None, typer.Option(metavar="NAME", help="The HDO's (buyer's) legal name.",
                                            callback=_checked(check_line))] = None,
    mdm: Annotated[str | None, typer.Option(metavar="NAME",
                                            help="The MDM's (manufacturer's) legal name.",
                                            callback=_checked(check_line))] = None,
    product: Annotated[list[str] | None, typer.Option(
        metavar="'NAME[; MODEL[; VERSION]]'",
        help="A covered product: 'Name', 'Name; Model' or 'Name; Model; Software version'. "
             "Repeat for several.", callback=_checked(parse_product))] = None,
    position: Annotated[PositionChoice, typer.Option(
        help="The default position of every clause.")] = PositionChoice.middle,
    reason: Annotated[str | None, typer.Option(
        metavar="TEXT", help="Why the position is not middle (needed with hdo or mdm).",
        callback=_checked(check_line))] = None,
    effective_date: Annotated[str | None, typer.Option(
        metavar="YYYY-MM-DD",
        help="The effective date. Default: 1 January of next year (of SOURCE_DATE_EPOCH when "
             "set).",
        callback=_checked(parse_date))] = None,
    governing_law: Annotated[str | None, typer.Option(
        metavar="TEXT", help=f"Whose law governs. Default: {DEFAULT_GOVERNING_LAW}.",
        callback=_checked(check_line))] = None,
    hdo_address: Annotated[str | None, typer.Option(metavar="TEXT",
                                                    help="The HDO's address, on one line.",
                                                    callback=_checked(check_line))] = None,
    mdm_address: Annotated[str | None, typer.Option(metavar="TEXT",
                                                    help="The MDM's address, on one line.",
                                                    callback=_checked(check_line))] = None,
    hdo_signatory: Annotated[str | None, typer.Option(
        metavar="'NAME, TITLE'", help="Who signs for the HDO.",
        callback=_checked(parse_signatory))] = None,
    mdm_signatory: Annotated[str | None, typer.Option(
        metavar="'NAME, TITLE'", help="Who signs for the MDM.",
        callback=_checked(parse_signatory))] = None,
    library: LibraryOpt = None,
    schema: Annotated[str | None, typer.Option(
        metavar="PATH-OR-URL",
        help=f"Path or URL for the '$schema' line. Default: {SCHEMA_FILE}, written beside "
             "the deal; with this option no schema file is written.",
        callback=_checked(check_line))] = None,
    interactive: Annotated[bool, typer.Option("--interactive", "-i",
                                              help="Ask for each answer.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing deal file.")]
        = False,
) -> None:
    """Write a commented starter deal; 'mc2 check' lists its '# edit:' placeholders."""
    flags = {"hdo": hdo, "mdm": mdm, "product": product, "position": position.value,
             "reason": reason, "effective_date": effective_date, "governing_law": governing_law,
             "hdo_address": hdo_address, "mdm_address": mdm_address,
             "hdo_signatory": hdo_signatory, "mdm_signatory": mdm_signatory, "schema": schema}

    def run() -> int:
        target = init_target(deal)
        _refuse_overwrite(target, force)
        layers = _layers(library)
        answers = _from_flags(flags, layers, target)
        if interactive:
            _ask(answers)
        elif answers.position != "middle" and not answers.reason:
            raise UsageError(f"--position {answers.position} departs from the Middle; "
                             "say why with --reason")
        written = write_starter(target, answers, layers, force=force)
        err.print(f"wrote {', '.join(shown(p) for p in written)}; replace each value marked "
                  "'# edit:' and delete the marker (mc2 check lists those left), then run: "
                  f"mc2 check --strict {shown(target)}", style="green",
                  markup=False)
        return 0
    guard(run)


def init_target(deal: str) -> Path:
    """The file `mc2 init DEAL` writes. DEAL is taken as a folder, to hold `deal.yaml`, when
    it is one, when it ends with a path separator (`deals/three/`: Path would drop the
    separator, so the text is looked at), or when it does not exist and has no `.yaml` or
    `.yml` suffix (`deals/three`), rather than written as a file of that name."""
    path = Path(deal)
    separators = tuple(sep for sep in (os.sep, os.altsep, "/") if sep)
    as_folder = (path.is_dir() or deal.endswith(separators)
                 or (not path.exists() and path.suffix.lower() not in (".yaml", ".yml")))
    target = path / "deal.yaml" if as_folder else path
    if target.name.startswith("."):
        raise UsageError(f"'{target.name}': a deal file name may not start with '.' (mc2 "
                         "skips hidden files when it looks for deals); name it like "
                         "deal.yaml")
    return target


def _refuse_overwrite(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise InputError([Problem(str(target), 1, 1, "already exists; mc2 init does not "
                                  "overwrite it", hint="pass --force to replace it, or name "
                                  "another file: mc2 init other-deal.yaml", rule="init")])


def _from_flags(flags: dict[str, Any], layers: list[Path] | None, target: Path) -> Answers:
    """Answers from the command line; `given` records which the user supplied."""
    answers = Answers(effective_date=default_effective_date(),
                      library=_library_spec(layers, target.parent))
    given = {k for k, v in flags.items() if v is not None}
    answers.given = given - {"product"} | ({"products"} if flags["product"] else set())
    for name in ("hdo", "mdm", "reason", "governing_law", "hdo_address", "mdm_address",
                 "schema"):
        if flags[name] is not None:
            setattr(answers, name, check_line(flags[name]))
    answers.position = flags["position"]
    if flags["product"]:
        answers.products = [parse_product(p) for p in flags["product"]]
    if flags["effective_date"]:
        answers.effective_date = parse_date(flags["effective_date"])
    for role in ("hdo", "mdm"):
        if flags[f"{role}_signatory"]:
            setattr(answers, f"{role}_signatory", parse_signatory(flags[f"{role}_signatory"]))
    return answers


def _library_spec(layers: list[Path] | None, folder: Path) -> list[str]:
    """The deal's `library:` for these layers, written relative to the deal's folder."""
    from mc2cli.paths import builtin_library_dir
    out = []
    for layer in layers or [builtin_library_dir()]:
        if layer == builtin_library_dir():
            out.append("builtin")
            continue
        rel = os.path.relpath(layer, folder.resolve())
        out.append(rel if rel.startswith("..") else f"./{rel}")
    return out


def _prompt(text: str, default: str | None, parse: Callable[[str], Any], *,
            required: str | None) -> str:
    """Ask until the answer parses. A refused answer is asked again after `Error:` and the
    reason: `required` for an empty one ('a name is required'), else the parser's message.
    An empty answer takes `default` when there is one; with `required` None it is accepted
    (as "", for optional answers).

    End of input (Ctrl-D, or a script's input running out) is a usage error (exit 2): an
    answer is missing, as an argument can be, and nothing is written. Ctrl-C is an
    interruption (exit 130). The prompt turns both into Abort; the exception it replaced,
    kept as its context, tells them apart."""
    def proc(value: str) -> str:
        if not value.strip():
            if required is None:
                return ""
            raise typer.BadParameter(required)
        try:
            parse(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        return value
    try:
        # default "" rather than None: the prompt passes an empty answer on to `proc`,
        # which says why it is refused, instead of asking again without a word
        answer: str = typer.prompt(text, default="" if default is None else default,
                                   value_proc=proc, show_default=bool(default))
    except typer.Abort as exc:
        typer.echo()  # end the line the prompt left open
        if isinstance(exc.__context__, EOFError):
            raise UsageError(f"no answer: nothing written (the input ended at '{text}')") \
                from None
        raise KeyboardInterrupt from None
    return answer


def _ask(a: Answers) -> None:
    """Interactive answers, each checked as it is typed; flags give the defaults, and so do
    the option defaults (`Health System`) where no flag was given. A default accepted as it
    stands keeps its `# edit:` mark."""
    for role, label in (("hdo", "HDO (the buyer)"), ("mdm", "MDM (the manufacturer)")):
        name = _prompt(f"{label}, legal name", getattr(a, role), check_line,
                       required="a name is required")
        address = _prompt(f"{role.upper()} address, on one line",
                          getattr(a, f"{role}_address"), check_line,
                          required="an address is required")
        sign = _prompt(f"{role.upper()} signatory, 'Name, Title'",
                       ", ".join(getattr(a, f"{role}_signatory")), parse_signatory,
                       required="a signatory is required, as 'Name, Title'")
        a.given |= {role} if check_line(name) != getattr(a, role) else set()
        setattr(a, role, check_line(name))
        setattr(a, f"{role}_address", check_line(address))
        setattr(a, f"{role}_signatory", parse_signatory(sign))
        a.given |= {f"{role}_address"} if address != DEFAULT_ADDRESS else set()
        a.given |= {f"{role}_signatory"} if parse_signatory(sign) != DEFAULT_SIGNATORY \
            else set()
    products = _ask_products(a.products if "products" in a.given else [])
    a.given |= {"products"} if products != Answers().products else set()
    a.products = products
    a.position = _position(_prompt("Default position (hdo, middle or mdm)", a.position,
                                   _position, required="a position is required: answer "
                                   "hdo, middle or mdm"))
    a.reason = None if a.position == "middle" else check_line(
        _prompt("Why not the Middle?", a.reason, check_line,
                required=f"a reason is required: position {a.position} departs from the "
                         "Middle"))
    date = _prompt("Effective date (YYYY-MM-DD)", a.effective_date.isoformat(), parse_date,
                   required="a date is required, written YYYY-MM-DD")
    law = _prompt("Governing law", a.governing_law, check_line,
                  required="the governing law is required")
    a.given |= {"effective_date"} if parse_date(date) != a.effective_date else set()
    a.given |= {"governing_law"} if check_line(law) != a.governing_law else set()
    a.effective_date, a.governing_law = parse_date(date), check_line(law)


def _position(value: str) -> Position:
    from mc2cli.inputs.models import POSITIONS
    from mc2cli.suggest import did_you_mean
    word = value.strip().lower()
    if word not in POSITIONS:
        raise ValueError(f"{value!r} is not a position; " + (
            did_you_mean(word, POSITIONS) or "answer hdo, middle or mdm"))
    return word


def _ask_products(products: list[Product]) -> list[Product]:
    """Products one per line, 'Name; Model; Software version'; the first defaults to
    `Medical Device`, and an empty line after it ends the list."""
    found = list(products)
    while True:
        if not found:
            text = _prompt("Product, 'Name; Model; Software version'", DEFAULT_PRODUCT,
                           parse_product, required="a product is required, as "
                           "'Name; Model; Software version'")
        else:
            text = _prompt("Another product (Enter to finish)", None, parse_product,
                           required=None)
            if not text.strip():
                return found
        found.append(parse_product(text))


def write_starter(target: Path, answers: Answers, layers: list[Path] | None, *,
                  force: bool) -> list[Path]:
    """Write the starter deal, checked in place first, and the repository's shared schema
    (written where it has none yet, refreshed where mc2 wrote it)."""
    import dataclasses

    from mc2cli.authoring.catalog import load_layers
    from mc2cli.authoring.schema import schema_json
    from mc2cli.authoring.starter import starter_text
    from mc2cli.output.write import publish
    lib = load_layers(layers)
    schema_path: Path | None = None
    if answers.schema == SCHEMA_FILE:
        schema_path = shared_schema(target.parent)
        if schema_path.exists() and not force and not _is_our_schema(schema_path):
            raise InputError([Problem(str(schema_path), 1, 1, "already exists and is not a "
                                      "schema mc2 wrote; mc2 init does not overwrite it",
                                      hint="pass --force, or --schema PATH-OR-URL to point "
                                      "the deal at another schema", rule="init")])
        rel = Path(os.path.relpath(schema_path, target.parent.resolve())).as_posix()
        answers = dataclasses.replace(answers, schema=rel)
    text = starter_text(lib, answers).encode()
    _check_in_place(target, text)
    written: list[Path] = []
    if schema_path is not None:  # new, or ours: brought up to date with this library
        written += publish(schema_path.parent, {schema_path.name:
                                                schema_json(lib).encode()}).values()
    return [*publish(target.parent, {target.name: text}).values(), *written]


def shared_schema(folder: Path) -> Path:
    """The repository's one deal schema: the nearest mc2-deal.schema.json from `folder` up to
    the top of its git work tree (or `folder` itself outside git); if there is none, where it
    goes: at that top."""
    start = folder.resolve()
    top = next((d for d in [start, *start.parents] if (d / ".git").exists()), None)
    chain = [start] if top is None else \
        [d for d in [start, *start.parents] if d.is_relative_to(top)]
    for d in chain:
        if (d / SCHEMA_FILE).is_file():
            return d / SCHEMA_FILE
    return (top or start) / SCHEMA_FILE


def _is_our_schema(path: Path) -> bool:
    from mc2cli.authoring.schema import TITLE
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("title") == TITLE)
    except (OSError, ValueError, AttributeError):
        return False


def _check_in_place(target: Path, text: bytes) -> None:
    """`mc2 check --strict` on the text, beside the target so relative library paths hold;
    only the placeholders it marks `# edit:` may remain (warnings a user clears by editing)."""
    from mc2cli.inputs.placeholders import RULE as PLACEHOLDER
    from mc2cli.pipeline import check
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".mc2-init-", suffix=".yaml", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write there: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        result = check(Path(name))
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
    if any(p.severity == "error" or p.rule != PLACEHOLDER for p in result.problems):
        raise InputError(result.problems)


# --- mc2 schema ----------------------------------------------------------------------------

def schema(
    library: LibraryOpt = None,
    deal: Annotated[Path | None, typer.Option(
        "--deal", help="Use this deal's library layers.")] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of the deal file for the active library."""
    def run() -> int:
        from mc2cli.authoring.catalog import library_and_deal
        from mc2cli.authoring.schema import schema_json
        lib, _model = library_and_deal(_layers(library), deal)
        sys.stdout.write(schema_json(lib))
        return 0
    guard(run)
