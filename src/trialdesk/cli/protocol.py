"""``trialdesk protocol …``: compile a registry record into a protocol, review its gaps, export, correct, load.

The first time a stored study's protocol is asked for, it is compiled from the study's current record and stored
as protocol version 1; ``protocol load`` stores a corrected file as the next version. Every version is kept.

Example (shell):
    $ trialdesk protocol review NCT06242405          # lists the missing dose, with the text that was tried
    $ trialdesk protocol export NCT06242405 > study.yaml
    $ trialdesk protocol load study.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from trialdesk.app import App, current_actor, open_app
from trialdesk.errors import InvalidInputError, NotFoundError, RecordError
from trialdesk.exchange.protocol_file import export_json, export_yaml, load_json, load_yaml
from trialdesk.protocol.model import Protocol, can_activate, list_gaps
from trialdesk.registry.compiler import compile_protocol
from trialdesk.registry.importing import relax_garbage_collection
from trialdesk.registry.reader import read_record_bytes
from trialdesk.registry.record import RegistryRecord, SourceInfo, validate_study
from trialdesk.storage.protocols import StoredProtocol

console = Console()
err_console = Console(stderr=True)
_PROGRESS_FROM = 50  # studies: fewer compile in well under a second, with no bar
protocol_app = typer.Typer(help="The executable protocol compiled from a registry record.", no_args_is_help=True)
DatabaseOption = Annotated[
    str | None, typer.Option("--database", envvar="TRIALDESK_DATABASE_URL", help="Database URL.", show_envvar=True)
]
FormatOption = Annotated[str, typer.Option("--format", help="yaml or json")]


def ensure_protocol(app: App, nct_id: str, version: int | None = None) -> StoredProtocol:
    """The stored protocol of a study; compiled from its current record and stored first if there is none yet."""
    try:
        return app.protocols.get_protocol(nct_id, version)
    except NotFoundError:
        if version is not None or app.protocols.list_versions(nct_id):
            raise
    stored = app.store.get_study(nct_id)
    record = RegistryRecord(
        validate_study(stored.record),
        SourceInfo(shape=str(stored.source.get("shape", "")), location=str(stored.source.get("location", ""))),
    )
    app.protocols.save_protocol(
        compile_protocol(record),
        origin="compiled",
        record_version=stored.version,
        actor=current_actor(),
        reason=f"compiled from registry record version {stored.version}",
    )
    return app.protocols.get_protocol(nct_id)


def _print_review(protocol: Protocol, heading: str) -> None:
    gaps = list_gaps(protocol)
    console.print(Text(heading, style="bold"))
    if not gaps:
        console.print("Nothing missing or defaulted.")
    for gap in gaps:
        label = "MISSING (required)" if gap.required else ("missing" if gap.source == "missing" else "default")
        line = f"{label:<19} {gap.path}"
        if gap.rule:
            line += f" — {gap.rule}"
        console.print(Text(line, style="red" if gap.required else "yellow" if gap.source == "missing" else ""))
        if gap.text:
            flat = " ".join(gap.text.split())
            shown = flat if len(flat) <= 200 else flat[:197] + "..."
            console.print(Text(f"{'':<19} text tried: “{shown}”", style="dim"))
    required = sum(1 for g in gaps if g.required)
    verdict = (
        "yes" if can_activate(protocol) else f"no ({required} required value{'s' if required != 1 else ''} missing)"
    )
    console.print(Text(f"can be activated: {verdict}", style="bold"))


@protocol_app.command("compile")
def compile_command(
    path: Annotated[Path, typer.Argument(help="A registry record file (any shape trialdesk reads).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the protocol as JSON.")] = False,
) -> None:
    """Compile a record file into a protocol without storing anything (a file of several studies gives one each).

    With --json one study prints its protocol as a JSON object, several print a JSON array in file order. A study
    that cannot be read is named on stderr, one line each, after the others are compiled; the exit status is then 1.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc.strerror})") from None
    results = list(read_record_bytes(data, location=str(path)))
    records = [result for result in results if isinstance(result, RegistryRecord)]
    unreadable = [result for result in results if isinstance(result, RecordError)]
    if not records:
        raise unreadable[0]
    array = as_json and len(records) > 1
    with Progress(
        TextColumn("compiling"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        redirect_stdout=False,  # the protocols go to stdout as they are; the bar only while that is not the screen
        redirect_stderr=False,
        disable=not err_console.is_terminal or sys.stdout.isatty() or len(records) < _PROGRESS_FROM,
    ) as progress:
        task = progress.add_task("compile", total=len(records))
        # each protocol is written, then dropped (memory stays flat); the records read stay alive, so the GC is
        # relaxed as an import does
        with relax_garbage_collection():
            for index, record in enumerate(records):
                protocol = compile_protocol(record)
                if array:  # the array orjson would write: each export_json document indented two more spaces
                    lines = export_json(protocol).rstrip("\n").split("\n")  # JSON text holds no raw newline
                    sys.stdout.write(("[\n" if index == 0 else ",\n") + "\n".join("  " + line for line in lines))
                elif as_json:
                    sys.stdout.write(export_json(protocol))
                else:
                    _print_review(protocol, f"{protocol.nct_id} · {protocol.title}")
                progress.advance(task)
    if array:
        sys.stdout.write("\n]\n")
    if unreadable:
        for error in unreadable:
            err_console.print(Text(f"not compiled: {error}"), soft_wrap=True)
        raise RecordError(f"{len(unreadable)} of {len(results)} studies in {path} could not be read (named above)")


@protocol_app.command("review")
def review_command(nct_id: Annotated[str, typer.Argument(help="NCT ID")], database: DatabaseOption = None) -> None:
    """List every missing or defaulted value of the study's protocol, with the text that was tried."""
    stored = ensure_protocol(open_app(database), nct_id)
    _print_review(stored.protocol, f"{stored.nct_id} protocol version {stored.version} ({stored.origin})")


@protocol_app.command("export")
def export_command(
    nct_id: Annotated[str, typer.Argument(help="NCT ID")],
    fmt: FormatOption = "yaml",
    version: Annotated[int | None, typer.Option(help="A stored protocol version (default: the newest).")] = None,
    database: DatabaseOption = None,
) -> None:
    """Write the protocol as a commented YAML file a person can correct (or JSON)."""
    if fmt not in ("yaml", "json"):
        raise InvalidInputError(f"--format '{fmt}': use yaml or json")
    stored = ensure_protocol(open_app(database), nct_id, version)
    sys.stdout.write(export_yaml(stored.protocol) if fmt == "yaml" else export_json(stored.protocol))


@protocol_app.command("load")
def load_command(
    path: Annotated[Path, typer.Argument(help="A protocol file written by `protocol export` and corrected.")],
    database: DatabaseOption = None,
) -> None:
    """Validate a protocol file and store it as the study's next protocol version."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc})") from None
    is_json = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    protocol = load_json(text, source=str(path)) if is_json else load_yaml(text, source=str(path))
    app = open_app(database)
    version, written = app.protocols.save_protocol(
        protocol, origin="loaded", record_version=None, actor=current_actor(), reason=f"loaded from {path}"
    )
    if written:
        console.print(f"stored {protocol.nct_id} protocol version {version} from {path}")
    else:
        console.print(f"{path} is identical to {protocol.nct_id} protocol version {version}: nothing stored")


@protocol_app.command("show")
def show_command(
    nct_id: Annotated[str, typer.Argument(help="NCT ID")],
    version: Annotated[int | None, typer.Option(help="A stored protocol version (default: the newest).")] = None,
    database: DatabaseOption = None,
) -> None:
    """Print the schedule of assessments: visits across, forms down."""
    stored = ensure_protocol(open_app(database), nct_id, version)
    visits = stored.protocol.schedule
    if not visits:
        console.print(f"{stored.nct_id} protocol version {stored.version} has no visit schedule yet.")
        return
    forms = sorted({form for visit in visits for form in visit.forms})
    table = Table(title=f"{stored.nct_id} schedule of assessments (protocol v{stored.version})", header_style="bold")
    table.add_column("form")
    for visit in visits:
        window = f"±{visit.window_after}" if visit.window_before == visit.window_after and visit.window_after else ""
        table.add_column(f"{visit.code}\n{visit.label}\nday {visit.day}{window}\n{visit.anchor}", justify="center")
    for form in forms:
        table.add_row(form, *["●" if form in visit.forms else "" for visit in visits])
    console.print(table)
