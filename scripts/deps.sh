#!/usr/bin/env bash
# Check for the Debian packages kjob builds and tests with; install the
# missing ones when root, else print the exact command and fail.
# Fast when nothing is missing: one dpkg-query call.
set -euo pipefail

pkgs=(gcc make pkg-config curl jq iproute2 clang
      libcurl4-openssl-dev libcjson-dev libyaml-dev libevent-dev
      libcmocka-dev libssl-dev docker.io busybox-static docker-compose)
pkgs+=(${KJOB_EXTRA_DEPS:-})

missing=()
for p in "${pkgs[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing ${missing[*]}, and this is not a Debian-like system; install them by hand" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages; run: sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && $cmd -qq; } >/tmp/kjob-apt.log 2>&1; then
    echo "deps: '$cmd' failed; see /tmp/kjob-apt.log" >&2
    tail -n 5 /tmp/kjob-apt.log >&2
    exit 1
fi
