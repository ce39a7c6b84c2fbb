#!/usr/bin/env bash
# Local infrastructure without Docker: RabbitMQ (management), MariaDB (our MySQL here) and
# PostgreSQL 15 on 127.0.0.1, data under .infra/ of the repo.
#   scripts/infra.sh up       install what is missing, start what is not running, create stores
#   scripts/infra.sh down     stop only what `up` started (pid files under .infra/)
#   scripts/infra.sh status   one line per server
#   scripts/infra.sh restart rabbitmq|mariadb|postgresql
#   scripts/infra.sh broker-alarm on|off   RabbitMQ blocks (or unblocks) every publisher
#   scripts/infra.sh env      print the connection settings (KEY=VALUE) for the services
# Idempotent: `up` twice is a no-op the second time; `down` on nothing is a no-op.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="${COFFEEMESH_INFRA_DIR:-$ROOT/.infra}"
RABBIT_PORT="${COFFEEMESH_RABBIT_PORT:-5672}"
RABBIT_MGMT_PORT="${COFFEEMESH_RABBIT_MGMT_PORT:-15672}"
RABBIT_DIST_PORT="${COFFEEMESH_RABBIT_DIST_PORT:-25672}"
MYSQL_PORT="${COFFEEMESH_MYSQL_PORT:-3307}"
PG_PORT="${COFFEEMESH_PG_PORT:-5433}"
PG_BIN="/usr/lib/postgresql/15/bin"
# The servers' settings, shared with the containers (docker-compose.yml): one place for each.
RABBIT_CONF="$ROOT/deploy/rabbitmq/coffeemesh.conf"
MARIADB_CNF="$ROOT/deploy/mariadb/coffeemesh.cnf"
PG_CONF="$ROOT/deploy/postgres/coffeemesh.conf"
PG_INITDB_ENV="$ROOT/deploy/postgres/initdb.env"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

# A pid is alive only if the process exists and is not a zombie: a dead daemon whose parent
# never reaped it still answers kill -0 here.
alive() {
  local pid="${1:-}"
  [ -n "$pid" ] || return 1
  local state
  state="$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')" || return 1
  [ -n "$state" ] && [ "${state:0:1}" != "Z" ]
}
pid_of() { [ -f "$1" ] && head -n1 "$1" | tr -d ' \n' || true; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local i
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what did not become ready within ${secs}s"
}

# ---------------------------------------------------------------- install
install_packages() {
  local missing=()
  command -v /usr/lib/rabbitmq/bin/rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  # Headless Chromium for the dashboard's browser tests (Playwright drives it; it downloads none).
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # Debian's maintainer scripts try to start the daemons; there is no init system here, so
    # policy-rc.d refuses, which is what we want: we start our own instances below.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$INFRA/apt.log" 2>&1 \
      || { tail -20 "$INFRA/apt.log" >&2; die "apt-get install failed (see $INFRA/apt.log)"; }
  fi
}

# ---------------------------------------------------------------- credentials
credentials() {
  local f="$INFRA/credentials.env"
  if [ ! -f "$f" ]; then
    umask 077
    {
      echo "RABBIT_USER=coffeemesh"
      echo "RABBIT_PASSWORD=$(openssl rand -hex 16)"
      echo "OLTP_USER=coffeemesh_oltp"
      echo "OLTP_PASSWORD=$(openssl rand -hex 16)"
      echo "INGEST_USER=coffeemesh_ingest"
      echo "INGEST_PASSWORD=$(openssl rand -hex 16)"
      echo "OLAP_USER=coffeemesh_olap"
      echo "OLAP_PASSWORD=$(openssl rand -hex 16)"
    } >"$f"
    umask 022
  fi
  # shellcheck disable=SC1090
  . "$f"
}

# ---------------------------------------------------------------- rabbitmq
rabbit_env() {
  export HOME="$INFRA/rabbitmq/home"
  export RABBITMQ_NODENAME=rabbit@localhost
  export RABBITMQ_MNESIA_BASE="$INFRA/rabbitmq/mnesia"
  export RABBITMQ_LOG_BASE="$INFRA/rabbitmq/log"
  export RABBITMQ_CONFIG_FILE="$INFRA/rabbitmq/rabbitmq"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$INFRA/rabbitmq/enabled_plugins"
  export RABBITMQ_PID_FILE="$INFRA/rabbitmq/rabbit.pid"
  export RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT=4369
}
rabbitmqctl_() { (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -n rabbit@localhost "$@"); }

rabbit_up() {
  local dir="$INFRA/rabbitmq"
  if alive "$(pid_of "$dir/rabbit.pid")"; then log "rabbitmq already running"; return; fi
  port_open "$RABBIT_PORT" && die "port $RABBIT_PORT is taken by a RabbitMQ we did not start"
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  echo '[rabbitmq_management].' >"$dir/enabled_plugins"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
default_user = $RABBIT_USER
default_pass = $RABBIT_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
EOF
  cat "$RABBIT_CONF" >>"$dir/rabbitmq.conf"
  # epmd is shared by every Erlang node on the machine: start one on loopback if none runs,
  # and remember that we did so `down` can stop it.
  if ! port_open 4369; then
    (rabbit_env; epmd -address 127.0.0.1 -daemon)
    wait_for 10 "epmd" port_open 4369
    # The newest live epmd is ours (a zombie one, dead but unreaped, would still match pgrep).
    # (`|| true`: a zombie as the last match must not fail the pipeline, which `set -e` would end silently.)
    for p in $(pgrep -x epmd); do alive "$p" && echo "$p" || true; done | tail -n1 >"$dir/epmd.pid"
  fi
  log "starting rabbitmq on 127.0.0.1:$RABBIT_PORT (management :$RABBIT_MGMT_PORT)"
  (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmq-server -detached >"$dir/log/start.out" 2>&1)
  wait_for 60 "rabbitmq pid file" test -s "$dir/rabbit.pid"
  wait_for 60 "rabbitmq" rabbitmqctl_ await_startup
  wait_for 30 "rabbitmq management" curl -fsS -u "$RABBIT_USER:$RABBIT_PASSWORD" "http://127.0.0.1:$RABBIT_MGMT_PORT/api/overview"
}

rabbit_down() {
  local dir="$INFRA/rabbitmq" pid
  pid="$(pid_of "$dir/rabbit.pid")"
  if alive "$pid"; then
    log "stopping rabbitmq ($pid)"
    rabbitmqctl_ stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.2; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/rabbit.pid"
  pid="$(pid_of "$dir/epmd.pid")"
  if alive "$pid"; then log "stopping epmd ($pid)"; kill "$pid" 2>/dev/null || true; fi
  rm -f "$dir/epmd.pid"
}

# ---------------------------------------------------------------- mariadb
mysql_root() { mariadb --no-defaults --protocol=socket --socket="$INFRA/mariadb/mysqld.sock" -uroot "$@"; }

mariadb_up() {
  local dir="$INFRA/mariadb"
  if alive "$(pid_of "$dir/mariadb.pid")"; then log "mariadb already running"; else
    port_open "$MYSQL_PORT" && die "port $MYSQL_PORT is taken by a MySQL we did not start"
    mkdir -p "$dir"
    if [ ! -d "$dir/data/mysql" ]; then
      log "initialising mariadb data directory"
      mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
        --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
        || { tail -20 "$dir/install.log" >&2; die "mariadb-install-db failed"; }
    fi
    log "starting mariadb on 127.0.0.1:$MYSQL_PORT"
    # --user=root: mariadbd refuses to run as root unless told to.
    # Only CoffeeMesh's settings file (no system my.cnf); where to listen on the command line.
    nohup mariadbd --defaults-file="$MARIADB_CNF" --user=root --datadir="$dir/data" \
      --bind-address=127.0.0.1 --port="$MYSQL_PORT" --socket="$dir/mysqld.sock" \
      --pid-file="$dir/mariadb.pid" --log-error="$dir/error.log" >/dev/null 2>&1 &
    wait_for 60 "mariadb" mysql_root -e "SELECT 1"
  fi
  mysql_root <<EOF
CREATE DATABASE IF NOT EXISTS coffee_shop_sales CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE DATABASE IF NOT EXISTS coffeemesh_ingest CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS '$OLTP_USER'@'127.0.0.1' IDENTIFIED BY '$OLTP_PASSWORD';
CREATE USER IF NOT EXISTS '$OLTP_USER'@'localhost' IDENTIFIED BY '$OLTP_PASSWORD';
CREATE USER IF NOT EXISTS '$INGEST_USER'@'127.0.0.1' IDENTIFIED BY '$INGEST_PASSWORD';
CREATE USER IF NOT EXISTS '$INGEST_USER'@'localhost' IDENTIFIED BY '$INGEST_PASSWORD';
-- Least privilege: each service owns its own databases (the suffix pattern lets tests and
-- benchmarks create isolated copies such as coffee_shop_sales_t1a2b).
GRANT ALL PRIVILEGES ON \`coffee\\_shop\\_sales%\`.* TO '$OLTP_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`coffee\\_shop\\_sales%\`.* TO '$OLTP_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`coffeemesh\\_ingest%\`.* TO '$INGEST_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`coffeemesh\\_ingest%\`.* TO '$INGEST_USER'@'localhost';
FLUSH PRIVILEGES;
EOF
}

mariadb_down() {
  local dir="$INFRA/mariadb" pid
  pid="$(pid_of "$dir/mariadb.pid")"
  if alive "$pid"; then
    log "stopping mariadb ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do alive "$pid" || break; sleep 0.2; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/mariadb.pid"
}

# ---------------------------------------------------------------- postgresql
pg_dir() {
  # postgres runs as the postgres user, which must reach its data directory. A repo under a
  # root-only path (0700) cannot hold it, so fall back to /var/lib/coffeemesh keyed by repo.
  local d="$INFRA/postgres"
  mkdir -p "$d"
  if ! runuser -u postgres -- test -x "$INFRA" 2>/dev/null; then
    local alt="/var/lib/coffeemesh/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/postgres"
    mkdir -p "$alt"
    d="$alt"
  fi
  echo "$d"
}
# deploy/postgres/coffeemesh.conf as `-c name=value` options (one `name = value` per line there).
pg_settings() { sed -n 's/^[[:space:]]*\([a-z_]*\)[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*$/-c \1=\2/p' "$PG_CONF" | tr '\n' ' '; }
psql_admin() { local d; d="$(pg_dir)"; runuser -u postgres -- "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$d/run" -p "$PG_PORT" -d postgres "$@"; }

postgres_up() {
  local d; d="$(pg_dir)"
  if alive "$(pid_of "$d/data/postmaster.pid")"; then log "postgresql already running"; else
    port_open "$PG_PORT" && die "port $PG_PORT is taken by a PostgreSQL we did not start"
    mkdir -p "$d/run"
    chown postgres:postgres "$d" "$d/run"
    if [ ! -f "$d/data/PG_VERSION" ]; then
      log "initialising postgresql data directory"
      mkdir -p "$d/data"; chown postgres:postgres "$d/data"; chmod 0700 "$d/data"
      # shellcheck disable=SC2046 # a list of arguments
      runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -U postgres $(sed -n 's/^POSTGRES_INITDB_ARGS=//p' "$PG_INITDB_ENV") \
        --auth-local=peer --auth-host=scram-sha-256 >"$d/initdb.log" 2>&1 \
        || { tail -20 "$d/initdb.log" >&2; die "initdb failed"; }
    fi
    log "starting postgresql on 127.0.0.1:$PG_PORT"
    touch "$d/postgres.log"; chown postgres:postgres "$d/postgres.log"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $d/run -c listen_addresses=127.0.0.1 $(pg_settings)" \
      start >/dev/null || { tail -20 "$d/postgres.log" >&2; die "postgresql did not start"; }
  fi
  psql_admin <<EOF
SELECT 'CREATE ROLE $OLAP_USER LOGIN CREATEDB'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$OLAP_USER')\gexec
ALTER ROLE $OLAP_USER WITH LOGIN CREATEDB PASSWORD '$OLAP_PASSWORD';
SELECT 'CREATE DATABASE coffee_sales_data OWNER $OLAP_USER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'coffee_sales_data')\gexec
EOF
}

postgres_down() {
  local d; d="$(pg_dir)"
  if alive "$(pid_of "$d/data/postmaster.pid")"; then
    log "stopping postgresql"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -m fast -w -t 60 stop >/dev/null || true
  fi
}

# ---------------------------------------------------------------- connection settings
write_env() {
  local f="$INFRA/connections.env"
  umask 077
  # Single-quoted so the file can be sourced by a shell as well as read as KEY=VALUE lines.
  cat >"$f" <<EOF
ConnectionStrings__rabbitmq='amqp://$RABBIT_USER:$RABBIT_PASSWORD@127.0.0.1:$RABBIT_PORT/'
ConnectionStrings__oltp='Server=127.0.0.1;Port=$MYSQL_PORT;User ID=$OLTP_USER;Password=$OLTP_PASSWORD;Database=coffee_shop_sales;AllowLoadLocalInfile=true;AllowUserVariables=true'
ConnectionStrings__ingestdb='Server=127.0.0.1;Port=$MYSQL_PORT;User ID=$INGEST_USER;Password=$INGEST_PASSWORD;Database=coffeemesh_ingest;AllowUserVariables=true'
ConnectionStrings__olap='Host=127.0.0.1;Port=$PG_PORT;Username=$OLAP_USER;Password=$OLAP_PASSWORD;Database=coffee_sales_data'
COFFEEMESH_RABBIT_MANAGEMENT='http://$RABBIT_USER:$RABBIT_PASSWORD@127.0.0.1:$RABBIT_MGMT_PORT'
EOF
  umask 022
}

status() {
  local d; d="$(pg_dir)"
  for s in "rabbitmq:$INFRA/rabbitmq/rabbit.pid:$RABBIT_PORT" "mariadb:$INFRA/mariadb/mariadb.pid:$MYSQL_PORT" \
    "postgresql:$d/data/postmaster.pid:$PG_PORT"; do
    IFS=: read -r name pidf port <<<"$s"
    if alive "$(pid_of "$pidf")"; then echo "$name running (pid $(pid_of "$pidf"), 127.0.0.1:$port)"
    else echo "$name stopped"; fi
  done
}

cmd="${1:-up}"
mkdir -p "$INFRA"
case "$cmd" in
  up)
    install_packages
    credentials
    rabbit_up
    mariadb_up
    postgres_up
    write_env
    log "ready: settings in $INFRA/connections.env"
    ;;
  down)
    credentials
    rabbit_down
    mariadb_down
    postgres_down
    ;;
  restart)
    # restart one server (tests use it to prove an outage loses nothing): rabbitmq | mariadb | postgresql
    credentials
    case "${2:-}" in
      rabbitmq) rabbit_down; rabbit_up ;;
      mariadb) mariadb_down; mariadb_up ;;
      postgresql) postgres_down; postgres_up ;;
      *) die "usage: $0 restart rabbitmq|mariadb|postgresql" ;;
    esac
    ;;
  broker-alarm)
    # on: RabbitMQ raises its memory alarm and blocks every publishing connection (what a broker
    # under memory pressure does); off: back to the configured watermark. Tests of hung publishes use it.
    credentials
    case "${2:-}" in
      on) rabbitmqctl_ set_vm_memory_high_watermark 0 >/dev/null ;;
      off) rabbitmqctl_ set_vm_memory_high_watermark "$(sed -n 's/^vm_memory_high_watermark.relative *= *//p' "$RABBIT_CONF")" >/dev/null ;;
      *) die "usage: $0 broker-alarm on|off" ;;
    esac
    ;;
  status) status ;;
  env) [ -f "$INFRA/connections.env" ] || die "run '$0 up' first"; cat "$INFRA/connections.env" ;;
  *) die "usage: $0 up|down|status|env|restart SERVER|broker-alarm on|off" ;;
esac
