# The web, worker and beat image (docker-compose.yml runs all three from it).
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The CJK TrueType font letters embed for the print vendor (LETTER_FONT_PATH,
# decision 47); without it they fall back to a font that is not embedded.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected at build time (whitenoise serves them with hashed names).
# The translations are compiled .mo files in locale/, so no gettext is needed.
# SECRET_KEY here only lets the settings load; the container gets the real one.
RUN SECRET_KEY=collectstatic-only DEBUG=0 TESTING=0 \
      python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app \
    && mkdir -p var/recordings var/media var/letters var/metrics \
    && chown -R app:app var

USER app
EXPOSE 8000
CMD ["gunicorn", "collections_app.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
