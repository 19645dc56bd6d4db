# Nexus bot image, in two stages. The builder installs the locked dependencies (every
# file checked against its hash, wheels only) and the bot into a virtual environment;
# the runtime stage is slim Python with that environment alone, run as a non-root user.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src

# Dependencies first: this layer is reused until a lock file changes. --no-deps: the
# lock already lists every transitive dependency, so nothing unpinned can slip in.
COPY requirements.lock requirements-build.lock ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes --no-deps --only-binary=:all: \
        -r requirements.lock \
    && pip install --require-hashes --no-deps -r requirements-build.lock

# The bot as a wheel built with the locked setuptools, installed into the environment.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-deps /wheels/*.whl


FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DATABASE_PATH=/app/data/nexus.db

RUN groupadd --gid 10001 nexus \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin nexus \
    && mkdir -p /app/data \
    && chown nexus:nexus /app/data

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER 10001:10001
# The database and the heartbeat file live here; mount a volume so they outlive the
# container.
VOLUME ["/app/data"]

# Healthy while the bot is connected to Discord: `health` reads the age of the file the
# bot touches every 15 s while its gateway connection is up (data/heartbeat).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["nexus-bot", "health"]

# Settings (DISCORD_TOKEN …) come from the environment at run time, e.g. --env-file .env.
# Other commands: docker exec <container> nexus-bot backup /app/data/backup.db
ENTRYPOINT ["nexus-bot"]
CMD ["run"]
