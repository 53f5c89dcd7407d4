#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine; idempotent.
# Exit 0 when `/usr/bin/docker version` reaches an engine, non-zero with a one-line reason otherwise.
# /usr/bin/docker (Debian's docker.io 20.10 client) is used on purpose: /usr/local/bin/docker, where it
# exists, is a newer client that speaks an API version the 20.10 engine refuses.
set -u
DOCKER=/usr/bin/docker
LOG=/var/log/shmconform-dockerd.log
WAIT_SECONDS=${SHMCONFORM_ENGINE_WAIT:-30}

fail() { echo "start-engine: $*" >&2; exit 1; }
engine_answers() { [ -x "$DOCKER" ] && "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_answers; then
    echo "start-engine: engine $("$DOCKER" version --format '{{.Server.Version}}') already answers"
    exit 0
fi

[ "$(id -u)" = 0 ] || fail "no engine answers and starting dockerd needs root (uid $(id -u))"

if ! command -v dockerd >/dev/null 2>&1 || [ ! -x "$DOCKER" ]; then
    echo "start-engine: installing docker.io" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq docker.io; } >"${LOG%.log}-apt.log" 2>&1 \
        || fail "apt-get install docker.io failed (see ${LOG%.log}-apt.log)"
fi

# A dockerd may already be starting (another caller, or the last one still coming up): only start
# one if none runs, so calling this script twice never starts two daemons on one socket.
if ! pgrep -x dockerd >/dev/null 2>&1; then
    # Defaults on purpose (no --default-ipc-mode shareable): containers get private IPC unless they ask.
    # containerd is started by dockerd itself when no system containerd answers.
    nohup dockerd >>"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$WAIT_SECONDS"); do
    if engine_answers; then
        echo "start-engine: engine $("$DOCKER" version --format '{{.Server.Version}}') answers (log: $LOG)"
        exit 0
    fi
    sleep 1
done
fail "dockerd did not answer within ${WAIT_SECONDS}s; last log line: $(tail -n 1 "$LOG" 2>/dev/null)"
