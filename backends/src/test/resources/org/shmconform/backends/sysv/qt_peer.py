"""A real Qt 6.4 QSharedMemory driven like testsupport.Peer (same commands and replies), for
SysV interop tests. Run with Debian's /usr/bin/python3 (PyQt6); TMPDIR selects Qt's key files."""
import sys

from PyQt6.QtCore import QSharedMemory

Mode = QSharedMemory.AccessMode
shm = None


def result(ok):
    return "OK" if ok else f"FAIL {shm.error().name} {shm.errorString()}"


def view():
    pointer = shm.data()
    pointer.setsize(shm.size())
    return memoryview(pointer)


print("OK ready", flush=True)
for line in sys.stdin:
    w = line.rstrip("\n").split(" ", 2)
    if w[0] == "open":
        shm = QSharedMemory(w[1])
        reply = "OK"
    elif w[0] == "create":
        reply = result(shm.create(int(w[1]), Mode.ReadOnly if w[2:] == ["ro"] else Mode.ReadWrite))
    elif w[0] == "attach":
        reply = result(shm.attach(Mode.ReadOnly if w[1] == "ro" else Mode.ReadWrite))
    elif w[0] == "detach":
        reply = result(shm.detach())
    elif w[0] == "lock":
        reply = result(shm.lock())
    elif w[0] == "unlock":
        reply = result(shm.unlock())
    elif w[0] == "size":
        reply = f"OK {shm.size()}"
    elif w[0] == "write":
        data = w[2].encode()
        view()[int(w[1]):int(w[1]) + len(data)] = data
        reply = "OK"
    elif w[0] == "read":
        start = int(w[1])
        reply = "OK " + bytes(view()[start:start + int(w[2])]).decode()
    elif w[0] in ("close", "exit"):
        del shm  # runs the destructor now: detach, and remove the semaphore this object owns
        shm = None
        reply = "OK"
    else:
        reply = f"FAIL UnknownError unknown command {w[0]}"
    print(reply, flush=True)
    if w[0] == "exit":
        break
