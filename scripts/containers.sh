#!/usr/bin/env bash
# CoffeeMesh as containers, from docker-compose.yml (docs/containers.md).
#   scripts/containers.sh up [--scale SERVICE=N ...]   install what is missing, build the images, start everything
#   scripts/containers.sh down [--volumes]             stop and remove the containers (--volumes: the data too)
#   scripts/containers.sh status                       one line per container
#   scripts/containers.sh build                        only build the images
#   scripts/containers.sh compose ARGS...              any docker-compose command against this deployment
# With a Docker engine (`docker info` answers) it runs `docker compose` with the public images. Without
# one it uses podman (installed from Debian if missing) through its Docker-compatible socket, with
# images built here: a Debian bookworm base from debootstrap, the servers from Debian packages, the
# .NET services published self-contained on this machine and copied onto the base.
# Idempotent: `up` twice starts nothing new; a second build reuses every cached layer.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${COFFEEMESH_CONTAINERS_DIR:-$ROOT/.containers}"
COMPOSE_FILE="$ROOT/docker-compose.yml"
PROJECT_NAME="${COMPOSE_PROJECT_NAME:-coffeemesh}"
# Not podman's default socket path on purpose: the AppHost switches to container mode when a
# runtime answers on /run/podman/podman.sock (aspire/CoffeeMesh.AppHost/Infrastructure.cs), and
# `./coffeemesh up` must keep using the local servers on a machine where this deployment runs.
PODMAN_SOCK="${COFFEEMESH_PODMAN_SOCK:-/run/coffeemesh/podman.sock}"
LOCAL_TAG=bookworm

log() { printf '[containers] %s\n' "$*" >&2; }
die() { printf '[containers] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- engine
# docker: a Docker engine answers; podman otherwise. COFFEEMESH_ENGINE=docker|podman overrides.
engine() {
  if [ -n "${COFFEEMESH_ENGINE:-}" ]; then echo "$COFFEEMESH_ENGINE"; return; fi
  if command -v docker >/dev/null 2>&1 && DOCKER_HOST= timeout 10 docker info >/dev/null 2>&1; then echo docker; else echo podman; fi
}

# ---------------------------------------------------------------- install (podman)
install_podman() {
  local missing=() p
  for p in podman runc debootstrap docker-compose; do command -v "$p" >/dev/null 2>&1 || missing+=("$p"); done
  # Service-name DNS between containers on a compose network (CNI's dnsname plugin).
  [ -x /usr/lib/cni/dnsname ] || missing+=(golang-github-containernetworking-plugin-dnsname)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} (apt-get)"
    mkdir -p "$STATE"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >"$STATE/apt.log" 2>&1 \
      || { tail -20 "$STATE/apt.log" >&2; die "apt-get install failed (see $STATE/apt.log)"; }
  fi
  containers_conf
}

# crun (podman's default runtime) cannot set rlimits in this kind of VM and refuses hybrid cgroups;
# runc works as long as no container asks for more open files than the host allows, so the
# defaults are the host's own limits.
containers_conf() {
  local f=/etc/containers/containers.conf
  if [ -f "$f" ] && grep -q 'coffeemesh' "$f"; then return; fi
  if [ -f "$f" ]; then
    grep -q 'runtime *= *"runc"' "$f" || log "warning: $f exists and does not choose runc; left as it is"
    return
  fi
  local nofile nproc
  nofile="$(ulimit -n)"
  nproc="$(ulimit -u)"
  [ "$nofile" = unlimited ] && nofile=1048576
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ]; then nproc=4096; fi
  mkdir -p /etc/containers
  cat >"$f" <<EOF
# Written by coffeemesh scripts/containers.sh: runc, and rlimits no higher than the host's (ulimit -n / -u).
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
  log "wrote $f (runc; nofile=$nofile, nproc=$nproc)"
}

podman_socket_alive() { curl -fsS --unix-socket "$PODMAN_SOCK" http://d/_ping >/dev/null 2>&1; }

# docker-compose talks to podman through its Docker-compatible API on a socket we start and own.
podman_socket_up() {
  podman_socket_alive && return
  mkdir -p "$(dirname "$PODMAN_SOCK")" "$STATE"
  rm -f "$PODMAN_SOCK"
  log "starting the podman API service on $PODMAN_SOCK"
  setsid nohup podman system service --time=0 "unix://$PODMAN_SOCK" >"$STATE/podman-service.log" 2>&1 &
  echo $! >"$STATE/podman-service.pid"
  local i
  for ((i = 0; i < 100; i++)); do podman_socket_alive && return; sleep 0.2; done
  tail -20 "$STATE/podman-service.log" >&2
  die "the podman API service did not answer on $PODMAN_SOCK"
}

podman_socket_down() {
  local pid
  pid="$(cat "$STATE/podman-service.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$STATE/podman-service.pid"
}

# ---------------------------------------------------------------- images (podman)
# The mirror apt already uses (no registry is reachable here, Debian's archive is).
debian_mirror() {
  local m
  m="$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)"
  [ -n "$m" ] || m="$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1 || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

# localhost/coffeemesh-base:bookworm, a minimal Debian bookworm root file system (debootstrap).
base_image() {
  local image="localhost/coffeemesh-base:$LOCAL_TAG"
  podman image exists "$image" && return
  local rootfs="$STATE/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  log "debootstrap bookworm from $(debian_mirror) (a few minutes)"
  debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$STATE/debootstrap.log" 2>&1 \
    || { tail -20 "$STATE/debootstrap.log" >&2; die "debootstrap failed (see $STATE/debootstrap.log)"; }
  # Lighter images: no package lists or apt caches in the base.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
  log "imported $image"
}

# The local server and runtime images, built FROM the base from Debian's packages: NAME DIRECTORY.
LOCAL_IMAGES=(
  "coffeemesh-runtime-deps deploy/runtime-deps"
  "coffeemesh-rabbitmq deploy/rabbitmq"
  "coffeemesh-mariadb deploy/mariadb"
  "coffeemesh-postgres deploy/postgres"
)

# What the compose file reads: passwords (made once, kept in $STATE/compose.env) and, with podman,
# the local image names in place of the public ones.
compose_env() {
  local f="$STATE/compose.env"
  mkdir -p "$STATE"
  if [ ! -f "$f" ]; then
    umask 077
    {
      echo "# Made by scripts/containers.sh for this deployment; passwords stay with its volumes."
      for k in RABBIT_PASSWORD MYSQL_ROOT_PASSWORD OLTP_PASSWORD INGEST_PASSWORD POSTGRES_PASSWORD; do
        echo "$k=$(openssl rand -hex 16)"
      done
    } >"$f"
    umask 022
  fi
  set -a
  # shellcheck disable=SC1090
  . "$f"
  set +a
  export COMPOSE_PROJECT_NAME="$PROJECT_NAME"
  export COFFEEMESH_LANDING="${COFFEEMESH_LANDING:-$ROOT/landing}"
  mkdir -p "$COFFEEMESH_LANDING"
  if [ "$ENGINE" = podman ]; then
    export DOCKER_HOST="unix://$PODMAN_SOCK"
    export RABBITMQ_IMAGE="${RABBITMQ_IMAGE:-localhost/coffeemesh-rabbitmq:$LOCAL_TAG}"
    export MYSQL_IMAGE="${MYSQL_IMAGE:-localhost/coffeemesh-mariadb:$LOCAL_TAG}"
    export POSTGRES_IMAGE="${POSTGRES_IMAGE:-localhost/coffeemesh-postgres:$LOCAL_TAG}"
    export DOTNET_BASE_IMAGE="${DOTNET_BASE_IMAGE:-localhost/coffeemesh-runtime-deps:$LOCAL_TAG}"
    export DOTNET_PUBLISH=host
    export IMAGE_PREFIX="${IMAGE_PREFIX:-localhost/coffeemesh}"
  fi
}

compose() {
  if [ "$ENGINE" = docker ] && docker compose version >/dev/null 2>&1; then
    docker compose -f "$COMPOSE_FILE" -p "$PROJECT_NAME" "$@"
  else
    # docker-compose 1.29 (Debian's): podman-compose 1.0 ignores --scale; this one scales, through podman's socket.
    docker-compose -f "$COMPOSE_FILE" -p "$PROJECT_NAME" "$@"
  fi
}

# The .NET services in the compose file, one line each: SERVICE IMAGE PROJECT (a new service's
# block is all it takes to be published and built).
dotnet_services() {
  compose config 2>/dev/null | python3 -c '
import sys, yaml
for name, s in yaml.safe_load(sys.stdin)["services"].items():
    project = ((s.get("build") or {}).get("args") or {}).get("PROJECT")
    if project: print(name, s["image"], project)'
}

# Newest source file a service image is made from (a publish is skipped when nothing is newer).
sources_changed_since() {
  local stamp="$1"
  [ -f "$stamp" ] || return 0
  [ -n "$(find "$ROOT/services" "$ROOT/contracts" "$ROOT/aspire/CoffeeMesh.ServiceDefaults" "$ROOT/tools" \
      "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" \
      \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# dotnet publish -r linux-x64 --self-contained for each .NET service, into .containers/publish/PROJECT.
publish_services() {
  local stamp="$STATE/publish/.stamp" service image project csproj
  if ! sources_changed_since "$stamp"; then log "published apps are up to date"; return; fi
  mkdir -p "$STATE/publish"
  touch "$stamp.new"
  while read -r service image project; do
    csproj="$(find "$ROOT" \( -name bin -o -name obj -o -name .containers -o -name .git \) -prune -o -name "$project.csproj" -print | head -n1)"
    [ -n "$csproj" ] || die "no $project.csproj for service $service"
    log "publishing $project (self-contained, linux-x64)"
    dotnet publish "$csproj" -c Release -r linux-x64 --self-contained -nologo -v q -clp:ErrorsOnly \
      -o "$STATE/publish/$project" >"$STATE/publish-$project.log" 2>&1 \
      || { cat "$STATE/publish-$project.log" >&2; die "dotnet publish $project failed"; }
    ln -sfn "$project" "$STATE/publish/$project/entrypoint"
  done < <(dotnet_services | awk '!seen[$3]++')
  mv "$stamp.new" "$stamp"
}

build_images_podman() {
  local name dir service image project
  base_image
  for entry in "${LOCAL_IMAGES[@]}"; do
    read -r name dir <<<"$entry"
    log "building localhost/$name:$LOCAL_TAG"
    podman build -q --layers -f "$ROOT/$dir/Dockerfile" --build-arg "BASE_IMAGE=localhost/coffeemesh-base:$LOCAL_TAG" \
      -t "localhost/$name:$LOCAL_TAG" "$ROOT" >"$STATE/build-$name.log" 2>&1 \
      || { tail -30 "$STATE/build-$name.log" >&2; die "building $name failed"; }
  done
  publish_services
  while read -r service image project; do
    log "building $image ($project)"
    podman build -q --layers -f "$ROOT/deploy/service.Dockerfile" --build-arg "PROJECT=$project" \
      --build-arg PUBLISH=host --build-arg "BASE_IMAGE=$DOTNET_BASE_IMAGE" -t "$image" "$ROOT" \
      >"$STATE/build-$service.log" 2>&1 \
      || { tail -30 "$STATE/build-$service.log" >&2; die "building $image failed"; }
  done < <(dotnet_services)
}

build_images() {
  if [ "$ENGINE" = podman ]; then build_images_podman; else compose build; fi
}

# ---------------------------------------------------------------- health
# Health of one container: healthy | unhealthy | starting | none (no healthcheck) | missing.
# Podman runs healthchecks from systemd timers; with no systemd (these machines) nobody runs them,
# so with podman each check is run here, which also records the result compose waits on.
health_of() {
  local id="$1"
  if [ "$ENGINE" = podman ]; then
    podman container exists "$id" || { echo missing; return; }
    [ "$(podman inspect -f '{{if .Config.Healthcheck}}yes{{end}}' "$id" 2>/dev/null)" = yes ] || { echo none; return; }
    podman healthcheck run "$id" >/dev/null 2>&1 || true
    podman inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo missing
  else
    docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id" 2>/dev/null || echo missing
  fi
}

# wait_healthy SECONDS SERVICE...: every container of each service healthy (or without a check).
wait_healthy() {
  local secs="$1"; shift
  local deadline=$((SECONDS + secs)) service id state pending
  while :; do
    pending=()
    for service in "$@"; do
      for id in $(compose ps -q "$service"); do
        state="$(health_of "$id")"
        case "$state" in healthy | none) ;; *) pending+=("$service:$state") ;; esac
      done
    done
    [ "${#pending[@]}" -eq 0 ] && return
    [ "$SECONDS" -ge "$deadline" ] && die "not healthy after ${secs}s: ${pending[*]}"
    sleep 2
  done
}

wait_ingest() {
  local url="http://127.0.0.1:${INGEST_PORT:-5380}/health" i
  for ((i = 0; i < 180; i++)); do
    curl -fsS "$url" >/dev/null 2>&1 && return
    sleep 1
  done
  compose logs --tail 30 ingest >&2 || true
  die "ingest did not answer $url within 180 s"
}

# ---------------------------------------------------------------- commands
prepare() {
  ENGINE="$(engine)"
  if [ "$ENGINE" = podman ]; then
    install_podman
    podman_socket_up
  fi
  compose_env
}

cmd="${1:-status}"
shift || true
case "$cmd" in
  up)
    scale=()
    build=true
    while [ $# -gt 0 ]; do
      case "$1" in
        --scale) [ $# -ge 2 ] || die "--scale needs SERVICE=N"; scale+=(--scale "$2"); shift 2 ;;
        --scale=*) scale+=(--scale "${1#--scale=}"); shift ;;
        --no-build) build=false; shift ;;
        *) die "unknown option '$1' (up [--scale SERVICE=N ...] [--no-build])" ;;
      esac
    done
    prepare
    log "engine: $ENGINE"
    $build && build_images
    # The servers first, healthy, then everything (compose's own wait on health needs the checks run: see health_of).
    compose up -d --no-build rabbitmq mysql postgres gcs
    wait_healthy 240 rabbitmq mysql postgres
    compose up -d --no-build "${scale[@]}"
    wait_ingest
    compose ps
    log "up: ingest API on http://127.0.0.1:${INGEST_PORT:-5380} (./coffeemesh ingest FILE --wait)"
    ;;
  down)
    volumes=()
    [ "${1:-}" = --volumes ] && volumes=(--volumes)
    prepare
    compose down "${volumes[@]}"
    # The API service is shared by every deployment on this machine (COMPOSE_PROJECT_NAME): it
    # stops with the last container.
    if [ "$ENGINE" = podman ] && [ -z "$(podman ps -a -q)" ]; then podman_socket_down; fi
    ;;
  status)
    prepare
    compose ps
    if curl -fsS "http://127.0.0.1:${INGEST_PORT:-5380}/health" >/dev/null 2>&1; then
      log "ingest answers on http://127.0.0.1:${INGEST_PORT:-5380}"
    else
      log "ingest does not answer on http://127.0.0.1:${INGEST_PORT:-5380}"
    fi
    ;;
  build)
    prepare
    build_images
    ;;
  compose)
    prepare
    compose "$@"
    ;;
  engine)
    engine
    ;;
  *) die "usage: $0 up [--scale SERVICE=N ...] [--no-build] | down [--volumes] | status | build | compose ARGS... | engine" ;;
esac
