#!/usr/bin/env bash
# Make sure a Docker engine answers. Use the one at $DOCKER_HOST or the default
# socket; otherwise, as root, start Debian's dockerd the way DESIGN.md says:
# no default bridge, no masquerading, no forwarding, so nothing leaves the host.
set -euo pipefail

log=${KJOB_ENGINE_LOG:-/var/log/kjob-dockerd.log}
sock=/var/run/docker.sock

ping_engine() {
    if [ -n "${DOCKER_HOST:-}" ]; then
        docker version --format '{{.Server.Version}}' >/dev/null 2>&1
    else
        curl -fsS --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
    fi
}

if ping_engine; then
    echo "engine: a Docker engine answers${DOCKER_HOST:+ at $DOCKER_HOST}"
    exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
    echo "engine: no Docker engine answers at DOCKER_HOST=$DOCKER_HOST" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "engine: no Docker engine at $sock; start one as root with: sudo make engine" >&2
    exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
    echo "engine: dockerd is missing; install it with: apt-get install -y docker.io" >&2
    exit 1
fi

# A stale pid file from an engine that died would stop a new one from starting.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
fi
if [ -f /run/containerd/containerd.pid ] && ! kill -0 "$(cat /run/containerd/containerd.pid)" 2>/dev/null; then
    rm -f /run/containerd/containerd.pid
fi

sysctl -qw net.ipv4.ip_forward=0 >/dev/null 2>&1 || true
echo "engine: starting dockerd (log: $log)"
setsid nohup dockerd --bridge=none --ip-masq=false --ip-forward=false \
    >>"$log" 2>&1 </dev/null &

for _ in $(seq 1 120); do
    if ping_engine; then
        echo "engine: dockerd is up"
        exit 0
    fi
    sleep 0.5
done
echo "engine: dockerd did not answer /_ping within 60 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
