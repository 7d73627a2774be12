FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY quiz ./quiz
# The project itself, with PostgreSQL support; its dependencies are pinned in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[postgres]" \
    && useradd --create-home --uid 10001 quizbot \
    && mkdir /data \
    && chown quizbot /data
COPY questions ./questions

# The database lives on a volume so scores survive a new container.
ENV QUIZBOT_DATABASE_URL=sqlite:////data/quizbot.db \
    QUIZBOT_QUESTIONS_DIR=/app/questions
VOLUME ["/data"]
# 8443: webhook mode (quizbot run --webhook URL); 8080: the web leaderboard
# (quizbot web --host 0.0.0.0, or quizbot run --web-port 8080 --web-host 0.0.0.0).
EXPOSE 8443 8080
USER 10001
CMD ["quizbot", "run"]
