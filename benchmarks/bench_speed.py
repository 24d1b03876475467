"""Every speed figure of issue 16, each as a ratio to its baseline measured in the same run.

    python benchmarks/bench_speed.py [--runs N] [--deals N] [--skip-scale | --only-scale]
                                     [--cicero PATH]

Each row times mc2 and its baseline side by side (medians of --runs runs, alternating), and
prints the ratio next to the target. Wall time is what users feel; CPU time (user + system,
converters included) is printed too, because on a busy machine it moves less. mc2 runs as an
installed mc2 does: with bytecode written once and read afterwards, and with its
compiled-library cache in a fresh folder of the run (warmed first, except in the rows marked
cold, which run with MC2_NO_CACHE=1).

Baselines: `python -c "import typer"` (the floor of any typer program); pandoc alone with the
arguments any converter needs (reader, writer, reference document), one process per file;
`mc2 check` for `build -t md`. The Accord Project comparison runs when `cicero` (the
@accordproject/cicero-cli package from npm) is given with --cicero or found on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEAL = ROOT / "examples" / "lakeside-infusion" / "deal.yaml"
# What a check cannot do without: the core dependencies it runs on (and typer's pydantic
# coercion of options), none of mc2's own code.
CHECK_IMPORTS = "import typer, typer._adapters, pydantic, jinja2.sandbox, yaml, rich.console"


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mib: float


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def _spawn(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{errors.decode(errors='replace')}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _parallel(chains: list[list[list[str]]], env: dict[str, str], workers: int) -> Run:
    """Chains of commands (each run in order), `workers` chains at a time."""
    def chain(cmds: list[list[str]]) -> Run:
        runs = [_spawn(c, env) for c in cmds]
        return Run(0, sum(r.cpu for r in runs), max(r.rss_mib for r in runs))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(chain, chains))
    return Run(time.perf_counter() - start, sum(r.cpu for r in runs),
               max(r.rss_mib for r in runs))


@dataclass
class Row:
    what: str
    mc2: Run
    base: Run
    base_label: str
    target: float | None  # the ratio must be at most this; None: reported only
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        return self.mc2.wall / self.base.wall

    @property
    def cpu_ratio(self) -> float:
        return self.mc2.cpu / self.base.cpu if self.base.cpu else float("nan")


def _in_process(work: Callable[[], object]) -> Run:
    """`work` timed in this process: its own CPU and its converters'."""
    import resource
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start, own = time.perf_counter(), time.process_time()
    work()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
           + time.process_time() - own)
    return Run(time.perf_counter() - start, cpu, after.ru_maxrss / 1024)


def _median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.rss_mib for r in runs))


def _side_by_side(a: Callable[[], Run], b: Callable[[], Run], runs: int) -> tuple[Run, Run]:
    a(), b()  # warm: bytecode, page cache, mc2's library cache
    ra, rb = [], []
    for _ in range(runs):
        ra.append(a())
        rb.append(b())
    return _median(ra), _median(rb)


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        self.env = _env(MC2_CACHE_DIR=str(tmp / "cache"))
        self.cold = _env(MC2_NO_CACHE="1")
        here = Path(sys.executable).parent
        found = here / "mc2" if (here / "mc2").exists() else shutil.which("mc2")
        self.mc2 = [str(found)] if found else [sys.executable, "-m", "mc2cli"]
        from mc2cli.output.convert import READER, pandoc_path
        from mc2cli.paths import templates_dir
        self.pandoc = [str(pandoc_path()), "--sandbox", "-f", READER]
        self.templates = templates_dir()
        self.rows: list[Row] = []
        self.notes: list[str] = []
        built = tmp / "md"
        self.run_mc2(["build", str(DEAL), "-o", str(built), "-t", "md"])
        self.contract, self.notes_md = built / "contract.md", built / "notes.md"

    def run_mc2(self, args: list[str], env: dict[str, str] | None = None) -> Run:
        return _spawn([*self.mc2, *args], env or self.env)

    def pandoc_to(self, source: Path, fmt: str) -> list[list[str]]:
        out = self.tmp / f"p-{source.stem}.{fmt}"
        if fmt == "docx":
            return [[*self.pandoc, "-t", "docx", "--reference-doc",
                     str(self.templates / "reference.docx"), "-o", str(out), str(source)]]
        if fmt == "html":
            return [[*self.pandoc, "-t", "html5", "--standalone", "--template",
                     str(self.templates / "contract.html"), "-o", str(out), str(source)]]
        typ = self.tmp / f"p-{source.stem}.typ"
        typst = Path(sys.executable).parent / "typst"
        compile_typ = ([str(typst), "compile", str(typ), str(out)] if typst.exists() else
                       [sys.executable, "-c", "import sys, typst; typst.compile(sys.argv[1], "
                        "output=sys.argv[2])", str(typ), str(out)])
        return [[*self.pandoc, "-t", "typst", "--standalone", "--template",
                 str(self.templates / "contract.typ"), "-o", str(typ), str(source)], compile_typ]

    def add(self, what: str, mc2: Callable[[], Run], base: Callable[[], Run], base_label: str,
            target: float | None, runs: int | None = None) -> Row:
        m, b = _side_by_side(mc2, base, runs or self.args.runs)
        row = Row(what, m, b, base_label, target)
        self.rows.append(row)
        _progress(row)
        return row

    # --- the rows ------------------------------------------------------------------------------
    def startup(self) -> None:
        def typer() -> Run:
            return _spawn([sys.executable, "-c", "import typer"], self.env)
        self.typer = typer
        self.add("mc2 --version", lambda: self.run_mc2(["--version"]), typer,
                 "import typer", 1.5)
        self.add("mc2 --help", lambda: self.run_mc2(["--help"]), typer, "import typer", 1.5)
        self.check_row = self.add("mc2 check Lakeside", lambda: self.run_mc2(
            ["check", str(DEAL)]), typer, "import typer", 3.0)
        # The floor under the check target: importing the libraries a check runs on (the
        # project's core dependencies, and typer's pydantic coercion of options) and nothing
        # of mc2's own. A check can be no faster than this.
        self.add("floor: the imports a check needs, nothing else", lambda: _spawn(
            [sys.executable, "-c", CHECK_IMPORTS], self.env), typer, "import typer", None)
        self.add("mc2 check Lakeside, cache off (cold)", lambda: self.run_mc2(
            ["check", str(DEAL)], self.cold), typer, "import typer", None)

    def builds(self) -> None:
        out = str(self.tmp / "out")
        check = lambda: self.run_mc2(["check", str(DEAL)])  # noqa: E731
        self.add("mc2 build -t md", lambda: self.run_mc2(["build", str(DEAL), "-o", out, "-t",
                                                          "md"]), check, "mc2 check", 1.2)
        contract_docx = self.pandoc_to(self.contract, "docx")
        self.add("mc2 build -t docx", lambda: self.run_mc2(
            ["build", str(DEAL), "-o", out, "-t", "docx"]),
            lambda: _parallel([contract_docx], self.env, 1), "pandoc: contract docx", 1.3)
        alone = lambda: _parallel([contract_docx], self.env, 1)  # noqa: E731
        # The floors under the DOCX rows: what a build cannot avoid (a check's imports, then
        # the conversion), and mc2's conversion itself (its Lua filters for Word numbering and
        # cross-references, then the DOCX post-processing) against plain pandoc.
        self.add("floor: a check's imports, then pandoc", lambda: _parallel(
            [[[sys.executable, "-c", CHECK_IMPORTS], *contract_docx]], self.env, 1), alone,
            "pandoc: contract docx", None)
        self.add("mc2's DOCX conversion alone (in-process)", self.conversion, alone,
                 "pandoc: contract docx", None)
        both = [*contract_docx, *self.pandoc_to(self.notes_md, "docx")]
        self.add("mc2 build -t docx --notes", lambda: self.run_mc2(
            ["build", str(DEAL), "-o", out, "-t", "docx", "--notes"]),
            lambda: _parallel([[c] for c in both], self.env, 2),
            "pandoc: contract + notes docx, in parallel", 1.3)
        chains = [self.pandoc_to(self.contract, f) for f in ("docx", "html", "pdf")]
        self.add("mc2 build, all formats", lambda: self.run_mc2(
            ["build", str(DEAL), "-o", out]), lambda: _parallel(chains, self.env, 3),
            "every converter, in parallel", 1.3)

    def conversion(self) -> Run:
        """What `mc2 build -t docx` converts, timed in this process: pandoc with mc2's
        filters, reference document and structure, then the DOCX post-processing."""
        from mc2cli.output.convert import convert
        from mc2cli.output.document import to_markdown
        from mc2cli.output.structure import layout_for, structure_json
        from mc2cli.pipeline import check
        if not hasattr(self, "_converted"):
            os.environ["MC2_CACHE_DIR"] = self.env["MC2_CACHE_DIR"]
            contract = check(DEAL).contract
            assert contract is not None
            self._converted = (to_markdown(contract), structure_json(contract),
                               layout_for(contract, None))
        markdown, structure, layout = self._converted
        return _in_process(lambda: convert(markdown, "docx", structure=structure,
                                           layout=layout))

    def redline_conversion(self, new: Path) -> Run:
        """What `mc2 diff --redline` converts, timed in this process: the redline's Markdown
        (deleted text beside inserted) as tracked changes."""
        from mc2cli.review.diff import diff_files
        from mc2cli.review.redline import redline_docx, redline_markdown
        if not hasattr(self, "_redline"):
            os.environ["MC2_CACHE_DIR"] = self.env["MC2_CACHE_DIR"]
            self._redline = diff_files(DEAL, new)
            size = len(redline_markdown(self._redline)) / self.contract.stat().st_size
            self.notes.append(f"The redline's Markdown is {size:.1f} times the contract's.")
        return _in_process(lambda: redline_docx(self._redline))

    def redline(self) -> None:
        new = self.tmp / "newer" / "deal.yaml"
        new.parent.mkdir()
        text = DEAL.read_text(encoding="utf-8")
        new.write_text(text.replace("position: middle", "position: hdo", 1)
                       .replace("reference: MSA-2026-117", "reference: MSA-2026-118"),
                       encoding="utf-8")
        target = str(self.tmp / "redline.docx")
        self.add("mc2 diff --redline", lambda: self.run_mc2(
            ["diff", str(DEAL), str(new), "--redline", target]),
            lambda: _parallel([self.pandoc_to(self.contract, "docx")], self.env, 1),
            "pandoc: contract docx", 3.0)
        self.add("the redline's conversion alone (in-process)",
                 lambda: self.redline_conversion(new),
                 lambda: _parallel([self.pandoc_to(self.contract, "docx")], self.env, 1),
                 "pandoc: contract docx", None)

    def batch(self) -> None:
        n = self.args.deals
        folder = self.tmp / "batch"
        folder.mkdir()
        source = DEAL.read_text(encoding="utf-8")
        for i in range(n):
            (folder / f"deal-{i:03d}.yaml").write_text(
                source.replace("reference: MSA-2026-117", f"reference: MSA-{i:05d}"),
                encoding="utf-8")
        out = str(self.tmp / "batch-out")
        chains = [self.pandoc_to(self.contract, "docx") for _ in range(n)]
        runs = max(1, min(self.args.runs, 3))
        row = self.add(f"batch {n} deals -j 2 -t docx", lambda: self.run_mc2(
            ["build", str(folder), "-j", "2", "-t", "docx", "-o", out]),
            lambda: _parallel(chains, self.env, 2), f"pandoc: the {n} contracts, 2 at a time",
            1.5, runs)
        sample = min(n, 10)
        deals = sorted(folder.glob("deal-*.yaml"))[:sample]

        def separate() -> Run:
            found = [self.run_mc2(["build", str(d), "-t", "docx", "-o", out + "-1"])
                     for d in deals]
            scale = n / sample
            return Run(sum(r.wall for r in found) * scale, sum(r.cpu for r in found) * scale,
                       max(r.rss_mib for r in found))
        single = separate()
        self.rows.append(Row(f"batch vs {n} separate mc2 build -t docx", row.mc2, single,
                             f"{n} separate builds, one at a time"
                             + (f" (from {sample})" if sample < n else ""), None))
        _progress(self.rows[-1])

    def scale(self) -> None:
        """A check of 10x the clauses against a check of the built-in library; a check of
        10,000+ clauses against `import typer` (target: cached <= 100x and < 250 MiB). Cold
        means the cache off (MC2_NO_CACHE=1): everything read, linted and compiled."""
        big = self.tmp / "lib-10x"
        huge = self.tmp / "lib-10000"
        clauses = replicate(big, 10)
        replicate(huge, -(-10_000 // clauses))
        runs = max(1, min(3, self.args.runs))
        typer = _median([self.typer() for _ in range(runs)])
        if not hasattr(self, "check_row"):  # --only-scale
            self.run_mc2(["check", str(DEAL)])
        base = (self.check_row.mc2 if hasattr(self, "check_row") else
                _median([self.run_mc2(["check", str(DEAL)]) for _ in range(runs)]))
        for lib, what, target, label in (
                (big, "check, 10x the clauses (distinct texts)", 10.0, "check Lakeside"),
                (huge, "check, 10,000+ clauses", 100.0, "import typer")):
            deal = lib.parent / f"{lib.name}.yaml"
            deal.write_text(DEAL.read_text(encoding="utf-8").replace(
                "library: builtin", f"library: {lib.name}"), encoding="utf-8")
            n = runs if lib is big else 1
            cold = [self.run_mc2(["check", str(deal)], self.cold) for _ in range(n)]
            cold_base = [self.run_mc2(["check", str(DEAL)], self.cold) for _ in range(n)]
            reference = _median(cold_base) if lib is big else typer
            self.rows.append(Row(f"{what}, cold", _median(cold), reference,
                                 f"{label}" + (", cold" if lib is big else ""),
                                 target if lib is big else None))
            self.run_mc2(["check", str(deal)])
            warm = _median([self.run_mc2(["check", str(deal)]) for _ in range(runs)])
            self.rows.append(Row(f"{what}, cached", warm, base if lib is big else typer,
                                 label, None if lib is big else target))
            if lib is huge:
                self.notes.append(f"10,000+ clauses, cached: peak {warm.rss_mib:.0f} MiB "
                                  f"(target < 250 MiB: {'ok' if warm.rss_mib < 250 else 'MISS'})")
            _progress(*self.rows[-2:])

    def cicero(self) -> None:
        found = self.args.cicero or shutil.which("cicero")
        cicero = str(Path(found).resolve()) if found else None
        if not cicero:
            self.notes.append("Accord Project: skipped (no cicero; give --cicero PATH to "
                              "the @accordproject/cicero-cli binary)")
            return
        # The template that ships with cicero-cli's tests: one clause, its models stored
        # beside it (a template of our own would import models from the web).
        template = Path(self.args.cicero_template or Path(cicero).resolve().parent / "test" /
                        "data" / "latedeliveryandpenalty")
        if not (template / "data.json").is_file():
            self.notes.append(f"Accord Project: skipped (no template with data.json at "
                              f"{template}; give one with --cicero-template)")
            return
        # cwd: cicero writes log/trace.log into the folder it runs in
        draft = [cicero, "draft", "--template", str(template), "--data",
                 str(template / "data.json")]
        m, b = _side_by_side(lambda: self.run_mc2(["build", str(DEAL), "-o",
                                                   str(self.tmp / "c"), "-t", "md"]),
                             lambda: _spawn(draft, self.env, self.tmp), self.args.runs)
        self.rows.append(Row("mc2 build -t md (88 clauses) vs cicero draft (1)", m, b,
                             "cicero draft", 0.2))
        _progress(self.rows[-1])
        self.notes.append(f"Accord Project: mc2 build -t md of the whole Lakeside contract is "
                          f"{b.wall / m.wall:.1f}x faster than cicero draft of its one-clause "
                          f"sample template (target >= 5x, i.e. ratio <= 0.2x)")

    def report(self) -> None:
        print(f"\n{'what':48} {'mc2 s':>7} {'base s':>7} {'ratio':>7} {'cpu':>6} "
              f"{'target':>7}  {'MiB':>5}  baseline")
        for r in self.rows:
            target = f"<={r.target:g}x" if r.target else "-"
            ok = "" if r.target is None else (" ok" if r.ratio <= r.target else " MISS")
            print(f"{r.what:48} {r.mc2.wall:7.3f} {r.base.wall:7.3f} {r.ratio:6.2f}x "
                  f"{r.cpu_ratio:5.2f}x {target:>7}{ok:5} {r.mc2.rss_mib:5.0f}  {r.base_label}")
        for note in self.notes:
            print(note)


def _progress(*rows: Row) -> None:
    """Each figure as soon as it is measured (the table follows at the end)."""
    for r in rows:
        print(f"  {r.what}: {r.mc2.wall:.3f} s vs {r.base.wall:.3f} s ({r.base_label}): "
              f"{r.ratio:.2f}x, cpu {r.cpu_ratio:.2f}x, {r.mc2.rss_mib:.0f} MiB",
              file=sys.stderr, flush=True)


def replicate(target: Path, copies: int) -> int:
    """The built-in library with each clause `copies` times (distinct ids and texts); the
    number of clauses in one copy."""
    source = ROOT / "clauses"
    shutil.copytree(source, target)
    count = 0
    for path in [*sorted(target.glob("[0-9][0-9]-*.yaml")), target / "general.yaml"]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        originals = data["clauses"]
        count += len(originals)
        out = list(originals)
        for k in range(1, copies):
            for clause in originals:
                copy = dict(clause, id=f"{clause['id']}-v{k}")
                copy["positions"] = {
                    pos: (f"{text.rstrip()} (Variant {k}.)\n" if isinstance(text, str) else text)
                    for pos, text in clause["positions"].items()}
                out.append(copy)
        data["clauses"] = out
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                       width=1000), encoding="utf-8")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--deals", type=int, default=200, help="deals in the batch rows")
    parser.add_argument("--skip-scale", action="store_true",
                        help="leave out the 10x and 10,000-clause checks (minutes)")
    parser.add_argument("--only-scale", action="store_true",
                        help="only the 10x and 10,000-clause checks")
    parser.add_argument("--cicero", help="the cicero binary of @accordproject/cicero-cli")
    parser.add_argument("--cicero-template", help="a cicero template folder with data.json "
                        "(default: the one in cicero-cli's own tests)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mc2-bench-") as name:
        bench = Bench(args, Path(name))
        print(f"{os.cpu_count()} cores; {args.runs} runs per figure", file=sys.stderr)
        if args.only_scale:
            bench.typer = lambda: _spawn([sys.executable, "-c", "import typer"], bench.env)
        else:
            bench.startup()
            bench.builds()
            bench.redline()
            bench.batch()
        if not args.skip_scale:
            bench.scale()
        if not args.only_scale:
            bench.cicero()
        bench.report()


if __name__ == "__main__":
    main()
