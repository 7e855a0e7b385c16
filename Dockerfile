# syntax=docker/dockerfile:1
# Stage 1: build a virtual environment with the app and its dependencies.
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY app ./app
COPY analysis ./analysis
# Install the dependencies only; the source runs from /srv, beside questionnaires/
# and migrations/, which the app finds relative to its own package.
RUN /opt/venv/bin/pip install . && /opt/venv/bin/pip uninstall --yes sipas

# Stage 2: the runtime image, without compilers or the build context, as a non-root user.
FROM python:3.12-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/srv PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production
# A font with Vietnamese letters, for PNG and PDF QR sheets.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system sipas && useradd --system --gid sipas --home /srv sipas
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY app ./app
COPY analysis ./analysis
COPY migrations ./migrations
COPY questionnaires ./questionnaires
COPY data ./data
RUN mkdir -p /srv/var && chown sipas:sipas /srv/var
USER sipas
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Migrate on start, then serve; uvicorn's workers share nothing but the database.
CMD ["sh", "-c", "python -m app.cli db upgrade && exec python -m app.cli serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-2}"]
