#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine; idempotent.
# Exit 0 when `/usr/bin/docker version` reaches an engine, non-zero with a one-line reason otherwise.
# /usr/bin/docker (Debian's docker.io 20.10 client) is used on purpose: /usr/local/bin/docker, where it
# exists, is a newer client that speaks an API version the 20.10 engine refuses.
set -u
DOCKER=/usr/bin/docker
# Root writes its logs in a directory of its own that only root can write: on Ubuntu /var/log is group-writable
# (root:syslog 0775, not sticky), so another user could put a link at a fixed name there, which root's ">" would follow.
LOG_DIR=/var/lib/shmconform
LOG=$LOG_DIR/dockerd.log
WAIT_SECONDS=${SHMCONFORM_ENGINE_WAIT:-30}

fail() { echo "start-engine: $*" >&2; exit 1; }
engine_answers() { [ -x "$DOCKER" ] && "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_answers; then
    echo "start-engine: engine $("$DOCKER" version --format '{{.Server.Version}}') already answers"
    exit 0
fi

[ "$(id -u)" = 0 ] || fail "no engine answers and starting dockerd needs root (uid $(id -u))"

[ "$(stat -c %u -- "${LOG_DIR%/*}")" = 0 ] && [ $((0$(stat -c %a -- "${LOG_DIR%/*}") & 022)) = 0 ] \
    || fail "${LOG_DIR%/*} must be root's and writable by root alone"
if [ ! -e "$LOG_DIR" ] && [ ! -L "$LOG_DIR" ]; then
    mkdir -m 0700 -- "$LOG_DIR" || fail "cannot make $LOG_DIR"
fi
[ ! -L "$LOG_DIR" ] && [ -d "$LOG_DIR" ] && [ "$(stat -c %u:%a -- "$LOG_DIR")" = 0:700 ] \
    || fail "$LOG_DIR must be a directory of root's with mode 0700, not a link"

if ! command -v dockerd >/dev/null 2>&1 || [ ! -x "$DOCKER" ]; then
    echo "start-engine: installing docker.io" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq docker.io; } >"$LOG_DIR/apt.log" 2>&1 \
        || fail "apt-get install docker.io failed (see $LOG_DIR/apt.log)"
fi

# A dockerd may already be starting (another caller, or the last one still coming up): only start
# one if none runs, so calling this script twice never starts two daemons on one socket. Root's only: anyone can
# run a program called dockerd.
if ! pgrep -u 0 -x dockerd >/dev/null 2>&1; then
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
