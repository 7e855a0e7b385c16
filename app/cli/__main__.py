"""`python -m app.cli`: the same as the `sipas` command."""

from app.cli import main

main()
