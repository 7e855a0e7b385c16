"""`sipas questionnaires`: check, export and import questionnaires."""

from pathlib import Path
from typing import Annotated, Literal

import typer

import app.models_registry  # noqa: F401  (the uploaded row refers to table account)
from app.cli.common import fail, out, read_file
from app.core.config import get_settings
from app.questionnaires import authoring
from app.questionnaires.authoring_text import describe
from app.questionnaires.catalog import Catalog, QuestionnaireError, get_catalog, sync_uploaded
from app.reporting.figures import indicator_counts

questionnaires_cli = typer.Typer(help="Questionnaire files.", no_args_is_help=True)


@questionnaires_cli.command("check")
def questionnaires_check(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder of <slug>/v<N>.yaml files.")
    ] = None,
) -> None:
    """Validate every questionnaire file and list the versions found."""
    try:
        catalog = Catalog.load(directory or get_settings().QUESTIONNAIRE_DIR)
    except QuestionnaireError as exc:
        fail(exc)
    for q in catalog:
        counts = q.tree.counts()
        shape = (
            f"{len(q.criteria)} criteria in {len(q.factors)} factors"
            if q.factors
            else f"{counts['items']} scored items"
        )
        how = "declared" if q.declares_tree else "derived from the factors"
        blocks = indicator_counts(q)
        out.print(
            f"{q.slug} v{q.version}: {shape}, index tree of {counts['items']} items and "
            f"{counts['nodes']} nodes ({how}), {len(q.questions)} questions "
            f"({', '.join(q.languages)}); indicators: {counts['items'] + counts['nodes']} "
            f"satisfaction, {blocks['perception'][0]} perception ({blocks['perception'][1]} "
            f"rates), {blocks['expectations'][0]} expectation ({blocks['expectations'][1]} "
            "rates); ok",
            highlight=False,
        )


@questionnaires_cli.command("export")
def questionnaires_export(
    slug: str,
    version: int,
    format: Annotated[
        Literal["xlsform", "yaml"], typer.Option("--format", help="xlsform (.xlsx) or yaml.")
    ] = "xlsform",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
) -> None:
    """Write one questionnaire version (a file or an uploaded one) as XLSForm or YAML."""
    from app.core.db import session_scope

    with session_scope() as session:
        sync_uploaded(session.connection(), force=True)
    q = get_catalog().get(slug, version)
    if q is None:
        fail(QuestionnaireError(f"no questionnaire {slug!r} version {version}"))
    body, _media, name = authoring.export(q, format)
    path = output or Path(name)
    path.write_bytes(body)
    out.print(f"{slug} v{version} written to {path} ({len(body)} bytes)", highlight=False)


@questionnaires_cli.command("import")
def questionnaires_import(
    file: Annotated[Path, typer.Argument(help="An XLSForm (.xlsx) or YAML questionnaire.")],
    lang: Annotated[str, typer.Option(help="Language of the messages: vi or en.")] = "en",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only.")] = False,
) -> None:
    """Check a questionnaire and save it as the next version of its slug (never
    overwriting one); a file with mistakes is refused, naming sheet, row and column."""
    from app.core.db import session_scope

    data = read_file(file)
    with session_scope() as session:
        sync_uploaded(session.connection(), force=True)
        checked = authoring.check(session, get_catalog(), data, file.name)
        if not checked.ok:
            lines = "\n".join(f"  {describe(p, lang)}" for p in checked.problems)
            fail(QuestionnaireError(f"{file}: refused, nothing saved:\n{lines}"))
        assert checked.model is not None
        if dry_run:
            out.print(f"{file}: ok, would be {checked.model.slug} v{checked.model.version}")
            return
        authoring.save(session, checked, data, None)
    out.print(f"{file}: saved as {checked.model.slug} v{checked.model.version}", highlight=False)
