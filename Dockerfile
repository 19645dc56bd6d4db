# Nexus bot image: slim Python, dependencies in their own layer, runs as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/app/data/nexus.db

WORKDIR /app

# Dependencies first: this layer is reused until pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 nexus \
    && mkdir -p /app/data \
    && chown nexus:nexus /app/data

USER nexus
# The database lives here; mount a volume so it outlives the container.
VOLUME ["/app/data"]

# Settings (DISCORD_TOKEN …) come from the environment at run time, e.g. --env-file .env.
CMD ["nexus-bot"]
