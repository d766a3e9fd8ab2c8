#!/usr/bin/env bash
# test.sh — Werkstatt's whole test suite, as `make test` runs it.
#
#   scripts/test.sh            go vet, then pass 1 and pass 2   (make test)
#   scripts/test.sh sqlite     pass 1 only                      (make test-sqlite)
#   scripts/test.sh postgres   pass 2 only                      (make test-postgres)
#
# Pass 1 runs `go test ./...` on the embedded defaults: SQLite and the local
# uploads folder (TEST_DATABASE_URL, TEST_S3_* and WERKSTATT_TEST_ALL unset,
# so the tests that need the real services skip here and run in pass 2).
# Pass 2 runs it again on the services production uses:
#   PostgreSQL  TEST_DATABASE_URL if set; otherwise a fresh database
#               werkstatt_test_<random> on 127.0.0.1:5432 (user postgres),
#               dropped afterwards (psql, or `go run ./scripts/pgdb`)
#   S3          TEST_S3_* if TEST_S3_ENDPOINT is set; otherwise a throwaway
#               MinIO from scripts/s3server.sh (built once, cached outside
#               the clone), stopped afterwards
# A service that cannot be had is left out with one line saying why, so the
# suite passes on a machine with only Go. With WERKSTATT_TEST_ALL=1 (CI) a
# missing service is a failure instead.
#
# Environment: GOTESTFLAGS adds flags to both `go test` runs (for example
# GOTESTFLAGS='-run TestVote', or '-timeout 15m' to lift the default of 5m
# per package); the raw `go test -json` output of each pass is kept in
# bin/test-logs/. Everything else (CHROMIUM_PATH and the like) passes
# through to the tests unchanged.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

readonly mode=${1:-all}
readonly pg_admin_url='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=5'
readonly logs=bin/test-logs
# Per test binary; a hung test fails its package after this instead of
# holding the whole run for go test's default of 10 minutes.
readonly timeout=5m
strict=false
[[ ${WERKSTATT_TEST_ALL:-} == 1 ]] && strict=true
readonly strict

case $mode in
all | sqlite | postgres) ;;
*)
  echo "usage: $0 [all|sqlite|postgres]" >&2
  exit 2
  ;;
esac

command -v go >/dev/null || {
  echo "test: go not found in PATH" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/werkstatt-test.XXXXXX") || exit 1
mkdir -p "$logs"
# Our own state folder, so a MinIO that someone started by hand is never
# reused and then stopped by us.
export WERKSTATT_S3_STATE=$work/s3

need_pg=false # true for `make test-postgres`: no PostgreSQL is a failure
created_db= # URL of the database this run created, dropped on exit
started_s3=false

cleanup() {
  local rc=$?
  if $started_s3; then
    scripts/s3server.sh stop 2>/dev/null || true
  fi
  if [[ -n $created_db ]]; then
    drop_db "$created_db" || echo "test: could not drop ${created_db##*/}" >&2
  fi
  rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- results -------------------------------------------------------------

summary=()  # one line per step, printed at the end
failed=false
total_pass=0 total_fail=0 total_skip=0

note() { summary+=("$(printf '%-34s %s' "$1" "$2")"); }

# --- PostgreSQL ----------------------------------------------------------

# create_db prints the URL of a fresh werkstatt_test_<random> database.
create_db() {
  if command -v psql >/dev/null; then
    local name
    name=werkstatt_test_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    psql "$pg_admin_url" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $name" >/dev/null || return 1
    printf '%s\n' "${pg_admin_url/\/postgres\?//$name?}"
  else
    go run ./scripts/pgdb create "$pg_admin_url"
  fi
}

drop_db() {
  if command -v psql >/dev/null; then
    local name=${1##*/}
    name=${name%%\?*}
    [[ $name == werkstatt_test_* ]] || return 1
    psql "$pg_admin_url" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
  else
    go run ./scripts/pgdb drop "$1"
  fi
}

# --- go test -------------------------------------------------------------

# summarize reads `go test -json` and prints what plain `go test` would
# (package results, and the output of failed or unfinished tests only), then writes
# "passed failed skipped" to the file named by -v counts. A package that
# fails without a failed test (build error, crash outside a test) counts
# as one failure.
read -r -d '' summarize <<'AWK'
function field(line, name,    re, off) {
  re = "\"" name "\":\"([^\"\\\\]|\\\\.)*\""
  if (!match(line, re)) return ""
  off = length(name) + 4
  return substr(line, RSTART + off, RLENGTH - off - 1)
}
function unescape(s,    out, i, c, n, h) {
  if (index(s, "\\") == 0) return s
  out = ""
  n = length(s)
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (c != "\\") { out = out c; continue }
    c = substr(s, ++i, 1)
    if (c == "n") out = out "\n"
    else if (c == "t") out = out "\t"
    else if (c == "r") out = out "\r"
    else if (c == "b" || c == "f") out = out ""
    else if (c == "u") {
      h = hex(substr(s, i + 1, 4)); i += 4
      out = out (h < 128 ? sprintf("%c", h) : "\357\277\275")
    }
    else out = out c
  }
  return out
}
function hex(s,    i, v) {
  v = 0
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
  return v
}
function show(buf,    parts, n, i, line) {
  n = split(buf, parts, "\001")
  for (i = 2; i <= n; i++) {
    line = unescape(parts[i])
    if (line ~ /^ *=== (RUN|PAUSE|CONT|NAME)/) continue
    printf "%s", line
  }
}
{
  action = field($0, "Action")
  if (action == "build-output") { printf "%s", unescape(field($0, "Output")); next }
  pkg = field($0, "Package")
  if (pkg == "") next
  test = field($0, "Test")
  key = pkg SUBSEP test
  if (action == "output") {
    out = field($0, "Output")
    if (test != "") { buf[key] = buf[key] "\001" out; next }
    out = unescape(out)
    if (out == "PASS\n" || out ~ /\[no test files\]/ || out ~ /^testing: warning: no tests to run/) next
    pout[pkg] = pout[pkg] out
    next
  }
  if (test == "") {
    if (action != "fail") { printf "%s", pout[pkg]; delete pout[pkg]; next }
    # Tests that started but never ended: the binary crashed or timed out
    # in them, and their output holds the reason.
    for (k in buf) {
      split(k, kp, SUBSEP)
      if (kp[1] != pkg) continue
      printf "--- FAIL: %s (did not finish)\n", kp[2]
      show(buf[k]); delete buf[k]; failed++; pkgfail[pkg] = 1
    }
    if (!(pkg in pkgfail)) { failed++; pkgfail[pkg] = 1 }
    printf "%s", pout[pkg]; delete pout[pkg]
    next
  }
  if (action == "pass") { passed++; delete buf[key] }
  else if (action == "skip") { skipped++; delete buf[key] }
  else if (action == "fail") { failed++; pkgfail[pkg] = 1; show(buf[key]); delete buf[key] }
}
END { printf "%d %d %d\n", passed, failed, skipped > counts }
AWK

# run_pass LABEL LOG [PREFIX...] runs go test, prefixed by PREFIX (an env
# command that changes its environment), and adds up the results.
run_pass() {
  local label=$1 log=$logs/$2.json start=$SECONDS rc p=0 f=0 s=0
  shift 2
  echo "== $label =="
  # shellcheck disable=SC2086 # GOTESTFLAGS is a list of flags
  "$@" go test -count=1 -timeout "$timeout" -json ${GOTESTFLAGS:-} ./... | tee "$log" | awk -v counts="$work/counts" "$summarize"
  rc=${PIPESTATUS[0]}
  [[ -s $work/counts ]] && read -r p f s <"$work/counts"
  rm -f "$work/counts"
  total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
  local result="ok"
  if ((rc != 0)); then
    failed=true
    result="FAILED"
    ((f == 0)) && f=1 && total_fail=$((total_fail + 1))
    echo "   (raw go test -json output: $log)"
  fi
  note "$label" "$(printf '%-7s %d passed, %d failed, %d skipped  (%ds)' "$result" "$p" "$f" "$s" $((SECONDS - start)))"
  echo
}

# --- the steps -----------------------------------------------------------

step_vet() {
  echo "== go vet ./... =="
  if go vet ./...; then
    note "go vet" "ok"
  else
    note "go vet" "FAILED"
    failed=true
  fi
  echo
}

step_sqlite() {
  run_pass "pass 1: SQLite + local folder" pass1 \
    env -u TEST_DATABASE_URL -u TEST_S3_ENDPOINT -u TEST_S3_ACCESS_KEY -u TEST_S3_SECRET_KEY \
    -u TEST_S3_BUCKET -u TEST_S3_USE_SSL -u WERKSTATT_TEST_ALL
}

# step_real finds PostgreSQL and S3, then runs pass 2 on what it found.
step_real() {
  local label=() missing=() why
  if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    label+=("PostgreSQL")
  elif why=$(create_db 2>&1 >"$work/db"); [[ -s $work/db ]]; then
    created_db=$(<"$work/db")
    export TEST_DATABASE_URL=$created_db
    local db=${created_db##*/}
    echo "PostgreSQL: fresh database ${db%%\?*} on 127.0.0.1:5432"
    label+=("PostgreSQL")
  else
    why=$(printf '%s' "$why" | head -n 1)
    $need_pg && {
      echo "FAIL PostgreSQL: TEST_DATABASE_URL unset and none on 127.0.0.1:5432 (${why:-no answer})"
      note "pass 2: PostgreSQL + S3" "FAILED  make test-postgres needs PostgreSQL"
      failed=true
      return
    }
    missing+=("PostgreSQL: TEST_DATABASE_URL unset and none on 127.0.0.1:5432 (${why:-no answer})")
  fi

  if [[ -n ${TEST_S3_ENDPOINT:-} ]]; then
    label+=("S3")
  else
    local tools=${WERKSTATT_TOOLS:-$(go env GOPATH)/bin}
    if [[ -x $tools/minio ]]; then
      echo "S3: starting MinIO via scripts/s3server.sh"
    else
      echo "S3: building MinIO into $tools, then starting it (the first build takes several minutes)"
    fi
    if scripts/s3server.sh start >"$work/s3.env" 2>"$work/s3.log"; then
      started_s3=true
      # shellcheck disable=SC1091
      source "$work/s3.env"
      echo "S3: MinIO on $TEST_S3_ENDPOINT"
      label+=("S3")
    else
      started_s3=true # a half-started server is stopped on exit too
      # The go tool's own message says most; else s3server's last word.
      why=$(grep '^go: ' "$work/s3.log" | tail -n 1)
      [[ -n $why ]] || why=$(grep . "$work/s3.log" | tail -n 1)
      missing+=("S3: scripts/s3server.sh could not build or start MinIO (${why:-no message})")
    fi
  fi

  local name="pass 2: PostgreSQL + S3"
  if ((${#missing[@]} > 0)); then
    local m
    for m in "${missing[@]}"; do
      if $strict; then
        echo "FAIL (WERKSTATT_TEST_ALL=1) $m"
      else
        echo "skipped $m"
      fi
    done
    if $strict; then
      local what
      printf -v what '%s, ' "${missing[@]%%:*}"
      note "$name" "FAILED  missing with WERKSTATT_TEST_ALL=1: ${what%, }"
      failed=true
      return
    fi
    if ((${#label[@]} == 0)); then
      note "$name" "skipped (no PostgreSQL, no S3 server)"
      return
    fi
    name="pass 2: ${label[0]} only"
  fi
  run_pass "$name" pass2
}

case $mode in
all)
  step_vet
  if $failed; then
    echo "go vet failed; fix it first, the tests were not run."
  else
    step_sqlite
    step_real
  fi
  ;;
sqlite) step_sqlite ;;
postgres)
  need_pg=true
  step_real
  ;;
esac

echo "== summary =="
for line in "${summary[@]}"; do
  echo "  $line"
done
note "total time" "${SECONDS}s"
echo "  ${summary[-1]}"
if $failed; then
  echo "FAIL: $total_pass passed, $total_fail failed, $total_skip skipped"
  exit 1
fi
echo "PASS: $total_pass passed, $total_fail failed, $total_skip skipped"
