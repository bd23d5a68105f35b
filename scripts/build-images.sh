#!/usr/bin/env bash
# Build kjob's local images from this repository's binaries, offline: no
# registry, no Dockerfile, no base image. Each image is a minimal root
# filesystem (the binary, exactly the shared libraries ldd lists incl. the
# dynamic loader, /etc/passwd and /etc/group with nobody, /tmp) fed to
# `docker import`.
#
#   scripts/build-images.sh <bindir>      (make images passes build/default/bin)
#
#   kjob/kuard:latest    CMD ["/kuard"], USER 65534:65534, no ENTRYPOINT (as
#                        kuard's blue image); also tagged
#                        gcr.io/kuar-demo/kuard-amd64:blue for the book's manifests
#   kjob/kjobd:latest    CMD ["/kjobd"], root; only when <bindir>/kjobd exists;
#                        also /kjobctl and busybox sh, wget, nc (compose demos)
#   kjob/busybox:latest  Debian's busybox-static with its applet links; CMD ["sh"]
#
# Rebuilding with nothing changed is quick: the sha256 of the staged rootfs
# (and the image settings) is stored as the label io.kjob.content-hash, and
# the import is skipped when the existing image carries the same hash.
#
#   KJ_IMAGE_REPO=name   build <name>/kuard etc. instead of kjob/... and skip
#                        the gcr.io tag (for testing this script)
set -euo pipefail

bindir=${1:?usage: scripts/build-images.sh <bindir>}
REPO=${KJ_IMAGE_REPO:-kjob}
HASH_LABEL=io.kjob.content-hash
# Part of every hash: bump it when this script changes what an image holds.
IMAGE_FORMAT=4
work=$(mktemp -d /tmp/kjob-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

command -v docker >/dev/null || { echo "images: docker CLI not found" >&2; exit 1; }

# stage_base ROOTFS: the files every image gets.
stage_base() {
    local root=$1
    mkdir -p "$root/etc" "$root/tmp"
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' \
        >"$root/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
    # glibc's getaddrinfo reads this; "files dns" makes /etc/hosts and
    # Docker's embedded DNS (container names) both work.
    printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# copy_file SRC ROOTFS [DEST]: copy SRC (symlinks resolved) to the same path
# (or DEST) inside ROOTFS.
copy_file() {
    local dest=${3:-$1}
    mkdir -p "$2$(dirname "$dest")"
    cp -L "$1" "$2$dest"
}

# stage_binary BIN ROOTFS DEST: the binary plus every library ldd names,
# each at the path the loader will look for it.
stage_binary() {
    local bin=$1 root=$2 dest=$3 lib
    copy_file "$bin" "$root" "$dest"
    chmod 0755 "$root$dest"
    if ! ldd "$bin" >/dev/null 2>&1; then
        return 0 # static binary: nothing more to copy
    fi
    # "libx.so.1 => /lib/.../libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)";
    # linux-vdso has no file.
    while read -r lib; do
        [ -n "$lib" ] && copy_file "$lib" "$root"
    done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
}

# content_hash ROOTFS SETTINGS...: sha256 over every file's content, mode
# and link target, plus the image settings.
content_hash() {
    local root=$1; shift
    {
        printf '%s\n' "format=$IMAGE_FORMAT" "$@"
        (cd "$root" && find . -printf '%p %y %m %l\n' | LC_ALL=C sort)
        (cd "$root" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
    } | sha256sum | cut -d' ' -f1
}

# import_image ROOTFS NAME "EXTRA_TAGS" CHANGE...: docker import unless NAME
# already has this content hash; then (re)point the extra tags at it.
import_image() {
    local root=$1 name=$2 extra=$3; shift 3
    local hash have old args=() c t
    hash=$(content_hash "$root" "$@")
    have=$(docker image inspect -f "{{index .Config.Labels \"$HASH_LABEL\"}}" "$name" 2>/dev/null || true)
    if [ "$have" = "$hash" ]; then
        for t in $extra; do docker tag "$name" "$t"; done
        echo "images: $name is up to date"
        return 0
    fi
    old=$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
    for c in "$@"; do args+=(--change "$c"); done
    args+=(--change "LABEL $HASH_LABEL=$hash")
    tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . |
        docker import "${args[@]}" - "$name" >/dev/null
    for t in $extra; do docker tag "$name" "$t"; done
    # Drop the image this one replaced, unless something still uses it
    # (another tag or a container: then rmi refuses, which is fine).
    if [ -n "$old" ] && [ -z "$(docker image inspect -f '{{join .RepoTags ","}}' "$old" 2>/dev/null)" ]; then
        docker rmi "$old" >/dev/null 2>&1 || true
    fi
    echo "images: built $name ($(du -sh "$root" | cut -f1) rootfs)"
}

build_kuard() {
    local root=$work/kuard
    [ -x "$bindir/kuard" ] || { echo "images: $bindir/kuard not found; build it first" >&2; return 1; }
    stage_base "$root"
    stage_binary "$bindir/kuard" "$root" /kuard
    local extra=""
    [ "$REPO" != kjob ] || extra=gcr.io/kuar-demo/kuard-amd64:blue
    import_image "$root" "$REPO/kuard:latest" "$extra" 'CMD ["/kuard"]' 'USER 65534:65534'
}

build_kjobd() {
    local root=$work/kjobd
    if [ ! -x "$bindir/kjobd" ]; then
        echo "images: $bindir/kjobd not found; skipping $REPO/kjobd:latest"
        return 0
    fi
    stage_base "$root"
    stage_binary "$bindir/kjobd" "$root" /kjobd
    # The compose demos (compose/) run the client and a shell script from
    # this image too: /kjobctl, and busybox's sh, wget and nc.
    if [ -x "$bindir/kjobctl" ]; then
        stage_binary "$bindir/kjobctl" "$root" /kjobctl
    fi
    if [ -x /bin/busybox ] && dpkg -s busybox-static >/dev/null 2>&1; then
        mkdir -p "$root/bin"
        cp -L /bin/busybox "$root/bin/busybox"
        local applet
        for applet in sh wget nc; do ln -sf busybox "$root/bin/$applet"; done
    fi
    import_image "$root" "$REPO/kjobd:latest" "" 'CMD ["/kjobd"]' 'ENV PATH=/bin'
}

build_busybox() {
    local root=$work/busybox bb=/bin/busybox applet
    if ! dpkg -s busybox-static >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
            echo "images: installing busybox-static"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static \
                >/tmp/kjob-apt-busybox.log 2>&1 || true
        fi
        if ! dpkg -s busybox-static >/dev/null 2>&1; then
            echo "images: busybox-static is not installed; skipping $REPO/busybox:latest"
            return 0
        fi
    fi
    stage_base "$root"
    mkdir -p "$root/bin"
    cp -L "$bb" "$root/bin/busybox"
    for applet in $("$bb" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    import_image "$root" "$REPO/busybox:latest" "" 'CMD ["sh"]' 'ENV PATH=/bin'
}

build_kuard
build_kjobd
build_busybox
