"""The `sipas` command line: serve, migrate, import, create campaigns, load a demo."""

import sys
from typing import Annotated

import typer

from app.cli.access import keys_cli, users_cli
from app.cli.campaigns import campaign_cli
from app.cli.collection import kiosk_cli, qr, submissions_cli
from app.cli.comments import comments_cli
from app.cli.common import err, fail
from app.cli.db import _safe_url, db_cli
from app.cli.demo import demo
from app.cli.publishing import list_editions, publish, unpublish
from app.cli.questionnaires import questionnaires_cli
from app.cli.reporting import export, report
from app.cli.units import counters_cli, units_cli
from app.questionnaires.catalog import QuestionnaireError, get_catalog

cli = typer.Typer(
    help="SIPAS survey and satisfaction-index service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

cli.add_typer(db_cli, name="db")
cli.add_typer(units_cli, name="units")
cli.add_typer(counters_cli, name="counters")
cli.add_typer(campaign_cli, name="campaign")
cli.add_typer(comments_cli, name="comments")
cli.add_typer(questionnaires_cli, name="questionnaires")
cli.add_typer(submissions_cli, name="submissions")
cli.add_typer(kiosk_cli, name="kiosk")
cli.add_typer(users_cli, name="users")
cli.add_typer(keys_cli, name="keys")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web app and API (uvicorn)."""
    import os
    import tempfile

    import uvicorn

    from app.core import logs
    from app.core.config import get_settings
    from app.core.metrics import MULTIPROC_ENV

    try:
        get_catalog()
    except QuestionnaireError as exc:
        fail(exc)
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        # Each worker writes its metrics here and /metrics sums them (read before
        # any worker imports prometheus_client, which picks its mode then).
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="sipas-metrics-")
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        # uvicorn's supervisor kills a worker that has not answered its ping within
        # this many seconds (default 5) and starts another: on a busy machine a
        # worker still importing the app (or one in a long report build) was killed
        # over and over and the service never came up.
        timeout_worker_healthcheck=30,
        proxy_headers=True,
        log_config=logs.uvicorn_config(get_settings().LOG_FORMAT) or uvicorn.config.LOGGING_CONFIG,
    )


cli.command()(report)
cli.command()(export)
cli.command()(publish)
cli.command()(unpublish)
cli.command("editions")(list_editions)
cli.command()(demo)
cli.command()(qr)


def main() -> None:
    """Run the CLI; failures are one clear line (SIPAS_DEBUG=1 shows the traceback)."""
    import os

    from sqlalchemy.exc import SQLAlchemyError

    try:
        cli()
    except QuestionnaireError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except SQLAlchemyError as exc:
        if os.environ.get("SIPAS_DEBUG"):
            raise
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        err.print(
            f"[bold red]error:[/] the database at {_safe_url()} failed: {reason}", highlight=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
