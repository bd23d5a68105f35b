#!/bin/sh
# Submit the book's consumer Job to kjobd, wait for it, print the queue stats.
set -eu
k="/kjobctl --server unix:/run/kjob/kjobd.sock"
tries=0
until $k get jobs >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 150 ] || { echo "submit: kjobd does not answer" >&2; exit 1; }
    sleep 0.2
done
$k apply -f /book/12-7-job-consumers.yaml
$k wait job/consumers --for=condition=complete --timeout=600s
$k get jobs
$k get pods -l job-name=consumers
echo "queue stats:"
wget -q -O- http://queue:8080/memq/server/stats
echo
