# Biržai VMS production image: web (Daphne), Celery workers (default and capture) and beat all run
# from this one image with different commands (see docker-compose.yml). Configured only through
# environment variables; no secrets are baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VMS_MODE=production \
    VAR_DIR=/var/lib/birzai-vms \
    RECORDINGS_ROOT=/srv/recordings

# Wheels carry almost everything native: PyAV its FFmpeg libraries, imageio-ffmpeg a static ffmpeg,
# psycopg2-binary libpq, opencv-python-headless its own libraries. WeasyPrint (PDF summaries and
# reports) needs Pango and a font with Lithuanian and Latvian letters.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code belongs to root and is read-only for the service user; only the volumes are writable.
RUN groupadd --system --gid 10001 vms \
    && useradd --system --uid 10001 --gid vms --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin vms \
    && mkdir -p "$VAR_DIR" "$RECORDINGS_ROOT" \
    && chown vms:vms "$VAR_DIR" "$RECORDINGS_ROOT"
COPY . .
RUN python -m compileall -q /app

USER vms:vms
EXPOSE 8000
# Daphne serves HTTP and websockets; --proxy-headers: it sits behind a TLS reverse proxy.
# The Procfile's web line as docker-compose.yml runs it (tests/test_process_table.py checks both).
CMD ["python", "-m", "daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "birzai_vms.asgi:application"]
