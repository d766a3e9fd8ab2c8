# syntax=docker/dockerfile:1
#
# Werkstatt as a container: a static Go binary (CGO_ENABLED=0) on Alpine,
# running as an unprivileged user.
#
#   docker build -t werkstatt .
#   docker run -p 3000:3000 werkstatt          # SQLite inside the container
#   docker compose up --build                  # with PostgreSQL and MinIO
#
# The `minio` target builds the S3 server that docker-compose.yml runs, from
# the same pinned version the tests use (scripts/s3server.sh): MinIO's
# community edition ships as source only. A plain `docker build` (BuildKit)
# skips it.

ARG GO_IMAGE=golang:1.26-alpine
ARG RUNTIME_IMAGE=alpine:3.23

# --- build the application --------------------------------------------------
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/werkstatt .

# --- MinIO for docker-compose.yml ------------------------------------------
FROM ${GO_IMAGE} AS minio-build
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOBIN=/out GOFLAGS=-buildvcs=false \
    go install "github.com/minio/minio@${MINIO_VERSION}"

FROM ${RUNTIME_IMAGE} AS minio
RUN adduser -D -H -u 10002 minio && mkdir /data && chown minio:minio /data
COPY --from=minio-build /out/minio /usr/local/bin/minio
USER 10002:10002
EXPOSE 9000 9001
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s \
    CMD wget -q -O /dev/null http://127.0.0.1:9000/minio/health/live || exit 1
ENTRYPOINT ["minio"]
CMD ["server", "/data", "--console-address", ":9001"]

# --- the application image (default target) ---------------------------------
FROM ${RUNTIME_IMAGE} AS app
# Alpine brings the CA bundle (S3 and SMTP over TLS); time zones are compiled
# into the binary.
RUN addgroup -S -g 10001 werkstatt \
 && adduser -S -D -H -u 10001 -G werkstatt -h /var/lib/werkstatt werkstatt \
 && mkdir -p /var/lib/werkstatt/data /var/lib/werkstatt/uploads \
 && chown -R werkstatt:werkstatt /var/lib/werkstatt
COPY --from=build /out/werkstatt /usr/local/bin/werkstatt
WORKDIR /var/lib/werkstatt
ENV WERKSTATT_ADDR=:3000 \
    WERKSTATT_DATA_DIR=/var/lib/werkstatt/data \
    UPLOADS_DIR=/var/lib/werkstatt/uploads
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s \
    CMD wget -q -O /dev/null http://127.0.0.1:3000/healthz || exit 1
ENTRYPOINT ["werkstatt"]
CMD ["serve", "--migrate"]
