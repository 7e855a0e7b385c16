"""A request id on every request and log line, and JSON logs for log collectors.

The id comes from the client or proxy (`X-Request-ID`, as nginx, HAProxy and most
API gateways send it) when it is a plain token, else a new one; it is sent back
on the response, so a coordinator reporting "the import failed at 10:14" can quote
it, and every line logged while the request runs carries it (a context variable:
each request runs in its own context, threads of sync routes included).
"""

import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
# A token a log reader can grep, not a place to smuggle text into the logs.
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def chosen_id(sent: bytes | None) -> str:
    text = sent.decode("latin-1") if sent else ""
    return text if _GOOD_ID.fullmatch(text) else uuid.uuid4().hex


class RequestContext:
    """Sets the request id for the request's work and returns it in `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = chosen_id(dict(scope["headers"]).get(HEADER.encode()))
        token = request_id.set(rid)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != HEADER.encode()
                ]
                message = {**message, "headers": [*headers, (HEADER.encode(), rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id;
    the access log's method, path and status as fields of their own."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
            "pid": record.process,
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _version, status = args
            line.update(method=method, path=path, status=int(str(status)))
            if client != "-":
                line["client"] = client
        if record.exc_info:
            line["error"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return orjson.dumps(line, default=str).decode()


def uvicorn_config(fmt: str) -> dict[str, Any] | None:
    """The logging configuration `sipas serve` hands uvicorn (None: uvicorn's own)."""
    if fmt != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    quiet = {"level": "INFO", "handlers": ["default"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "app.core.logs.JsonFormatter"}},
        "handlers": {"default": handler},
        "loggers": {"uvicorn": quiet, "uvicorn.access": quiet, "app": quiet},
        "root": {"level": "WARNING", "handlers": ["default"]},
    }
