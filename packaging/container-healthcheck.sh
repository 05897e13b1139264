#!/bin/bash
# The container's HEALTHCHECK without curl: GET /healthz on the admin listener through bash's /dev/tcp.
# Exits 0 when the status line is 200, 1 otherwise (no listener, another status, nothing within 5 s).
#   container-healthcheck.sh [PORT]        PORT defaults to 9199 (admin.port of the image's config)
set -euo pipefail
port=${1:-9199}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 5 status <&3
[[ "$status" =~ ^HTTP/1\.[01]\ 200\  ]]
