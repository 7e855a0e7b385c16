"""Questionnaires authored without Python: an upload (XLSForm .xlsx or our YAML) is
read, checked with the catalog's own rules (each problem placed at its sheet, row and
column), and saved as a new, never overwritten, version (table questionnaire_source).

Services: the session first, flush but never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.questionnaires.catalog import (
    Catalog,
    Questionnaire,
    QuestionnaireError,
    QuestionnaireModel,
    check_raw,
    file_catalog,
    read_yaml,
    sync_uploaded,
)
from app.questionnaires.models import QuestionnaireSource
from app.questionnaires.xlsform import Origins, Problem, XLSFormError, from_xlsform, to_xlsform

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 5 * 1024 * 1024


@dataclass
class Checked:
    """An upload after checking: the questionnaire (with the version it will be saved
    as) or the problems; `stated` is the version the file itself gave, if any."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    model: QuestionnaireModel | None = None
    stated: int | None = None

    @property
    def ok(self) -> bool:
        return self.model is not None and not self.problems


def is_xlsx(data: bytes, name: str) -> bool:
    return name.lower().endswith(".xlsx") or data[:2] == b"PK"


def read_upload(data: bytes, name: str) -> tuple[Any, Origins | None]:
    """The questionnaire as data, and where each part was read (XLSForm only)."""
    if is_xlsx(data, name):
        return from_xlsform(data)
    try:
        return read_yaml(data, name), None
    except QuestionnaireError as exc:
        raise XLSFormError([Problem(None, "yaml_unreadable", {"reason": str(exc)})]) from exc


def versions(session: Session, catalog: Catalog, slug: str) -> list[int]:
    """Every version of `slug`: files, uploads this process knows, and the table."""
    stored = session.scalars(
        select(QuestionnaireSource.version).where(QuestionnaireSource.slug == slug)
    ).all()
    return sorted({*catalog.versions(slug), *file_catalog().versions(slug), *stored})


def check(session: Session, catalog: Catalog, data: bytes, name: str) -> Checked:
    """Read and check an upload; nothing is stored."""
    out = Checked(name)
    try:
        raw, origins = read_upload(data, name)
    except XLSFormError as exc:
        out.problems = exc.problems
        return out
    if isinstance(raw, dict) and isinstance(raw.get("slug"), str):
        stated = raw.get("version")
        out.stated = stated if isinstance(stated, int) else None
        # A version, once saved, is never overwritten: the upload becomes the next one.
        raw["version"] = max(versions(session, catalog, raw["slug"]), default=0) + 1
    model, problems = check_raw(raw)
    for line in problems:
        place, _, message = line.partition(": ")
        cell = origins.find(place) if origins is not None else None
        out.problems.append(Problem(cell, "catalog", {"place": place, "message": message}))
    out.model = model if not problems else None
    return out


def as_yaml(model: QuestionnaireModel) -> str:
    """The questionnaire in our YAML (defaults left out), as the catalog loads it."""
    data = model.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def save(
    session: Session, checked: Checked, data: bytes, account_id: int | None
) -> QuestionnaireSource:
    """Store a checked upload as its new version; this process's catalog has it at once,
    the others within seconds (catalog.sync_uploaded)."""
    if checked.model is None:
        raise ValueError("save() takes a questionnaire that passed check()")
    source = as_yaml(checked.model)
    row = QuestionnaireSource(
        slug=checked.model.slug,
        version=checked.model.version,
        source=source,
        digest=hashlib.sha256(source.encode()).hexdigest(),
        original_name=checked.name[:200],
        original=data,
        created_by_id=account_id,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    sync_uploaded(session.connection(), force=True)
    return row


def uploaded(session: Session) -> list[QuestionnaireSource]:
    """Every uploaded version, newest first."""
    return list(
        session.scalars(select(QuestionnaireSource).order_by(QuestionnaireSource.id.desc())).all()
    )


def count_uploaded(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(QuestionnaireSource)) or 0


def export(q: Questionnaire, fmt: str) -> tuple[bytes, str, str]:
    """A questionnaire as a file: (body, media type, file name)."""
    if fmt == "xlsform":
        return to_xlsform(q.model), XLSX_MEDIA, f"{q.slug}-v{q.version}.xlsx"
    body = as_yaml(q.model).encode()
    return body, "application/yaml", f"{q.slug}-v{q.version}.yaml"
