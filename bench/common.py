"""What the benchmarks share."""

import argparse
import os

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def add_pg_argument(ap: argparse.ArgumentParser) -> None:
    """--pg: the PostgreSQL server a throwaway benchmark database is created on."""
    ap.add_argument(
        "--pg",
        default=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG),
        help="server URL (default: $TEST_DATABASE_URL or the local server)",
    )
