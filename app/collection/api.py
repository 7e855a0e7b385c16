"""Receiving completed questionnaires from kiosks, phones and scripts."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.access.security import bearer_token
from app.collection import admission, kiosks
from app.collection import service as submissions
from app.collection.schemas import BatchIn, BatchOut, Receipt, SubmissionIn
from app.core.db import SessionDep, commit_in_route
from app.core.errors import NotFound
from app.core.inputs import ascii_int
from app.core.responses import errors
from app.questionnaires.catalog import get_catalog
from app.web import i18n
from app.web.render import LANG_COOKIE

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"])


def submitter(request: Request, session: Session) -> admission.Submitter:
    """The kiosk cookie and write key the request carries (app/collection/admission.py).

    Called inside the route, not as a dependency: a sync dependency is one more trip
    to the thread pool per submission, and that trip cost more than the look-up.
    """
    lang = i18n.pick(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))
    return admission.submitter_for(
        session, bearer_token(request), request.cookies.get(kiosks.KIOSK_COOKIE), lang
    )


# Read leniently: a malformed count must never cost a kiosk its responses.
QueueHeader = Annotated[
    str | None,
    Header(
        alias="Sipas-Queue-Length",
        description="From an enrolled kiosk: how many unsent responses it holds besides "
        "the ones in this request (queued, or refused as too late). Stored per tablet "
        "with the time, so the coordinator sees a tablet holding responses.",
    ),
]

WHY = {
    "s409": "The id was already used for a different response (`conflict`), or the "
    "unit's target is reached and the campaign stops there (`quota_full`).",
    "s401": "The `Authorization: Bearer` key is unknown or revoked.",
    "s403": "Not admitted: a response finished over five minutes ago needs its form token "
    "(`token_required`), the token is forged, expired or for another counter "
    "(`token_invalid`) or was already used (`token_used`); a write key outside its unit "
    "(`out_of_scope`); a read-only key (`forbidden`).",
    "s429": "Too many live responses from this kiosk or counter, or through this write "
    "key, in a minute.",
}


def _json(model: BaseModel, status: int = 200) -> Response:
    """The model's JSON as the response. The route's response_model still documents
    it; the model is already validated, and FastAPI's second pass over it (validate,
    then encode) cost more than the rest of a submission's Python."""
    return Response(model.model_dump_json(), status, media_type="application/json")


@router.post(
    "",
    response_model=Receipt,
    status_code=201,
    responses={
        200: {"model": Receipt, "description": "Already stored: the original receipt."},
        **errors(401, 403, 409, 413, 422, 429, 503, **WHY),
    },
)
def create_submission(
    body: SubmissionIn,
    session: SessionDep,
    request: Request,
    queue: QueueHeader = None,
) -> Response:
    """Record one completed questionnaire (idempotent on `id`)."""
    who = submitter(request, session)
    done = submissions.record(session, get_catalog(), body, who=who)
    kiosks.report_queue(session, who.device_id, ascii_int(queue) if queue else None, [], who.device)
    commit_in_route(session)
    return _json(done.receipt, 201 if done.created else 200)


@router.post(
    "/batch",
    response_model=BatchOut,
    responses=errors(401, 403, 413, 422, 429, 503, **WHY),
)
def create_batch(
    body: BatchIn, session: SessionDep, request: Request, queue: QueueHeader = None
) -> Response:
    """Record up to 500 queued responses; one result per item, in order. Replaying is safe.

    Each item is admitted on its own: a refused one gets status 403 and its `error`.
    """
    who = submitter(request, session)
    results = submissions.record_batch(session, get_catalog(), body.submissions, who=who)
    kiosks.report_queue(
        session, who.device_id, ascii_int(queue) if queue else None, results, who.device
    )
    commit_in_route(session)
    return _json(BatchOut(results=results))


# Only a UUID matches, so GET /batch is the POST-only /batch route's 405, not a
# receipt lookup of the id "batch".
@router.get(
    "/{submission_id:uuid}",
    response_model=Receipt,
    responses=errors(404, 422, 503, s404="Not stored."),
)
def get_submission_receipt(submission_id: uuid.UUID, session: SessionDep) -> Receipt:
    """The receipt of a stored response, so a kiosk can check what the server has."""
    receipt = submissions.get_receipt(session, submission_id)
    if receipt is None:
        raise NotFound.of("submission_not_stored", sid=submission_id)
    return receipt
