#!/bin/sh
# The book's 12-6-load-queue.sh for a busybox container: create the `keygen`
# queue on the memq server at $1 and enqueue work-item-0..99. busybox wget
# cannot PUT, so the PUT goes through nc as a raw HTTP/1.0 request.
set -eu
server=$1
host=${server%:*}
port=${server#*:}

tries=0
until printf 'PUT /memq/server/queues/keygen HTTP/1.0\r\nHost: %s\r\n\r\n' "$server" |
      nc "$host" "$port" 2>/dev/null | head -n 1 | grep -q ' 200 '; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
        echo "load-queue: cannot create the queue on $server" >&2
        exit 1
    fi
    sleep 0.2
done
i=0
while [ "$i" -lt 100 ]; do
    wget -q -O- --post-data "work-item-$i" "http://$server/memq/server/queues/keygen/enqueue"
    echo
    i=$((i + 1))
done
