#!/usr/bin/env bash
# s3server.sh — a real, throwaway MinIO server for the storage contract test
# and CI (see DESIGN.md, "Real services for tests and CI").
#
#   eval "$(scripts/s3server.sh start)"   # build if needed, start, export TEST_S3_*
#   WERKSTATT_TEST_ALL=1 go test ./app/storage/
#   scripts/s3server.sh stop              # kill it and delete its data
#   scripts/s3server.sh build             # only make sure the binary exists
#
# The binary is built once from the Go module proxy at a pinned version and
# cached outside the clone (${WERKSTATT_TOOLS:-$(go env GOPATH)/bin}), so later
# runs start in seconds. MinIO is AGPL: it runs as a separate process and is
# never imported by our code. Only the export lines go to stdout (they are
# meant for eval); everything else goes to stderr.
#
# Environment:
#   WERKSTATT_TOOLS     where the minio binary is cached
#   WERKSTATT_S3_STATE  state folder (pid, temp dir, env), default /tmp/werkstatt-s3
set -euo pipefail

readonly MINIO_MODULE=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
readonly STATE=${WERKSTATT_S3_STATE:-/tmp/werkstatt-s3}
readonly USER_NAME=werkstatt
readonly BUCKET=werkstatt-test
readonly START_TIMEOUT=60 # seconds to wait for the health endpoint

log() { printf 's3server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

tools_dir() {
  if [[ -n ${WERKSTATT_TOOLS:-} ]]; then
    printf '%s\n' "$WERKSTATT_TOOLS"
  else
    command -v go >/dev/null || die "go not found and WERKSTATT_TOOLS not set"
    printf '%s/bin\n' "$(go env GOPATH)"
  fi
}

# ensure_minio prints the binary's path, building it first if missing. A
# lock serialises concurrent CI jobs so only one of them compiles (~5-6
# CPU-minutes the first time).
ensure_minio() {
  local dir bin
  dir=$(tools_dir)
  bin=$dir/minio
  if [[ ! -x $bin ]]; then
    command -v go >/dev/null || die "go is needed to build $MINIO_MODULE"
    mkdir -p "$dir"
    (
      if command -v flock >/dev/null; then
        flock 9
      fi
      if [[ ! -x $bin ]]; then
        log "building $MINIO_MODULE into $dir (several minutes the first time)"
        GOBIN=$dir GOFLAGS=-buildvcs=false go install "$MINIO_MODULE" >&2
      fi
    ) 9>"$dir/.minio-build.lock"
    [[ -x $bin ]] || die "build finished but $bin is missing"
  fi
  printf '%s\n' "$bin"
}

# port_in_use succeeds if something accepts connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a loopback port nobody listens on. python3 lets the
# kernel choose; without it (the CI machine may lack it) random high ports
# are probed with bash's /dev/tcp. Either way another process could grab
# the port before minio binds it, which start() handles by retrying.
free_port() {
  local port
  if command -v python3 >/dev/null &&
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null); then
    printf '%s\n' "$port"
    return
  fi
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return
    fi
  done
  die "no free loopback port found"
}

running_pid() {
  local pid
  [[ -f $STATE/pid ]] || return 1
  pid=$(<"$STATE/pid")
  # Check the command line too, so a recycled pid is never mistaken for ours.
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'minio server' || return 1
  printf '%s\n' "$pid"
}

cmd_start() {
  if running_pid >/dev/null; then
    log "already running (pid $(<"$STATE/pid")); reusing it"
    cat "$STATE/env"
    return
  fi
  local bin tmp password port console pid
  bin=$(ensure_minio)
  mkdir -p "$STATE"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/werkstatt-s3.XXXXXX")
  printf '%s\n' "$tmp" >"$STATE/dir"
  mkdir -p "$tmp/data" "$tmp/certs"
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')

  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    console=$(free_port)
    [[ $port != "$console" ]] || continue
    # Quiet and fast: no web console, no update or telemetry checks, no
    # refusal to use a folder on the root disk (MINIO_CI_CD), certs kept
    # in the temp dir instead of ~/.minio.
    MINIO_ROOT_USER=$USER_NAME MINIO_ROOT_PASSWORD=$password \
      MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=on \
      MINIO_CALLHOME_ENABLE=off \
      nohup "$bin" server "$tmp/data" --quiet --anonymous \
      --address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
      --certs-dir "$tmp/certs" >"$tmp/minio.log" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$STATE/pid"
    if wait_ready "$pid" "$port"; then
      {
        printf 'export TEST_S3_ENDPOINT=127.0.0.1:%s\n' "$port"
        printf 'export TEST_S3_ACCESS_KEY=%s\n' "$USER_NAME"
        printf 'export TEST_S3_SECRET_KEY=%s\n' "$password"
        printf 'export TEST_S3_BUCKET=%s\n' "$BUCKET"
        printf 'export TEST_S3_USE_SSL=false\n'
      } >"$STATE/env"
      log "minio pid $pid on 127.0.0.1:$port (data $tmp/data, log $tmp/minio.log)"
      cat "$STATE/env"
      return
    fi
    if kill -0 "$pid" 2>/dev/null; then # alive but never healthy: give up
      break
    fi
    log "attempt $attempt: minio exited (port taken?); retrying"
    tail -n 5 "$tmp/minio.log" >&2 || true
  done
  log "minio did not become healthy; last log lines:"
  tail -n 30 "$tmp/minio.log" >&2 || true
  cmd_stop
  exit 1
}

# wait_ready polls the liveness endpoint until it answers 200, the process
# dies, or START_TIMEOUT passes.
wait_ready() {
  local pid=$1 port=$2 deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/minio/health/live" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

cmd_stop() {
  local pid dir
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped pid $pid"
  else
    log "not running"
  fi
  if [[ -f $STATE/dir ]]; then
    dir=$(<"$STATE/dir")
    # Only ever delete a folder this script created.
    if [[ $(basename -- "$dir") == werkstatt-s3.* && -d $dir ]]; then
      rm -rf -- "$dir"
    fi
  fi
  rm -f -- "$STATE/pid" "$STATE/dir" "$STATE/env"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
build) ensure_minio >/dev/null ;;
*)
  echo "usage: $0 start|stop|build" >&2
  exit 2
  ;;
esac
