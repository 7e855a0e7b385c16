"""`HEAD` answered like `GET`, without the body (RFC 9110 §9.3.2).

FastAPI declares one route per method, so a `GET` page answers `HEAD` with 405, and
uptime monitors and link checkers use `HEAD`. Starlette's own `Route` does the same
mapping; this does it once for every route, present and future.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: run a `HEAD` request as `GET` and drop the body it sends."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
