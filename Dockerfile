# Redthread's image: `python -m bot serve` by default; the clock runs the same image with
# `python -m bot clock` (see compose.yaml and the Procfile).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY schedules ./schedules
# Migrations, catalogs and the manifest ship inside the package: nothing else is needed.
RUN pip install . && rm -rf /src \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin redthread

USER redthread
# The working directory holds `.env` and, without DATABASE_URL, the SQLite file.
WORKDIR /home/redthread
ENV PORT=3000
EXPOSE 3000

# `serve` answers /healthz with 200 while the database is reachable (compose turns this off
# for the clock, which serves no HTTP).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["python", "-m", "bot", "serve"]
