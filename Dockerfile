# Production image for the support-fund platform: gunicorn serves Django, whitenoise serves the
# static files collected at build time. The same image runs the Celery worker and beat
# (docker-compose.yml gives each its command).

FROM python:3.11-slim-bookworm

# PYTHONPATH: import the project from /app, not from site-packages. The installed wheel carries
# only the Python modules; templates, static files and locale/*.mo live in the source tree.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A writable home: gunicorn puts its control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info \
    && mkdir -p /app/staticfiles /app/media \
    && chown app:app /app/staticfiles /app/media

# The source stays owned by root and read-only to the app user; only staticfiles/ and media/
# are writable.
USER app

# Dummy settings for this step only: collectstatic needs a key and production's storage
# (DEBUG=false selects whitenoise's compressed manifest storage). They are not kept in the image.
RUN SECRET_KEY=collectstatic-build-only DEBUG=false ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

EXPOSE 8000

# With DEBUG off, ALLOWED_HOSTS need not contain 127.0.0.1 and plain HTTP is redirected to HTTPS,
# so the probe names the first allowed host and says it came through the TLS proxy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz/', timeout=4)"]

# Worker class and count, threads, timeouts, max-requests and the access log: gunicorn.conf.py, each
# value overridable by an environment variable (WEB_CONCURRENCY, GUNICORN_THREADS, ...).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi:application"]
