#!/usr/bin/env bash
# Developer self-check for the Qt reference worker (not the CI test: in CI the Java harness
# drives the worker). Runs real worker processes against real Qt, in a private TMPDIR, and
# removes every kernel object and file it made.
#
#   qt-worker/selftest.sh [WORKER_BINARY]     (without an argument it builds one with build.sh)
#
# Plain bash: each worker talks through two FIFOs; replies are matched as text, which works
# because QJsonDocument's compact output is deterministic (keys sorted, no spaces).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/qtworker-selftest.XXXXXX")
# The workers' TMPDIR: Qt puts its key files here, so every ftok key of this run comes from here.
export TMPDIR="$work/tmp"
mkdir "$TMPDIR"

passed=0
failed=0
R=""                 # the last reply line
workers=()           # names of started workers
worker_pids=()       # and their pids (to find segments they created)
declare -A shm_keys sem_keys   # every SysV key this run's key files produced


# ---- key files → SysV keys (glibc ftok: proj<<24 | (st_dev&0xff)<<16 | (st_ino&0xffff)) ----
ftok() {
    local ino dev
    read -r ino dev < <(stat -c '%i %d' "$1" 2>/dev/null) || return 1
    printf '0x%08x' $(( (0x51 << 24) | ((dev & 0xff) << 16) | (ino & 0xffff) ))
}
remember_keys() {  # record the keys of the key files present now (they vanish on last detach)
    local f k
    for f in "$TMPDIR"/qipc_sharedmemory_*; do [ -e "$f" ] && k=$(ftok "$f") && shm_keys[$k]=1; done
    for f in "$TMPDIR"/qipc_systemsem_*; do [ -e "$f" ] && k=$(ftok "$f") && sem_keys[$k]=1; done
    return 0
}
key_listed() { ipcs "$1" | awk '{print $1}' | grep -qix "$2"; }  # -m|-s, key

# ---- workers over FIFOs ----
start() {  # name
    local n=$1 fd
    mkfifo "$work/$n.in" "$work/$n.out"
    "$bin" <"$work/$n.in" >"$work/$n.out" 2>"$work/$n.err" &
    printf -v "${n}_PID" %s "$!"
    worker_pids+=("$!")
    exec {fd}>"$work/$n.in";  printf -v "${n}_IN" %s "$fd"
    exec {fd}<"$work/$n.out"; printf -v "${n}_OUT" %s "$fd"
    workers+=("$n")
}
send() {  # name line
    local v="${1}_IN"
    printf '%s\n' "$2" >&"${!v}"
}
recv() {  # name timeout-seconds → R; fails on timeout/EOF
    local v="${1}_OUT"
    R=""
    IFS= read -r -t "$2" -u "${!v}" R
}
req() {  # name line → R (waits up to 5 s)
    send "$1" "$2" && recv "$1" 5 || R="<no reply>"
}
close_fds() {  # name
    local i="${1}_IN" o="${1}_OUT" fd
    if [ -n "${!i:-}" ]; then fd=${!i}; exec {fd}>&-; fi
    if [ -n "${!o:-}" ]; then fd=${!o}; exec {fd}<&-; fi
    printf -v "${1}_IN" %s ""; printf -v "${1}_OUT" %s ""
}
finish() {  # name → closes its stdin, waits for it; exit status in STATUS (128+signal if killed)
    local p="${1}_PID"
    close_fds "$1"
    wait "${!p}" 2>/dev/null; STATUS=$?
    printf -v "${1}_PID" %s ""
}

# ---- results ----
check() {  # description, command...
    if "${@:2}"; then
        passed=$((passed + 1)); echo "ok   - $1"
    else
        failed=$((failed + 1)); echo "FAIL - $1    (reply: $R)"
    fi
}
has() { local s; for s in "$@"; do [[ $R == *"$s"* ]] || return 1; done; }
OK='"ok":true'
NOTOK='"ok":false'

remove_leftovers() {  # ipcrm whatever this run's keys still name; prints what it removed
    local k
    for k in "${!shm_keys[@]}"; do key_listed -m "$k" && ipcrm -M "$k" && echo "shm $k"; done
    for k in "${!sem_keys[@]}"; do key_listed -s "$k" && ipcrm -S "$k" && echo "sem $k"; done
    return 0
}
cleanup() {  # on any exit: stop our workers (by pid), remove our IPC objects and files
    local n p
    for n in "${workers[@]}"; do
        p="${n}_PID"
        if [ -n "${!p:-}" ]; then kill -KILL "${!p}" 2>/dev/null; wait "${!p}" 2>/dev/null; fi
        close_fds "$n"
    done
    remember_keys
    remove_leftovers | sed 's/^/cleanup: removed leftover /'
    rm -rf "$work"
}
trap cleanup EXIT

# ---- worker binary ----
bin=${1:-}
if [ -z "$bin" ]; then
    bin="$work/qt_shm_worker"
    "$here/build.sh" "$bin" || { echo "build failed"; exit 1; }
fi
[ -x "$bin" ] || { echo "not an executable: $bin"; exit 1; }

# ==== 1. two workers sharing one segment ====
start A
start B
recv A 5; check "A hello" has '"seq":0' "$OK" '"protocol":1' '"backend":"qt-sysv"' "\"pid\":$A_PID" '"impl":"qt-6.'
recv B 5; check "B hello" has '"seq":0' "$OK" "\"pid\":$B_PID"

req A '{"seq":1,"op":"create","key":"selftest","size":100,"mode":"ReadWrite"}'
check "A create selftest 100" has '"seq":1' "$OK" '"error":"NoError"'
remember_keys
shm_file=$(ls "$TMPDIR"/qipc_sharedmemory_* 2>/dev/null)
shm_key=$(ftok "$shm_file")
check "segment $shm_key is in ipcs -m" key_listed -m "$shm_key"

req B '{"seq":1,"op":"attach","key":"selftest","mode":"ReadWrite"}'
check "B attach" has '"seq":1' "$OK"
req B '{"seq":2,"op":"size"}'
check "B size 100 (exact, not page-rounded)" has "$OK" '"value":100'

req A '{"seq":2,"op":"write","offset":0,"hex":"68656c6c6f"}'
check "A write hello" has '"seq":2' "$OK"
req B '{"seq":3,"op":"read","offset":0,"length":5}'
check "B reads hello" has '"seq":3' "$OK" '"value":{"hex":"68656c6c6f"}'

req A '{"seq":3,"op":"lock"}'
check "A lock" has '"seq":3' "$OK"
send B '{"seq":4,"op":"lock"}'
recv B 0.5; check "B lock: no reply within 500 ms while A holds it" test -z "$R"
req A '{"seq":4,"op":"unlock"}'
check "A unlock" has '"seq":4' "$OK"
recv B 5; check "B lock reply arrives after A's unlock" has '"seq":4' "$OK"
req B '{"seq":5,"op":"unlock"}'
check "B unlock" has '"seq":5' "$OK"

req B '{"seq":6,"op":"detach"}'
check "B detach" has '"seq":6' "$OK"
check "segment survives B's detach (A still attached)" key_listed -m "$shm_key"
req A '{"seq":5,"op":"detach"}'
check "A detach (last one out)" has '"seq":5' "$OK"
check "segment gone from ipcs -m after the last detach" bash -c "! ipcs -m | awk '{print \$1}' | grep -qix $shm_key"
check "shm key file gone from TMPDIR" test ! -e "$shm_file"

# ==== 2. error codes ====
req A '{"seq":6,"op":"create","key":"zero","size":0}'
check "create size 0 → InvalidSize" has '"seq":6' "$NOTOK" '"error":"InvalidSize"' '"errorCode":2'
req A '{"seq":7,"op":"attach","key":"missing","mode":"ReadWrite"}'
check "attach missing key → NotFound" has '"seq":7' "$NOTOK" '"error":"NotFound"' '"errorCode":5'
req A '{"seq":8,"op":"read","offset":0,"length":1}'
check "read while detached → NotFound (harness convention)" has "$NOTOK" '"error":"NotFound"' 'read: not attached'
req A '{"seq":9,"op":"nosuchop"}'
check "unknown op → protocolError, worker keeps running" has '"seq":9' "$NOTOK" '"protocolError"'
req A '{"seq":10,"op":"isAttached"}'
check "still answering after a protocol error" has '"seq":10' "$OK" '"value":false'

for n in A B; do
    req "$n" '{"seq":99,"op":"exit"}'
    check "$n exit replies" has '"seq":99' "$OK"
    finish "$n"
    check "$n exits 0 (status $STATUS)" test "$STATUS" = 0
done

# ==== 3. ReadOnly attach + rawWrite crashes with SIGSEGV ====
start C
start D
recv C 5; recv D 5
req C '{"seq":1,"op":"create","key":"readonly","size":64}'
check "C create readonly 64" has "$OK"
remember_keys
ro_file=$(ls "$TMPDIR"/qipc_sharedmemory_* 2>/dev/null)
ro_key=$(ftok "$ro_file")
req C '{"seq":2,"op":"write","offset":0,"hex":"6869"}'
req D '{"seq":1,"op":"attach","key":"readonly","mode":"ReadOnly"}'
check "D attach ReadOnly" has "$OK"
req D '{"seq":2,"op":"read","offset":0,"length":2}'
check "D ReadOnly read works" has "$OK" '"hex":"6869"'
req D '{"seq":3,"op":"write","offset":0,"hex":"00"}'
check "D checked write refused → PermissionDenied" has "$NOTOK" '"error":"PermissionDenied"'
req D '{"seq":4,"op":"rawWrite","offset":0,"hex":"00"}'
check "D rawWrite gives no reply" test "$R" = "<no reply>"
finish D
check "D died of SIGSEGV (status $STATUS)" test "$STATUS" = 139
req C '{"seq":3,"op":"read","offset":0,"length":2}'
check "C's data untouched by the crashed write" has "$OK" '"hex":"6869"'
req C '{"seq":4,"op":"exit"}'
finish C
check "C exits 0 (status $STATUS)" test "$STATUS" = 0
check "C's exit removed the segment (the dead attacher no longer counts)" \
    bash -c "[ ! -e '$ro_file' ] && ! ipcs -m | awk '{print \$1}' | grep -qix $ro_key"

# A crashed creator leaves its segment, semaphore and key files: cleanup must remove them.
start E
recv E 5
req E '{"seq":1,"op":"create","key":"crashcreator","size":32,"mode":"ReadOnly"}'
check "E create(ReadOnly)" has "$OK"
req E '{"seq":2,"op":"lock"}'
req E '{"seq":3,"op":"unlock"}'
remember_keys
send E '{"seq":4,"op":"rawWrite","offset":0,"hex":"ff"}'
finish E
check "E (creator, ReadOnly) rawWrite → SIGSEGV (status $STATUS)" test "$STATUS" = 139
leftover=$(ls "$TMPDIR" | tr '\n' ' ')
check "crash left the segment and key files behind (as Qt does): $leftover" test -n "$leftover"

# ==== 4. nothing left behind ====
remember_keys
removed=$(remove_leftovers)
echo "# crash leftovers removed with ipcrm: ${removed//$'\n'/, }"
rm -f "$TMPDIR"/qipc_*
# Segments record their creator's pid; semaphores do not, so those are checked by key below.
ours=$(awk -v pids=" ${worker_pids[*]} " 'NR > 1 && index(pids, " " $5 " ") {print $2}' /proc/sysvipc/shm | tr '\n' ' ')
check "no segment created by our workers is left (shmids: ${ours})" test -z "${ours// /}"
check "private TMPDIR holds no key files" test -z "$(ls -A "$TMPDIR")"
for k in "${!shm_keys[@]}"; do check "shm key $k gone" bash -c "! ipcs -m | awk '{print \$1}' | grep -qix $k"; done
for k in "${!sem_keys[@]}"; do check "sem key $k gone" bash -c "! ipcs -s | awk '{print \$1}' | grep -qix $k"; done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
