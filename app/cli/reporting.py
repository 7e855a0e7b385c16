"""`sipas report`: a campaign's indices in the terminal, as CSV, JSON, a workbook or
the printed report (PDF)."""

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
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="table, csv (tidy, one row per indicator), wide (the ranking table, "
            "UTF-8 with BOM, for Excel), json, xlsx (an Excel workbook) or pdf (the "
            "printed report); xlsx and pdf need -o.",
        ),
    ] = "table",
    lang: Annotated[str, typer.Option(help="Language of wide, xlsx and pdf: vi or en.")] = "vi",
    sep: Annotated[str, typer.Option(help="Separator of wide: , or ; (Vietnamese Excel).")] = ",",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    scoring: Annotated[str | None, typer.Option(help="top2box, mean20 or rescaled.")] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="Previous campaign code: adds the change in points and rank."),
    ] = None,
    aggregate: Annotated[
        str | None,
        typer.Option(
            help="pooled, mean_of_units or weighted (the campaign's overall figure weighted "
            "by its scope units' dossier counts); default: the campaign's setting."
        ),
    ] = None,
) -> None:
    """Print a campaign's indices per unit (SIPAS, factors, n, rank), or write CSV, JSON or
    an Excel workbook."""
    from app.campaigns.service import get_campaign, questionnaire_of
    from app.core.config import get_settings
    from app.reporting import indices, workbook

    formats = ("table", "csv", "wide", "json", "xlsx", "pdf")
    if output_format not in formats:
        fail(ValueError(f"--format: {output_format!r} is not one of {', '.join(formats)}"))
    if output_format in ("xlsx", "pdf") and output is None:
        fail(
            ValueError(
                f"--format {output_format} writes a file: give it with -o FILE.{output_format}"
            )
        )
    if lang not in ("vi", "en"):
        fail(ValueError(f"--lang: {lang!r} is not one of vi, en"))
    if sep not in (",", ";"):
        fail(ValueError(f"--sep: {sep!r} is not one of , ;"))
    if scoring not in (None, "top2box", "mean20", "rescaled"):
        fail(ValueError(f"--scoring: {scoring!r} is not one of top2box, mean20, rescaled"))
    if aggregate not in (None, "pooled", "mean_of_units", "weighted"):
        fail(
            ValueError(f"--aggregate: {aggregate!r} is not one of pooled, mean_of_units, weighted")
        )
    chosen = cast(indices.Aggregate | None, aggregate)
    if output_format == "pdf":
        assert output is not None
        _pdf(
            campaign,
            level,
            parent,
            lang,
            cast(indices.Rule | None, scoring),
            compare,
            output,
            chosen,
        )
        return
    try:
        with session_scope() as session:
            result = indices.report(
                session,
                get_catalog(),
                campaign,
                level=level,
                parent=parent,
                scoring=cast(indices.Rule | None, scoring),
                compare=compare,
                aggregate=chosen,
            )
            q = questionnaire_of(get_catalog(), get_campaign(session, campaign))
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    as_of = result.origin.built_at if result.origin is not None else None
    if output_format in ("xlsx", "wide"):
        data = (
            workbook.workbook(result.body, q, lang, as_of=as_of)
            if output_format == "xlsx"
            else workbook.wide_csv(
                result.body, q, lang, sep=sep, precision=get_settings().RANK_PRECISION
            )
        )
        if output is None:
            typer.echo(data.decode("utf-8-sig"), nl=False)
        else:
            output.write_bytes(data)
            out.print(f"wrote {output}")
        return
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


def _pdf(
    campaign: str,
    level: str | None,
    parent: str | None,
    lang: str,
    scoring: Any,
    compare: str | None,
    output: Path,
    aggregate: Any = None,
) -> None:
    """The printed report of the live (internal) results, as the API's format=pdf."""
    from app.campaigns.service import get_campaign, questionnaire_of
    from app.reporting import indices, printed

    try:
        with session_scope() as session:
            catalog = get_catalog()
            c = get_campaign(session, campaign)

            def get(lv: str | None, pa: str | None) -> dict[str, Any]:
                return indices.report(
                    session,
                    catalog,
                    campaign,
                    level=lv,
                    parent=pa,
                    scoring=scoring,
                    compare=compare,
                    aggregate=aggregate,
                ).body

            with out.status("typesetting the report…"):
                data = printed.campaign_report(
                    session, c, questionnaire_of(catalog, c), get, level, parent, lang
                )
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    output.write_bytes(data)
    out.print(f"wrote {output}")


def _table(body: dict[str, Any]) -> str:
    from rich.table import Table

    from app.core.config import get_settings

    digits = get_settings().RANK_PRECISION  # the published precision, ranks' digits

    def pct(x: float | None) -> str:
        return "" if x is None else f"{x:.{digits}f}"

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
            f"{pct(ci[0])}–{pct(ci[1])}" if ci else "",
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
    overall = body.get("overall")
    if overall:
        ci = overall["sipas"].get("ci")
        how = overall.get("aggregate", "pooled")
        line = (
            f"Whole campaign {overall['unit']} ({how}): n={overall['n']}, "
            f"SIPAS {pct(overall['sipas']['value'])}"
            + (f" [{pct(ci[0])}–{pct(ci[1])}]" if ci else "")
        )
        weighting = overall.get("weighting")
        if weighting:
            line += f", deff {pct(weighting.get('deff'))}"
            line += f", effective n {pct(weighting.get('n_effective'))}"
        buffer.write(line + "\n")
    return buffer.getvalue()
