#!/usr/bin/env bash
# The test bed's own Docker daemon (Debian docker.io), for building images from our Dockerfiles:
#   scripts/e2e/dockerd.sh start   starts it unless it answers already; prints DOCKER_HOST=… and STARTED=true|false
#   scripts/e2e/dockerd.sh stop    stops the daemon this script started (by its pid file)
# Its own socket, exec root and data root (the data root is in the cache, so built layers survive runs).
# `--bridge=none --iptables=false --ip-masq=false`: no default bridge and no NAT rules on this machine;
# builds that need the package registries run with `--network host` instead.
set -euo pipefail

cache=${XRAY_OPERATOR_CACHE:-$HOME/.cache/xray-operator}
run_dir=/run/xray-operator-docker
sock="$run_dir/docker.sock"
pid_file="$run_dir/dockerd.pid"
export DOCKER_HOST="unix://$sock"
docker=/usr/bin/docker

answers() { "$docker" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start() {
  if answers; then
    printf 'DOCKER_HOST=%s\nSTARTED=false\n' "$DOCKER_HOST"
    return 0
  fi
  command -v dockerd >/dev/null || { echo "dockerd.sh: dockerd missing (scripts/e2e/prepare-node.sh installs docker.io)" >&2; exit 1; }
  mkdir -p "$run_dir" "$cache/docker"
  rm -f "$sock" "$pid_file"
  setsid dockerd --host "$DOCKER_HOST" --data-root "$cache/docker" --exec-root "$run_dir/exec" \
    --pidfile "$pid_file" --bridge=none --iptables=false --ip-masq=false --storage-driver=overlay2 \
    >"$cache/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if answers; then
      printf 'DOCKER_HOST=%s\nSTARTED=true\n' "$DOCKER_HOST"
      return 0
    fi
    sleep 0.5
  done
  echo "dockerd.sh: dockerd did not answer within 60 s; log tail:" >&2
  tail -20 "$cache/dockerd.log" >&2
  exit 1
}

stop() {
  [[ -f $pid_file ]] || return 0
  local pid
  pid=$(cat "$pid_file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/e2e/dockerd.sh start|stop" >&2; exit 2 ;;
esac
