"""`sipas questionnaires`: check the questionnaire files."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out
from app.core.config import get_settings
from app.questionnaires.catalog import Catalog, QuestionnaireError
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
    for m in catalog.mappings():
        (a, va), (b, vb) = m.ends
        exact = sum(p.match == "exact" for p in m.model.pairs)
        left = [
            sum(len(u.codes) for u in side)
            for side in (m.model.unmatched.from_, m.model.unmatched.to)
        ]
        out.print(
            f"mapping {a} v{va} → {b} v{vb} ({m.source.name}): {len(m.model.pairs)} "
            f"corresponding indicators ({exact} exact, {len(m.model.pairs) - exact} "
            f"approximate); without counterpart: {left[0]} of {a}, {left[1]} of {b}; ok",
            highlight=False,
        )
