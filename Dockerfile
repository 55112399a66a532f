# customer-insights API image.
#
#   docker build -t customer-insights .
#   docker run --rm -p 5000:5000 -e DATABASE_URL=postgresql://... customer-insights
#   docker build --build-arg LLM_EXTRAS=openai -t customer-insights .   # a real LLM client
#
# Stage "build" installs the pinned dependencies and the project into a venv;
# stage "runtime" copies only that venv and artifacts/ (migrations, data) onto a
# clean slim image and runs gunicorn as an unprivileged user.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# Then the project itself (packages api, repository, pipelines and the `insights` script).
COPY pyproject.toml README.md ./
COPY api/ api/
COPY repository/ repository/
COPY pipelines/ pipelines/
RUN pip install --no-deps .

# The mock LLM needs nothing more; LLM_EXTRAS=openai (or ollama, or "openai,ollama") adds
# a real provider's client, with every shared dependency held to the pins above.
ARG LLM_EXTRAS=""
RUN if [ -n "$LLM_EXTRAS" ]; then pip install -c requirements.txt ".[${LLM_EXTRAS}]"; fi


FROM ${PYTHON_IMAGE} AS runtime

# ARTIFACTS_DIR is set explicitly so migrations are found whatever the working directory.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_FORMAT=json \
    LOG_LEVEL=INFO \
    ARTIFACTS_DIR=/app/artifacts

RUN groupadd --system --gid 10001 insights \
    && useradd --system --uid 10001 --gid insights --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin insights

WORKDIR /app

# Code and data stay owned by root: the service only reads them.
COPY --from=build /opt/venv /opt/venv
COPY artifacts/ artifacts/

USER 10001:10001

EXPOSE 5000

# Liveness only; readiness (database + migrations) is /health/ready, checked by the orchestrator.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:5000/health/live', timeout=4).status == 200 else 1)"]

# The app writes its own JSON request log, so gunicorn's access log stays off.
# Request limits (line, header count and size) are in api/gunicorn_conf.py.
CMD ["gunicorn", "--config", "python:api.gunicorn_conf", "--bind", "0.0.0.0:5000", "--workers", "2", "api.wsgi:app"]
