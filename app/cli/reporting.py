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
    edition: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="A published edition's documents (as the API's ?edition=N), not the live "
            "internal results; --scoring, --compare and --aggregate then do not apply.",
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
    if edition is not None:
        fixed = [
            name
            for name, given in (
                ("--scoring", scoring),
                ("--compare", compare),
                ("--aggregate", aggregate),
            )
            if given is not None
        ]
        if fixed:
            fail(
                ValueError(
                    f"{', '.join(fixed)}: edition {edition} is the results as published "
                    "and cannot be recomputed"
                )
            )
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
            edition,
        )
        return
    try:
        with session_scope() as session:
            c = get_campaign(session, campaign)
            if edition is not None:
                result = _edition_report(session, c, edition, level, parent)
            else:
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
            q = questionnaire_of(get_catalog(), c)
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
    edition: int | None = None,
) -> None:
    """The printed report of the live (internal) results or of a published edition
    (with the sample frozen when it was published), as the API's format=pdf."""
    from app.campaigns.service import get_campaign, questionnaire_of
    from app.reporting import editions, indices, printed

    try:
        with session_scope() as session:
            catalog = get_catalog()
            c = get_campaign(session, campaign)
            sample = None
            if edition is not None:
                frozen = editions.frozen_sample(
                    session, editions.pick(session, c, edition, internal=True)
                )
                sample = printed.Sample.from_json(frozen) if frozen is not None else None

            def get(lv: str | None, pa: str | None) -> dict[str, Any]:
                if edition is not None:
                    return _edition_report(session, c, edition, lv, pa).body
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
                    session, c, questionnaire_of(catalog, c), get, level, parent, lang, sample
                )
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    output.write_bytes(data)
    out.print(f"wrote {output}")


def _edition_report(
    session: Any, c: Any, number: int, level: str | None, parent: str | None
) -> Any:
    """One document of a published edition (hidden ones too: the command line acts as
    an admin), marked with the edition."""
    from app.reporting import editions

    ed = editions.pick(session, c, number, internal=True)
    return editions.served(session, ed, editions.view_of(level, parent), c)


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


def export(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="sav (SPSS), dta (Stata 15), csv (UTF-8 with BOM) or xlsx (Excel).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Write to this file.")],
    unit: Annotated[
        str | None, typer.Option(help="Only the responses at this unit and the units under it.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the labels: vi or en.")] = "vi",
) -> None:
    """Write the campaign's response microdata (one row per response, codes as variables
    with their labels) for analysts, as the API's /microdata does; a progress bar on stderr
    counts the responses written."""
    import shutil

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from app.campaigns.service import get_campaign, questionnaire_of
    from app.cli.common import err
    from app.reporting import microdata
    from app.units.service import get_unit

    if output_format not in microdata.FORMATS:
        fail(
            ValueError(f"--format: {output_format!r} is not one of {', '.join(microdata.FORMATS)}")
        )
    if lang not in ("vi", "en"):
        fail(ValueError(f"--lang: {lang!r} is not one of vi, en"))
    fmt = cast(microdata.MicroFormat, output_format)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with session_scope() as session:
            c = get_campaign(session, campaign)
            q = questionnaire_of(get_catalog(), c)
            under = get_unit(session, unit).id if unit is not None else None
            with Progress(*columns, console=err) as bar:
                task = bar.add_task("responses", total=None)

                def progress(done: int, total: int) -> None:
                    if done == 0 or done == total or done % 500 == 0:
                        bar.update(task, completed=done, total=total)

                path = microdata.export(session, c, q, fmt, lang, under, progress)
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    try:
        shutil.move(path, output)
    except OSError as exc:
        path.unlink(missing_ok=True)
        fail(ValueError(f"cannot write {output}: {exc.strerror}"))
    out.print(f"wrote {output}", highlight=False)
