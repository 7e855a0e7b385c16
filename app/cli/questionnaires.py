"""`sipas questionnaires`: check the questionnaire files."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out
from app.core.config import get_settings
from app.questionnaires.catalog import Catalog, QuestionnaireError

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
        out.print(
            f"{q.slug} v{q.version}: {len(q.criteria)} criteria in {len(q.factors)} factors, "
            f"{len(q.questions)} questions ({', '.join(q.languages)}) ok",
            highlight=False,
        )
