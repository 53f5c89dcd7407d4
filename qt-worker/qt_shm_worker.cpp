// qt_shm_worker: the Qt reference worker for shmconform.
//
// Holds exactly ONE real QSharedMemory and speaks the worker wire protocol defined in
// harness/src/main/java/org/shmconform/harness/protocol/WorkerProtocol.java: JSON lines on
// stdin, one reply line per request on stdout (in order, flushed), a hello reply first.
// stdout carries replies only; Qt's qWarnings go to stderr through the default message handler.
//
// Everything that touches shared memory goes through Qt's own class: this worker is the oracle
// the Java backends are compared with, so it must never re-implement any of it.
//
// Build: qt-worker/build.sh OUTPUT_PATH

#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QSharedMemory>
#include <QtCore/QString>
#include <QtCore/QtGlobal>

#include <chrono>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

// QSharedMemory::SharedMemoryError has no Q_ENUM in Qt 6.4, so the names are spelled out here,
// indexed by Qt's numeric value (NoError=0 ... UnknownError=8).
const char *const kErrorNames[] = {"NoError",  "PermissionDenied", "InvalidSize",
                                   "KeyError", "AlreadyExists",    "NotFound",
                                   "LockError", "OutOfResources",  "UnknownError"};
constexpr int kUnknownError = QSharedMemory::UnknownError;

QString errorName(int code) {
    return (code >= 0 && code <= kUnknownError) ? QString::fromLatin1(kErrorNames[code])
                                                : QStringLiteral("UnknownError");
}

// The one segment object. A pointer so that exit/EOF can delete it and run the destructor
// (detach + removal of the semaphore this object owns) before the process ends.
QSharedMemory *shm = nullptr;
// Qt does not expose the mode of the current attach; write must refuse a ReadOnly one.
QSharedMemory::AccessMode attachedMode = QSharedMemory::ReadWrite;

// A malformed request: reported in the reply, the worker keeps running.
struct ProtocolError {
    QString why;
};

void sendReply(const QJsonObject &reply) {
    const QByteArray line = QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);  // the engine waits for each reply line; never leave one buffered
}

// Reply carrying the object's own error()/errorString() after the call.
QJsonObject qtReply(qint64 seq, bool ok, const QJsonValue &value = QJsonValue::Undefined) {
    QJsonObject r{{"seq", seq}, {"ok", ok}};
    if (!value.isUndefined())
        r.insert("value", value);
    r.insert("error", errorName(shm->error()));
    r.insert("errorCode", int(shm->error()));
    r.insert("errorString", shm->errorString());
    return r;
}

// Reply for the harness's own conventions (read/write/truncate refusals). Qt has no such calls,
// so the error is reported in this reply only; the QSharedMemory's error() is left as it was.
QJsonObject conventionFailure(qint64 seq, QSharedMemory::SharedMemoryError error, const QString &message) {
    return QJsonObject{{"seq", seq},
                       {"ok", false},
                       {"error", errorName(error)},
                       {"errorCode", int(error)},
                       {"errorString", message}};
}

QJsonObject protocolFailure(qint64 seq, const QString &why) {
    return QJsonObject{{"seq", seq},         {"ok", false},       {"error", "UnknownError"},
                       {"errorCode", kUnknownError}, {"errorString", ""}, {"protocolError", why}};
}

// ---- argument helpers: missing or mistyped arguments are protocol errors ----

qint64 intArg(const QJsonObject &req, const char *name) {
    const QJsonValue v = req.value(QLatin1String(name));
    if (!v.isDouble())
        throw ProtocolError{QStringLiteral("missing or non-numeric \"%1\"").arg(QLatin1String(name))};
    return v.toInteger(qint64(v.toDouble()));
}

QSharedMemory::AccessMode modeArg(const QJsonObject &req) {
    const QJsonValue v = req.value("mode");
    if (v.isUndefined() || v.isNull() || v.toString() == "ReadWrite")
        return QSharedMemory::ReadWrite;  // absent mode: Qt's default
    if (v.toString() == "ReadOnly")
        return QSharedMemory::ReadOnly;
    throw ProtocolError{QStringLiteral("bad \"mode\" (ReadOnly or ReadWrite)")};
}

QByteArray hexArg(const QJsonObject &req) {
    const QJsonValue v = req.value("hex");
    if (!v.isString())
        throw ProtocolError{QStringLiteral("missing or non-string \"hex\"")};
    const QByteArray text = v.toString().toLatin1();
    // QByteArray::fromHex silently skips bad characters; a typo must not become other bytes.
    bool clean = text.size() % 2 == 0;
    for (char c : text)
        clean = clean && std::isxdigit(static_cast<unsigned char>(c));
    if (!clean)
        throw ProtocolError{QStringLiteral("\"hex\" is not an even-length hex string")};
    return QByteArray::fromHex(text);
}

// The protocol's "key" is the Qt (legacy) key. setKey only when it differs: setKey detaches
// first, and the protocol wants re-sending the same key to be harmless. An empty string is a
// real key and reaches Qt as such (a fresh object already has key "", so nothing to set; Qt
// then answers create/attach with KeyError). An absent key leaves the current key alone.
void applyKey(const QJsonObject &req) {
    const QJsonValue v = req.value("key");
    if (v.isUndefined() || v.isNull())
        return;
    if (!v.isString())
        throw ProtocolError{QStringLiteral("non-string \"key\"")};
    if (v.toString() != shm->key())
        shm->setKey(v.toString());
}

// Range check shared by read and write, with the same messages as the Java backends
// (SegmentBase.checkRange). Returns an empty object when the range is fine.
QJsonObject checkRange(qint64 seq, const char *function, qint64 offset, qint64 length) {
    if (!shm->isAttached())
        return conventionFailure(seq, QSharedMemory::NotFound,
                                 QStringLiteral("%1: not attached").arg(QLatin1String(function)));
    const qint64 size = shm->size();
    if (offset < 0 || length < 0 || offset + length > size)
        return conventionFailure(
            seq, QSharedMemory::InvalidSize,
            QStringLiteral("%1: range [%2, %3) is outside the segment of %4 bytes")
                .arg(QLatin1String(function)).arg(offset).arg(offset + length).arg(size));
    return {};
}

// ---- one function per op ----

QJsonObject opCreate(qint64 seq, const QJsonObject &req) {
    const qint64 size = intArg(req, "size");
    const QSharedMemory::AccessMode mode = modeArg(req);
    applyKey(req);
    const bool ok = shm->create(qsizetype(size), mode);
    if (ok)
        attachedMode = mode;  // a successful create is create + attach(mode)
    return qtReply(seq, ok);
}

QJsonObject opAttach(qint64 seq, const QJsonObject &req) {
    const QSharedMemory::AccessMode mode = modeArg(req);
    applyKey(req);
    const bool ok = shm->attach(mode);
    if (ok)
        attachedMode = mode;
    return qtReply(seq, ok);
}

QJsonObject opRead(qint64 seq, const QJsonObject &req) {
    const qint64 offset = intArg(req, "offset");
    const qint64 length = intArg(req, "length");
    const QJsonObject refused = checkRange(seq, "read", offset, length);
    if (!refused.isEmpty())
        return refused;
    const auto *from = static_cast<const char *>(shm->constData()) + offset;
    const QByteArray bytes(from, qsizetype(length));
    return qtReply(seq, true, QJsonObject{{"hex", QString::fromLatin1(bytes.toHex())}});
}

QJsonObject opWrite(qint64 seq, const QJsonObject &req) {
    const qint64 offset = intArg(req, "offset");
    const QByteArray bytes = hexArg(req);
    const QJsonObject refused = checkRange(seq, "write", offset, bytes.size());
    if (!refused.isEmpty())
        return refused;
    if (attachedMode == QSharedMemory::ReadOnly)
        return conventionFailure(seq, QSharedMemory::PermissionDenied,
                                 QStringLiteral("write: segment is attached read-only"));
    std::memcpy(static_cast<char *>(shm->data()) + offset, bytes.constData(), size_t(bytes.size()));
    return qtReply(seq, true);
}

// No checks on purpose: a store into a SHM_RDONLY mapping must kill the worker with SIGSEGV,
// exactly as a C++ program writing through data() would.
QJsonObject opRawWrite(qint64 seq, const QJsonObject &req) {
    const qint64 offset = intArg(req, "offset");
    const QByteArray bytes = hexArg(req);
    char *target = static_cast<char *>(shm->data()) + offset;
    // volatile stores so the compiler cannot drop or reorder the faulting write
    for (qsizetype i = 0; i < bytes.size(); ++i)
        static_cast<volatile char *>(target)[i] = bytes[i];
    return qtReply(seq, true);
}

// Debian's Qt 6.4 is built with System V IPC only; a SysV segment has no file to ftruncate.
QJsonObject opTruncate(qint64 seq, const QJsonObject &req) {
    intArg(req, "length");
    return conventionFailure(seq, QSharedMemory::UnknownError,
                             QStringLiteral("truncate: System V segments cannot be resized"));
}

QJsonObject opSleep(qint64 seq, const QJsonObject &req) {
    std::this_thread::sleep_for(std::chrono::milliseconds(intArg(req, "ms")));
    return qtReply(seq, true);
}

[[noreturn]] void shutdown(const qint64 *replySeq) {
    delete shm;  // ~QSharedMemory: detach (last one out removes the segment), drop owned semaphore
    shm = nullptr;
    if (replySeq)
        sendReply(QJsonObject{{"seq", *replySeq}, {"ok", true}, {"error", "NoError"},
                         {"errorCode", 0}, {"errorString", ""}});
    std::exit(0);
}

QJsonObject dispatch(qint64 seq, const QString &op, const QJsonObject &req) {
    if (op == "create")     return opCreate(seq, req);
    if (op == "attach")     return opAttach(seq, req);
    if (op == "detach")     { const bool ok = shm->detach(); return qtReply(seq, ok); }
    if (op == "lock")       { const bool ok = shm->lock();   return qtReply(seq, ok); }
    if (op == "unlock")     { const bool ok = shm->unlock(); return qtReply(seq, ok); }
    if (op == "read")       return opRead(seq, req);
    if (op == "write")      return opWrite(seq, req);
    if (op == "rawWrite")   return opRawWrite(seq, req);
    if (op == "truncate")   return opTruncate(seq, req);
    if (op == "size")       return qtReply(seq, true, qint64(shm->size()));
    if (op == "isAttached") return qtReply(seq, true, shm->isAttached());
    if (op == "nativeKey")  return qtReply(seq, true, shm->nativeKey());
    if (op == "error")
        return qtReply(seq, true, QJsonObject{{"error", errorName(shm->error())},
                                              {"errorString", shm->errorString()}});
    if (op == "sleep")      return opSleep(seq, req);
    if (op == "exit")       shutdown(&seq);
    throw ProtocolError{QStringLiteral("unknown op \"%1\"").arg(op)};
}

QJsonObject handleLine(const std::string &line) {
    QJsonParseError parseError{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromStdString(line), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return protocolFailure(0, parseError.error != QJsonParseError::NoError
                                      ? QStringLiteral("unparsable line: %1").arg(parseError.errorString())
                                      : QStringLiteral("line is not a JSON object"));
    const QJsonObject req = doc.object();
    const QJsonValue seqValue = req.value("seq");
    const qint64 seq = seqValue.isDouble() ? seqValue.toInteger(qint64(seqValue.toDouble())) : 0;
    const QJsonValue op = req.value("op");
    if (!op.isString())
        return protocolFailure(seq, QStringLiteral("missing or non-string \"op\""));
    try {
        return dispatch(seq, op.toString(), req);
    } catch (const ProtocolError &e) {
        return protocolFailure(seq, e.why);
    }
}

}  // namespace

int main() {
    // No QCoreApplication: QSharedMemory does not need one, and start-up stays at a few ms.
    std::ios::sync_with_stdio(false);
    shm = new QSharedMemory();

    sendReply(QJsonObject{{"seq", 0},
                     {"ok", true},
                     {"value", QJsonObject{{"protocol", 1},
                                           {"pid", qint64(::getpid())},
                                           // The thread that runs every op (this one): the engine reads its
                                           // kernel state to tell a blocked lock from a slow one.
                                           {"tid", qint64(::syscall(SYS_gettid))},
                                           {"impl", QStringLiteral("qt-") + QLatin1String(qVersion())},
                                           {"backend", "qt-sysv"}}},
                     {"error", "NoError"},
                     {"errorCode", 0},
                     {"errorString", ""}});

    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        sendReply(handleLine(line));
    }
    shutdown(nullptr);  // EOF: same as exit, without a reply
}
