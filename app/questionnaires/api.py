"""Questionnaire versions, as the kiosk apps and dashboards read them."""

from typing import Any

from fastapi import APIRouter

from app.core.errors import NotFound
from app.core.responses import errors
from app.questionnaires.catalog import get_catalog
from app.questionnaires.schemas import QuestionnaireOut, QuestionnaireSummary

router = APIRouter(prefix="/api/v1/questionnaires", tags=["questionnaires"])


@router.get("", response_model=list[QuestionnaireSummary], responses=errors(422))
def list_questionnaires() -> list[dict[str, Any]]:
    """Every installed questionnaire version."""
    return [
        {
            "slug": q.slug,
            "version": q.version,
            "title": q.model.title,
            "basis": q.model.basis,
            "languages": q.languages,
            "url": f"/api/v1/questionnaires/{q.slug}/{q.version}",
        }
        for q in get_catalog()
    ]


@router.get(
    "/{slug}/{version}",
    response_model=QuestionnaireOut,
    # min_choices, max_choices and max_length are present only where they apply.
    response_model_exclude_unset=True,
    responses=errors(404, 422, s404="No such questionnaire version."),
)
def get_questionnaire(slug: str, version: int) -> dict[str, Any]:
    """One questionnaire version with its factors, items, questions and scoring rules."""
    q = get_catalog().get(slug, version)
    if q is None:
        raise NotFound.of("questionnaire_missing_version", slug=slug, version=version)
    return q.public()
