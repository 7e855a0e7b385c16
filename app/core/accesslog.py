"""The access log without secrets: query values and client addresses left out.

Query strings carry dossier codes (`/s/…?d=…`) and kiosk enrolment tokens (a
ten-year device credential), and design.md says IP addresses are not kept. uvicorn
writes its access line itself, so a filter on its logger rewrites the arguments of
every line, in every worker, however the server was started.
"""

import logging
from urllib.parse import parse_qsl, urlsplit

from app.core.config import get_settings

ACCESS_LOGGER = "uvicorn.access"


def safe_target(target: str) -> str:
    """The path with each query parameter's value replaced by `…`: which parameters
    were sent is useful when reading a log, their values are not ours to keep."""
    parts = urlsplit(target)
    if not parts.query:
        return parts.path
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    return parts.path + "?" + "&".join(f"{n}=…" for n in names) if names else parts.path


class AccessFilter(logging.Filter):
    """Rewrites uvicorn's `client - "METHOD target HTTP/v" status` arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, target, version, status = args
            if not get_settings().ACCESS_LOG_CLIENT_IP:
                client = "-"
            record.args = (client, method, safe_target(str(target)), version, status)
        return True


def install() -> None:
    """Attach the filter once (create_app may run more than once in a process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, AccessFilter) for f in logger.filters):
        logger.addFilter(AccessFilter())
