FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 PROCSEARCH_DATA=/data PROCSEARCH_HOST=0.0.0.0 PROCSEARCH_PORT=8000
# OCR of scanned PDFs: Tesseract with its French and English models, and pdftoppm to render pages
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng \
    poppler-utils && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY index index
COPY service service
COPY eval eval
# (without eval/bench*.py: .dockerignore; `procsearch bench` runs from a checkout)
COPY corpus/documents corpus/documents
# torch pinned first; point pip at a CPU-only torch index where you have one to keep the image small
RUN pip install torch==2.13.0 && pip install .
# The service runs as an unprivileged user that owns only its data folder: a flaw in a parser cannot
# rewrite the installed code or the system. /data is created here so that a new volume inherits its owner.
RUN groupadd --system --gid 10001 procsearch \
 && useradd --system --uid 10001 --gid procsearch --home-dir /data --no-create-home --shell /usr/sbin/nologin procsearch \
 && mkdir -p /data && chown procsearch:procsearch /data
USER procsearch:procsearch
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["sh", "-c", "procsearch ingest corpus/documents && procsearch serve"]
