"""Receiving completed questionnaires from kiosks, phones and scripts."""

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from app.collection import kiosks
from app.collection import service as submissions
from app.collection.schemas import BatchIn, BatchOut, Receipt, SubmissionIn
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.questionnaires.catalog import get_catalog

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"])

ERRORS: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "The id was already used for a different response (`conflict`), or "
        "the unit's target is reached and the campaign stops there (`quota_full`)."
    },
    429: {"description": "Too many live responses from this kiosk or counter in a minute."},
    413: {"description": "The body is larger than the limit."},
    422: {"description": "Invalid: `fields` lists every bad field."},
}


@router.post(
    "",
    response_model=Receipt,
    status_code=201,
    responses={
        200: {"model": Receipt, "description": "Already stored: the original receipt."},
        **ERRORS,
    },
)
def create_submission(
    body: SubmissionIn, request: Request, session: SessionDep, response: Response
) -> Receipt:
    """Record one completed questionnaire (idempotent on `id`)."""
    device = kiosks.device_id(session, request.cookies.get(kiosks.KIOSK_COOKIE))
    done = submissions.record(session, get_catalog(), body, device)
    if not done.created:
        response.status_code = 200
    return done.receipt


@router.post(
    "/batch",
    response_model=BatchOut,
    responses={413: ERRORS[413], 422: ERRORS[422], 429: ERRORS[429]},
)
def create_batch(body: BatchIn, request: Request, session: SessionDep) -> BatchOut:
    """Record up to 500 queued responses; one result per item, in order. Replaying is safe."""
    device = kiosks.device_id(session, request.cookies.get(kiosks.KIOSK_COOKIE))
    return BatchOut(
        results=submissions.record_batch(session, get_catalog(), body.submissions, device)
    )


@router.get(
    "/{submission_id}", response_model=Receipt, responses={404: {"description": "Not stored."}}
)
def get_submission_receipt(submission_id: uuid.UUID, session: SessionDep) -> Receipt:
    """The receipt of a stored response, so a kiosk can check what the server has."""
    receipt = submissions.get_receipt(session, submission_id)
    if receipt is None:
        raise NotFound(f"submission {submission_id} is not stored")
    return receipt
