#!/usr/bin/env bash
# The container deployment at scale, end to end (docs/containers.md). Not run by CI: it builds the
# images and starts a dozen containers, several minutes on a 2-core machine. Run it by hand:
#   scripts/containers-test.sh [ROWS]          (150000 by default)
# It brings up its own deployment (compose project coffeemesh-test, ingest on 127.0.0.1:5381, its own
# volumes and landing folder, so a running `./coffeemesh containers up` is left alone) with three
# transforms and two oltp-writers, then:
#   1. ingests a generated file of ROWS rows and compares MySQL's and PostgreSQL's row count, quantity
#      and amount (queried inside their containers) with the file's;
#   2. counts, from the containers' logs, how many transform and oltp-writer containers handled
#      batches of that ingestion (3 and 2 expected);
#   3. backfills a second file (same ids, other sales: a transaction is replaced where both files give
#      it the same date, added otherwise), stops one transform container while it is cleaning, and
#      compares both stores with the two files merged (the second file's row wins).
# Removes its deployment and volumes at the end (KEEP=1 keeps them). Prints the timings it measured.
# Exit status 0 only if every check passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${1:-150000}"
C="$ROOT/scripts/containers.sh"
export COMPOSE_PROJECT_NAME=coffeemesh-test
export INGEST_PORT="${INGEST_PORT:-5381}"
export DASHBOARD_PORT="${DASHBOARD_PORT:-5391}"
export COFFEEMESH_INGEST_URL="http://127.0.0.1:$INGEST_PORT"
WORK="$(mktemp -d /tmp/coffeemesh-containers-test.XXXXXX)"
export COFFEEMESH_LANDING="$WORK/landing"
mkdir -p "$COFFEEMESH_LANDING"
failures=0

say() { printf '[containers-test] %s\n' "$*" >&2; }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then say "ok    $1: $3"; else say "FAIL  $1: expected $2, got $3"; failures=$((failures + 1)); fi
}
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then say "kept: COMPOSE_PROJECT_NAME=$COMPOSE_PROJECT_NAME $C status"; return; fi
  "$C" down --volumes >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ENGINE="$("$C" engine)"
# The rows, total quantity and total amount of a generated (clean) file, as the stores should hold
# them: transform converts each unit_price by Cleaning:PriceFactor (15, a currency conversion, see
# CleaningOptions) rounded half away from zero to the cent; the amount is quantity times that price.
PRICE_FACTOR=15
# Several files: the later file's row of a transaction wins. A transaction is its id and its date
# (the stores' transaction_id is "<id>_<yyyyMMdd>"), so two generated files share only the ids
# they give the same date.
file_totals() {
  awk -F';' -v f="$PRICE_FACTOR" 'FNR > 1 { split($2, d, "/"); k = int($1) "_" d[1] d[2] d[3]; q[k] = $4; c[k] = $4 * int($8 * f * 100 + 0.5) }
    END { for (k in q) { n++; tq += q[k]; tc += c[k] } printf "%d %d %.2f\n", n, tq, tc / 100 }' "$@"
}
container() { "$C" compose ps -q "$1" | head -n1 || true; }
mysql_totals() {
  # shellcheck disable=SC1091
  . "$ROOT/.containers/compose.env"
  "$ENGINE" exec "$(container mysql)" mysql -uroot -p"$MYSQL_ROOT_PASSWORD" -N -B \
    -e "SELECT COUNT(*), COALESCE(SUM(transaction_qty), 0), COALESCE(SUM(total_amount), 0) FROM coffee_shop_sales.sales" | tr '\t' ' '
}
postgres_totals() {
  "$ENGINE" exec "$(container postgres)" psql -X -At -F ' ' -U coffeemesh_olap -d coffee_sales_data \
    -c "SELECT COUNT(*), COALESCE(SUM(transaction_qty), 0), COALESCE(SUM(total_amount), 0) FROM fact_sales"
}
# Containers of SERVICE whose log names a batch of ingestion ID, one line each: CONTAINER BATCHES.
batches_by_container() {
  local id
  for id in $("$C" compose ps -a -q "$1"); do
    local n
    n="$("$ENGINE" logs "$id" 2>&1 | grep -c "Batch $2/" || true)"
    [ "$n" -gt 0 ] && echo "$("$ENGINE" inspect -f '{{.Name}}' "$id" | tr -d /) $n"
  done
  return 0
}
ingestion_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["ingestion_id"])'; }

say "engine: $ENGINE; work folder $WORK"
t=$SECONDS
"$C" up --scale transform=3 --scale oltp-writer=2
up_seconds=$((SECONDS - t))

"$ROOT/coffeemesh" generate --rows "$ROWS" --out "$WORK/sales-1.csv" --start 2025-01-01 --days 90 --seed 1 >/dev/null
"$ROOT/coffeemesh" generate --rows "$ROWS" --out "$WORK/sales-2.csv" --start 2025-01-01 --days 90 --seed 2 >/dev/null

# 1. one ingestion at scale
say "ingesting $ROWS rows"
t=$SECONDS
"$ROOT/coffeemesh" ingest "$WORK/sales-1.csv" --wait --json >"$WORK/ingest-1.json"
ingest_seconds=$((SECONDS - t))
id1="$(ingestion_id <"$WORK/ingest-1.json")"
expected="$(file_totals "$WORK/sales-1.csv")"
check "MySQL rows/quantity/amount" "$expected" "$(mysql_totals)"
check "PostgreSQL rows/quantity/amount" "$expected" "$(postgres_totals)"

# 2. which containers did the work
batches_by_container transform "$id1" | sed 's/^/    transform /' >&2
batches_by_container oltp-writer "$id1" | sed 's/^/    oltp-writer /' >&2
check "transform containers that cleaned batches of $id1" 3 "$(batches_by_container transform "$id1" | wc -l)"
check "oltp-writer containers that stored batches of $id1" 2 "$(batches_by_container oltp-writer "$id1" | wc -l)"

# 3. a backfill that loses a transform container half way
say "backfilling a second file; one transform container will be stopped while it cleans"
t=$SECONDS
"$ROOT/coffeemesh" ingest "$WORK/sales-2.csv" --from 2025-01-01 --to 2025-03-31 --wait --json >"$WORK/ingest-2.json" &
backfill=$!
stopped=""
for _ in $(seq 1 600); do
  ids="$(curl -fsS "$COFFEEMESH_INGEST_URL/ingestions?limit=5" 2>/dev/null | grep -oE '"ingestion_id":"[^"]+"' | cut -d'"' -f4 || true)"
  for id in $ids; do
    [ "$id" = "$id1" ] && continue
    # The first transform container that has cleaned two of its batches is stopped mid-stream.
    # (|| true: awk stops reading at its first match, which pipefail would turn into a failure.)
    victim="$(batches_by_container transform "$id" | awk '$2 >= 2 { print $1; exit }' || true)"
    if [ -n "$victim" ]; then "$ENGINE" stop -t 0 "$victim" >/dev/null; stopped="$victim"; id2="$id"; break 2; fi
  done
  kill -0 "$backfill" 2>/dev/null || break
  sleep 0.5
done
backfill_status=0
wait "$backfill" || backfill_status=$?
backfill_seconds=$((SECONDS - t))
check "backfill exit status" 0 "$backfill_status"
if [ -n "$stopped" ]; then say "stopped $stopped during ingestion $id2"; else say "FAIL  no transform container was stopped (the backfill ended first)"; failures=$((failures + 1)); fi
batches_by_container transform "$(ingestion_id <"$WORK/ingest-2.json")" | sed 's/^/    transform /' >&2
expected="$(file_totals "$WORK/sales-1.csv" "$WORK/sales-2.csv")"
check "MySQL rows/quantity/amount after the backfill" "$expected" "$(mysql_totals)"
check "PostgreSQL rows/quantity/amount after the backfill" "$expected" "$(postgres_totals)"

say "timings: containers up ${up_seconds}s (images built or reused), ingestion of $ROWS rows ${ingest_seconds}s, backfill with a stopped transform ${backfill_seconds}s"
if [ "$failures" -eq 0 ]; then say "all checks passed"; else say "$failures check(s) failed"; fi
exit $((failures > 0))
