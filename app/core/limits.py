"""Refusing oversized request bodies before anything parses them."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware: 413 for bodies over the limit of their path prefix.

    Checks Content-Length first. A streamed (chunked) body carries no length, so it
    is read here up to the limit and replayed to the app; the limits are small
    (kilobytes to a few megabytes), so buffering costs nothing that matters.
    """

    def __init__(self, app: ASGIApp, limits: dict[str, int]):
        self.app = app
        # Longest prefix first, so /batch gets its own limit.
        self.limits = sorted(limits.items(), key=lambda kv: -len(kv[0]))

    def _limit(self, path: str) -> int | None:
        return next((n for prefix, n in self.limits if path.startswith(prefix)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > limit:
                await _reject(send, limit, not scope["path"].startswith("/api/"))
                return
            await self.app(scope, receive, send)  # the server enforces Content-Length
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _reject(send, limit, not scope["path"].startswith("/api/"))
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


# A respondent's browser gets a page, in both languages since no cookie is read here.
_PAGE = (
    '<!doctype html><html lang="vi"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    "<title>413</title><h1>Phiếu quá dài</h1><p>Phiếu quá dài. Vui lòng rút ngắn phần góp ý "
    'rồi gửi lại.</p><p lang="en">The response is too long. Please shorten your comment '
    "and send it again.</p></html>"
).encode()


async def _reject(send: Send, limit: int, page: bool = False) -> None:
    if page:
        body, kind = _PAGE, b"text/html; charset=utf-8"
    else:
        body = json.dumps(
            {"error": "too_large", "detail": f"the body is larger than {limit} bytes", "fields": []}
        ).encode()
        kind = b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
