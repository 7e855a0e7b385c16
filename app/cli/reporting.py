"""`sipas report`: a campaign's indices in the terminal, as CSV or JSON."""

from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.console import Console

from app.cli.common import fail, out
from app.core.db import session_scope
from app.core.errors import AppError
from app.questionnaires.catalog import QuestionnaireError, get_catalog


def report(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    level: Annotated[str | None, typer.Option(help="Unit kind to list, e.g. department.")] = None,
    parent: Annotated[str | None, typer.Option(help="List the units under this unit code.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    scoring: Annotated[str | None, typer.Option(help="top2box, mean20 or rescaled.")] = None,
) -> None:
    """Print a campaign's indices per unit (SIPAS, factors, n, rank), or write CSV/JSON."""
    from app.reporting import indices

    if output_format not in ("table", "csv", "json"):
        fail(ValueError(f"--format: {output_format!r} is not one of table, csv, json"))
    if scoring not in (None, "top2box", "mean20", "rescaled"):
        fail(ValueError(f"--scoring: {scoring!r} is not one of top2box, mean20, rescaled"))
    try:
        with session_scope() as session:
            result = indices.report(
                session,
                get_catalog(),
                campaign,
                level=level,
                parent=parent,
                scoring=cast(indices.Rule | None, scoring),
            )
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    if output_format == "table":
        text = _table(result.body)
    elif output_format == "csv":
        text = indices.to_csv(result.body)
    else:
        text = result.json().decode()
    if output is None:
        out.print(text, highlight=False, markup=False, soft_wrap=True)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")


def _table(body: dict[str, Any]) -> str:
    from rich.table import Table

    def pct(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    factor_codes = list(body["median"]["factors"])
    table = Table(title=f"{body['campaign']}: SIPAS ({body['scoring']}), {body['n']} responses")
    for col in ["Rank", "Unit", "Name", "n", "SIPAS", "95% CI", *factor_codes, "Flags"]:
        table.add_column(col, justify="right" if col not in ("Unit", "Name", "Flags") else "left")
    for e in sorted(body["units"], key=lambda e: (e["rank"] is None, e["rank"] or 0, e["unit"])):
        ci = e["sipas"]["ci"]
        table.add_row(
            str(e["rank"] or "–"),
            e["unit"],
            e["name"],
            str(e["n"]),
            pct(e["sipas"]["value"]),
            f"{ci[0]:.1f}–{ci[1]:.1f}" if ci else "",
            *(pct(e["factors"][c]["value"]) for c in factor_codes),
            ", ".join(e["flags"]),
        )
    med = body["median"]
    table.add_row(
        "",
        "median",
        "",
        "",
        pct(med["sipas"]),
        "",
        *(pct(med["factors"][c]) for c in factor_codes),
        "",
    )
    import io

    buffer = io.StringIO()
    Console(file=buffer, width=200).print(table)
    return buffer.getvalue()
