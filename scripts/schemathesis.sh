#!/usr/bin/env bash
# Hostile input against a live server: schemathesis generates requests from /api/openapi.json and
# fails on any 5xx or any response that breaks the documented schema. Runs once per role (client,
# therapist, admin, each with a personal access token) against `rapport demo` on 127.0.0.1.
# Bounded: --max-examples per operation (default 25).
set -euo pipefail
examples="${1:-25}"
cd "$(dirname "$0")/.."
command -v schemathesis >/dev/null || python3 -m pip install --quiet "schemathesis~=4.3"
bin="${RAPPORT_BIN:-target/debug/rapport}"
[ -x "$bin" ] || cargo build -p rapport
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$bin" demo --bind "127.0.0.1:$port" --data-dir "$work/data" --auth-attempts-per-minute 1000000 >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.2; done
curl -fs "$base/readyz" >/dev/null || { cat "$work/server.log"; echo "the demo server did not start"; exit 1; }

token_for() {
    local email="$1" jar="$work/$1.jar" csrf
    csrf="$(curl -fs -c "$jar" -H 'content-type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"demo-password-1\"}" "$base/api/v1/session" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')"
    curl -fs -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' -d '{"name":"schemathesis"}' \
        "$base/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

status=0
for who in client therapist admin; do
    token="$(token_for "$who@demo.rapport")"
    echo "==> schemathesis as $who ($examples examples per operation)"
    schemathesis run "$base/api/openapi.json" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,response_schema_conformance \
        --max-examples "$examples" \
        --exclude-path /api/v1/me/password \
        --exclude-path /api/v1/session \
        --exclude-path /api/v1/directory/import \
        --exclude-path-regex '^/api/v1/tokens' \
        --no-color >"$work/st-$who.log" 2>&1 || status=1
    grep -E "generated|passed|failed|Server error|FAILURES|Errors" "$work/st-$who.log" | head -12
    if grep -qE "not_a_server_error|Server error|Response violates schema|FAILURES" "$work/st-$who.log"; then
        sed -n '/FAILURES/,/SUMMARY/p' "$work/st-$who.log" | head -80
        status=1
    fi
done
if grep -qiE "panicked" "$work/server.log"; then
    echo "the server log shows a panic:"; grep -iE -A5 "panicked" "$work/server.log" | head -40; status=1
fi
[ "$status" -eq 0 ] && echo "schemathesis: no server errors and no schema violations for any role"
exit "$status"
