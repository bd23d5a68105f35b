#!/usr/bin/env bash
# Connection cap (issue 6): with --max-connections 4 and four keep-alive
# clients holding their connections, a request on a fifth connection gets a
# 429 Status and the connection is closed; once a client leaves, a new
# connection is served again. Connections that never send a request are not
# counted (the 60 s request timeout drops them).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/kjobd.sh"
kj_require python3

kjobd_start --max-connections 4

# Holds four keep-alive connections (one request each, answered 200), then
# for each command on stdin: "probe" opens a new connection and prints its
# status line, body and whether the server closed it; "drop" closes a held
# connection. Prints "held N" first.
cat >"$KJ_TMP/conns.py" <<'PY'
import json, socket, sys
port = int(sys.argv[1])

def request(s):
    s.sendall(b"GET /version HTTP/1.1\r\nHost: kjobd\r\n\r\n")
    f = s.makefile("rb")
    status = f.readline().decode().strip()
    headers = {}
    while True:
        line = f.readline().decode().strip()
        if not line:
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = f.read(int(headers.get("content-length", "0")))
    # Did the server close after a `Connection: close` reply?
    closed = headers.get("connection", "").lower() == "close" and f.read(1) == b""
    f.close()  # else the socket's fd outlives s.close()
    return status, headers, body, closed

held = []
for _ in range(4):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    status, _, _, _ = request(s)
    if " 200 " not in status + " ":
        print("hold failed:", status, flush=True)
        sys.exit(1)
    held.append(s)
print("held", len(held), flush=True)
for cmd in sys.stdin:
    cmd = cmd.strip()
    if cmd == "drop":
        held.pop().close()
        print("dropped", flush=True)
    elif cmd == "probe":
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        status, headers, body, closed = request(s)
        b = json.loads(body) if body else {}
        print(status.split(" ")[1], headers.get("connection", "-"), b.get("kind"), b.get("reason"),
              b.get("code"), b.get("message"), "closed" if closed else "open", flush=True)
        s.close()
PY

coproc HOLD { python3 "$KJ_TMP/conns.py" "$KJOBD_PORT" 2>&1; }
on_exit "kill $HOLD_PID 2>/dev/null"
read -r -t 20 line <&"${HOLD[0]}"
check_eq "four keep-alive connections are served" "held 4" "$line"

echo probe >&"${HOLD[1]}"
read -r -t 20 line <&"${HOLD[0]}"
check_eq "a fifth connection gets a 429 Status and is closed" \
    "429 close Status TooManyRequests 429 too many connections closed" "$line"
check_eq "curl on a fifth connection: 429" 429 "$(curl -s -o /dev/null -w '%{http_code}' "$KJOBD_URL/version")"

echo drop >&"${HOLD[1]}"
read -r -t 20 line <&"${HOLD[0]}"
check_eq "a held connection is dropped" dropped "$line"
# The server learns of the close from its event loop: poll, do not sleep.
if wait_for 10 test "$(curl -s -o /dev/null -w '%{http_code}' "$KJOBD_URL/version")" = 200; then
    ok "after a client leaves, a new connection is served"
else
    not_ok "after a client leaves, a new connection is served"
fi
echo probe >&"${HOLD[1]}"
read -r -t 20 line <&"${HOLD[0]}"
check_eq "a probe on the freed slot is served" "200 - None None None None open" "$line"

# An idle connection that sends nothing is not counted against the cap.
python3 -c 'import socket,sys,time; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); time.sleep(30)' \
    "$KJOBD_PORT" &
idle=$!
on_exit "kill $idle 2>/dev/null"
check_eq "an idle connection does not take a slot" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$KJOBD_URL/version")"
kill "$idle" 2>/dev/null

exec {HOLD[1]}>&-
wait "$HOLD_PID" 2>/dev/null
if wait_for 10 test "$(curl -s -o /dev/null -w '%{http_code}' "$KJOBD_URL/version")" = 200; then
    ok "all slots are released when the clients leave"
else
    not_ok "all slots are released when the clients leave"
fi
tap_done
