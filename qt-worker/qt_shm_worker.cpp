// qt_shm_worker: the Qt reference worker for shmconform.
//
// Holds real QSharedMemory objects (object 0, and up to three more a request's "obj" names) and speaks the worker wire protocol defined in
// worker/src/main/java/org/shmconform/worker/protocol/WorkerProtocol.java: JSON lines on
// stdin, one reply line per request on stdout (in order, flushed), a hello reply first. Its
// "Malformed requests" section is what nextLine, handleLine and checkFields below implement.
// stdout carries replies only; Qt's qWarnings go to stderr through the default message handler.
//
// Everything that touches shared memory goes through Qt's own class: this worker is the oracle
// the Java backends are compared with, so it must never re-implement any of it.
//
// Build: qt-worker/build.sh OUTPUT_PATH (host Qt), or inside the Debian 13 root with Qt 6.8:
// qt-worker/build-qt68-root.sh. Version differences are behind QT_VERSION checks.
//
// Usage: qt_shm_worker [--key-mode=MODE] [--fork-server]   (see qt-worker/README.md, "Key modes", "Fork server")
// MODE says what the protocol's "key" is handed to Qt as. A mode this Qt lacks is refused
// before the hello: one line on stderr, exit status 2.
// --key-mode=file-map is not QSharedMemory at all: the platform notes' alternative (seeds M1/M2), a file
// opened with QFile and mapped with QFile::map (no MapPrivateOption); the key is the file's path. See
// "File-map mode" below and qt-worker/README.md.

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QSharedMemory>
#include <QtCore/QString>
#include <QtCore/QtGlobal>
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
#include <QtCore/QNativeIpcKey>
#endif

#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <csignal>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

// ---- key modes: how the protocol's "key" reaches Qt ----
// legacy          setKey(key): the only key Qt 6.4 has (Qt 6.6+: legacyNativeKey(key) of the default type)
// native          setNativeKey(key): key is the native key itself (default type)
// legacy-sysv, legacy-posix   (Qt >= 6.6) setNativeKey(QSharedMemory::legacyNativeKey(key, type))
// safe-sysv, safe-posix       (Qt >= 6.6) setNativeKey(QSharedMemory::platformSafeKey(key, type))
// native-sysv, native-posix   (Qt >= 6.6) setNativeKey(QNativeIpcKey(key, type))
enum class KeyKind { SetKey, Legacy, PlatformSafe, Native };
struct KeyMode {
    QString name = QStringLiteral("legacy");
    KeyKind kind = KeyKind::SetKey;
    bool typed = false;   // a -sysv / -posix mode: needs QNativeIpcKey (Qt >= 6.6)
    bool posix = false;   // the type of a typed mode
};
KeyMode keyMode;
// The last key the protocol gave (a fresh object's key is empty): for the modes other than legacy,
// where key() does not return the protocol's key, this tells whether a request changes the key.
QString requestedKey;

bool parseKeyMode(const QString &text, KeyMode &mode) {
    static const struct { const char *name; KeyKind kind; bool typed; bool posix; } kModes[] = {
        {"legacy", KeyKind::SetKey, false, false},          {"native", KeyKind::Native, false, false},
        {"legacy-sysv", KeyKind::Legacy, true, false},      {"legacy-posix", KeyKind::Legacy, true, true},
        {"safe-sysv", KeyKind::PlatformSafe, true, false},  {"safe-posix", KeyKind::PlatformSafe, true, true},
        {"native-sysv", KeyKind::Native, true, false},      {"native-posix", KeyKind::Native, true, true}};
    for (const auto &m : kModes) {
        if (text == QLatin1String(m.name)) {
            mode = KeyMode{text, m.kind, m.typed, m.posix};
            return true;
        }
    }
    return false;
}

[[noreturn]] void refuse(const QString &why) {
    std::fprintf(stderr, "qt_shm_worker: %s\n", why.toLocal8Bit().constData());
    std::exit(2);
}

#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
// The type of the keys this worker makes. Untyped modes take the type of the call they stand for:
// setKey() makes a legacy key of legacyDefaultTypeForOs() (System V on Debian, which builds Qt
// without QT_POSIX_IPC); setNativeKey(QString) defaults to DefaultTypeForOs (PosixRealtime on
// Linux since 6.6, where Qt 6.4's setNativeKey was System V).
QNativeIpcKey::Type keyType() {
    if (keyMode.typed)
        return keyMode.posix ? QNativeIpcKey::Type::PosixRealtime : QNativeIpcKey::Type::SystemV;
    return keyMode.kind == KeyKind::SetKey ? QNativeIpcKey::legacyDefaultTypeForOs() : QNativeIpcKey::DefaultTypeForOs;
}
#endif

// "qt-sysv" or "qt-posix": which kernel objects this worker's QSharedMemory uses.
QString backendName() {
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    return keyType() == QNativeIpcKey::Type::PosixRealtime ? QStringLiteral("qt-posix") : QStringLiteral("qt-sysv");
#else
    return QStringLiteral("qt-sysv");  // Debian's Qt 6.4 is built without QT_POSIX_IPC
#endif
}

// Refuses (exit 2, before the hello) a mode this Qt cannot do.
void checkKeyModeSupported() {
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    if (!QSharedMemory::isKeyTypeSupported(keyType()))
        refuse(QStringLiteral("key mode %1: QSharedMemory::isKeyTypeSupported is false for this key type in Qt %2")
                   .arg(keyMode.name, QLatin1String(qVersion())));
#else
    if (keyMode.typed)
        refuse(QStringLiteral("key mode %1 needs Qt 6.6 or later (QNativeIpcKey); this worker is built against Qt %2: "
                              "use --key-mode=legacy or --key-mode=native")
                   .arg(keyMode.name, QLatin1String(QT_VERSION_STR)));
#endif
}

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
// The rules are WorkerProtocol's "Malformed requests"; checkFields below applies them to a whole request before any op runs.

// The number literals of a request line's top-level fields, as written, the last of a name counting (a later value of
// another kind removes it). QJsonValue cannot say how a number was written, and reads every literal it cannot hold as
// an integer through a double: -9223372036854775809 becomes -2^63 and 1234567890123456789.0 becomes
// 1234567890123456768, where the Java worker reads the literal. So the rule ("a plain JSON integer of the signed 64-bit
// range") is checked on the text. Called on a line QJsonDocument has parsed as an object: the JSON is valid.
std::map<QString, std::string> topLevelNumbers(const std::string &s) {
    std::map<QString, std::string> numbers;
    size_t i = 0;
    auto ws = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i; };
    auto skipString = [&] {  // at the opening quote; returns past the closing one
        for (++i; i < s.size() && s[i] != '"'; ++i)
            if (s[i] == '\\')
                ++i;
        ++i;
    };
    ws();
    ++i;  // '{'
    for (;;) {
        ws();
        if (i >= s.size() || s[i] == '}')
            break;
        const size_t nameStart = i;
        skipString();
        const std::string raw = s.substr(nameStart, i - nameStart);
        // A name with an escape ("s\u0065q") is the name it spells, as QJsonObject and Jackson read it.
        const QString name = raw.find('\\') == std::string::npos
            ? QString::fromUtf8(raw.data() + 1, qsizetype(raw.size() - 2))
            : QJsonDocument::fromJson(QByteArray::fromStdString("[" + raw + "]")).array().at(0).toString();
        ws();
        ++i;  // ':'
        ws();
        const size_t valueStart = i;
        if (s[i] == '"') {
            skipString();
        } else if (s[i] == '{' || s[i] == '[') {
            int depth = 0;
            do {
                if (s[i] == '"') {
                    skipString();
                    continue;
                }
                depth += (s[i] == '{' || s[i] == '[') ? 1 : (s[i] == '}' || s[i] == ']') ? -1 : 0;
                ++i;
            } while (depth > 0 && i < s.size());
        } else {
            while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                ++i;
        }
        const char first = s[valueStart];
        if (first == '-' || (first >= '0' && first <= '9'))
            numbers[name] = s.substr(valueStart, i - valueStart);
        else
            numbers.erase(name);
        ws();
        if (i < s.size() && s[i] == ',')
            ++i;
    }
    return numbers;
}
std::map<QString, std::string> lineNumbers;  // topLevelNumbers of the request being handled

// A plain JSON integer (no fraction, no exponent) of the signed 64-bit range, as the Java worker reads one.
bool isPlainInt64(const std::string &text) {
    const bool negative = !text.empty() && text[0] == '-';
    const std::string digits = text.substr(negative ? 1 : 0);
    if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const std::string limit = negative ? "9223372036854775808" : "9223372036854775807";
    return digits.size() < 19 || digits <= limit;
}

// A field's value is an integer under the protocol's rule: a number written as a plain integer of the signed 64-bit range.
bool isInteger(const QString &name, const QJsonValue &v) {
    const auto literal = lineNumbers.find(name);
    return v.isDouble() && literal != lineNumbers.end() && isPlainInt64(literal->second);
}

qint64 intArg(const QJsonObject &req, const char *name) {
    const QJsonValue v = req.value(QLatin1String(name));
    if (!isInteger(QLatin1String(name), v))
        throw ProtocolError{QStringLiteral("missing or non-integer \"%1\"").arg(QLatin1String(name))};
    return v.toInteger();  // exact: QJsonValue holds a plain integer literal of this range as a qint64
}

// The most bytes one read may ask for (WorkerProtocol.MAX_READ_BYTES): more would cost several GB of hex for a large segment.
constexpr qint64 kMaxReadBytes = qint64(1) << 20;
qint64 readLength(const QJsonObject &req) {
    const qint64 length = intArg(req, "length");
    if (length > kMaxReadBytes)
        throw ProtocolError{QStringLiteral("a read of more than %1 bytes").arg(kMaxReadBytes)};
    return length;
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
// In the other modes the same holds for the last key the protocol gave (see KeyMode).
void applyKey(const QJsonObject &req) {
    const QJsonValue v = req.value("key");
    if (v.isUndefined() || v.isNull())
        return;
    if (!v.isString())
        throw ProtocolError{QStringLiteral("non-string \"key\"")};
    const QString key = v.toString();
    if (keyMode.kind == KeyKind::SetKey) {
        if (key != shm->key())
            shm->setKey(key);
        return;
    }
    if (key == requestedKey)
        return;
    requestedKey = key;
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    switch (keyMode.kind) {
    case KeyKind::Legacy:       shm->setNativeKey(QSharedMemory::legacyNativeKey(key, keyType())); break;
    case KeyKind::PlatformSafe: shm->setNativeKey(QSharedMemory::platformSafeKey(key, keyType())); break;
    case KeyKind::Native:       shm->setNativeKey(QNativeIpcKey(key, keyType())); break;
    case KeyKind::SetKey:       break;  // handled above
    }
#else
    shm->setNativeKey(key);  // only "native" gets here: typed modes were refused at start-up
#endif
}

// [offset, offset + length) inside a segment of size bytes. Not offset + length > size: that sum overflows (undefined
// behaviour) for an offset near 2^63 and let such a range through to the memcpy.
bool inside(qint64 offset, qint64 length, qint64 size) {
    return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
}

// The refusal of a range outside the segment, its end written as the exact sum (as the Java worker writes it).
QJsonObject outside(qint64 seq, const char *function, qint64 offset, qint64 length, qint64 size) {
    const __int128 end = __int128(offset) + length;  // |end| <= 2^64: no qint64 holds it, and a wrapped sum would lie
    unsigned __int128 magnitude = end < 0 ? -static_cast<unsigned __int128>(end) : static_cast<unsigned __int128>(end);
    QString endText;
    do {
        endText.prepend(QChar(u'0' + int(magnitude % 10)));
        magnitude /= 10;
    } while (magnitude != 0);
    if (end < 0)
        endText.prepend(u'-');
    return conventionFailure(seq, QSharedMemory::InvalidSize,
                             QStringLiteral("%1: range [%2, %3) is outside the segment of %4 bytes")
                                 .arg(QLatin1String(function)).arg(offset).arg(endText).arg(size));
}

// Range check shared by read, write and rawWrite, with the same messages as the Java worker
// (SegmentCommands.refusal). Returns an empty object when the range is fine.
QJsonObject checkRange(qint64 seq, const char *function, qint64 offset, qint64 length) {
    if (!shm->isAttached())
        return conventionFailure(seq, QSharedMemory::NotFound,
                                 QStringLiteral("%1: not attached").arg(QLatin1String(function)));
    const qint64 size = shm->size();
    if (!inside(offset, length, size))
        return outside(seq, function, offset, length, size);
    return {};
}


// ---- File-map mode (seeds M1/M2): "opening the same file using QFile and mapping it into memory using
// QFile::map() (without specifying the MapPrivateOption option)". No QSharedMemory is involved, so the
// meeting with a non-Qt program does not depend on the backend Qt was built with. The key is the file's path.
//   create = QFile::open(ReadWrite | NewOnly) (O_CREAT|O_EXCL: AlreadyExists if the file is there) + resize + map
//   attach = QFile::open(ReadWrite or ReadOnly | ExistingOnly) + map of the whole file (NotFound if absent)
//   detach = unmap + close; the file is NEVER removed (QFile has no last-detach rule: whoever else maps it, or
//            the harness's clean-up, removes it). lock/unlock: QFile::map has no lock (LockError).
// Errors use QSharedMemory's names so that the protocol and the model read them the same way.
bool fileMapMode = false;
struct FileMapSegment {
    QFile file;
    uchar *data = nullptr;
    qint64 size = 0;
    QSharedMemory::AccessMode mode = QSharedMemory::ReadWrite;
    QSharedMemory::SharedMemoryError error = QSharedMemory::NoError;
    QString errorString;
    QString key;  // the file's path, as the protocol gave it
};
FileMapSegment *fm = nullptr;

// A SIGBUS in an access within a segment that lives in a file system (a POSIX segment in /dev/shm, a file-map segment's
// file) may be the kernel failing to give a page of a file system with no room left (Qt reserves none at create: a
// sparse ftruncate or resize), which another program's files can cause: the worker says the room that file system had,
// its size and its page size, on stdout in the form of a JVM's crash banner (the engine reads those there), then dies of
// the signal as before. statfs, fstatfs and write only: system calls, safe in a handler. A tmpfs without a size limit
// says 0 blocks in all (and 0 free): the engine reads that as room, not as none.
void appendNumber(char *line, size_t &n, unsigned long long value) {
    char digits[24];
    int d = 0;
    do {
        digits[d++] = char('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (d > 0)
        line[n++] = digits[--d];
}

void appendText(char *line, size_t &n, const char *text) {
    size_t len = std::strlen(text);
    std::memcpy(line + n, text, len);
    n += len;
}

void sayRoomAndDie(int) {
    char line[256];
    size_t n = 0;
    appendText(line, n, "# SIGBUS (0x7) in qt_shm_worker: the file system of its segment had ");
    struct statfs fs;
    // A file-map segment's file is open while it is mapped: its file system is the one to ask (QFile::handle only reads
    // the descriptor it keeps). A POSIX segment's is /dev/shm.
    int fd = fileMapMode && fm != nullptr && fm->data != nullptr ? fm->file.handle() : -1;
    if ((fd >= 0 ? ::fstatfs(fd, &fs) : ::statfs("/dev/shm", &fs)) == 0) {
        unsigned long long page = static_cast<unsigned long long>(fs.f_bsize);
        appendNumber(line, n, static_cast<unsigned long long>(fs.f_bavail) * page);
        appendText(line, n, " bytes free of ");
        appendNumber(line, n, static_cast<unsigned long long>(fs.f_blocks) * page);
        appendText(line, n, ", in pages of ");
        appendNumber(line, n, page);
        appendText(line, n, "\n");
    } else {
        appendText(line, n, "an unknown room (statfs failed)\n");
    }
    ssize_t ignored = ::write(STDOUT_FILENO, line, n);
    (void) ignored;
    ::raise(SIGBUS);  // SA_RESETHAND gave the default back: pending until the handler returns, then the worker dies of it
}

// Only where the segments live in a file system (POSIX keys, file-map): a System V segment's pages are no file system's.
void sayRoomOnSigbus() {
    struct sigaction sa {};
    sa.sa_handler = sayRoomAndDie;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, nullptr);
}

// ---- objects: a request's "obj" names one of the process's segment objects (WorkerProtocol, "obj") ----
// Object 0 is made at start-up; another is made fresh (no key, ReadWrite) by the first request that names it. Each has
// its own QSharedMemory (its own key, attachment and lock bookkeeping) and its own file-map segment; the globals above
// (shm, attachedMode, requestedKey, fm) are the current object's, so the ops below act on whichever one is selected.
constexpr int kMaxObjects = 4;  // WorkerProtocol.MAX_OBJECTS
struct ObjectState {
    QSharedMemory *shm = nullptr;
    QSharedMemory::AccessMode attachedMode = QSharedMemory::ReadWrite;
    QString requestedKey;
    FileMapSegment *fm = nullptr;
};
ObjectState objectStates[kMaxObjects];
int currentObject = 0;

void selectObject(int n) {
    if (n == currentObject)
        return;
    objectStates[currentObject] = ObjectState{shm, attachedMode, requestedKey, fm};
    ObjectState &next = objectStates[n];
    if (next.shm == nullptr) {
        next = ObjectState{};
        next.shm = new QSharedMemory();
        if (fileMapMode)
            next.fm = new FileMapSegment();
    }
    shm = next.shm;
    attachedMode = next.attachedMode;
    requestedKey = next.requestedKey;
    fm = next.fm;
    currentObject = n;
}

// Every object but object 0 is destroyed as the destructor destroys it (detach, the last one out removes the segment,
// the lock it holds released; a file-map one unmapped and closed); object 0 is the current one afterwards.
void dropOtherObjects() {
    selectObject(0);
    for (int n = 1; n < kMaxObjects; ++n) {
        ObjectState &o = objectStates[n];
        delete o.shm;
        if (o.fm != nullptr && o.fm->data != nullptr)
            o.fm->file.unmap(o.fm->data);
        delete o.fm;
        o = ObjectState{};
    }
}

QJsonObject fmReply(qint64 seq, bool ok, const QJsonValue &value = QJsonValue::Undefined) {
    QJsonObject r{{"seq", seq}, {"ok", ok}};
    if (!value.isUndefined())
        r.insert("value", value);
    r.insert("error", errorName(fm->error));
    r.insert("errorCode", int(fm->error));
    r.insert("errorString", fm->errorString);
    return r;
}

QJsonObject fmFail(qint64 seq, QSharedMemory::SharedMemoryError error, const QString &why) {
    fm->error = error;
    fm->errorString = why;
    return fmReply(seq, false);
}

QJsonObject fmOk(qint64 seq, const QJsonValue &value = QJsonValue::Undefined) {
    fm->error = QSharedMemory::NoError;
    fm->errorString.clear();
    return fmReply(seq, true, value);
}

// QFile's error after a failed open, in QSharedMemory's words.
QSharedMemory::SharedMemoryError fmOpenError(bool creating) {
    const QString path = fm->file.fileName();
    if (creating && QFile::exists(path))
        return QSharedMemory::AlreadyExists;
    if (!creating && !QFile::exists(path))
        return QSharedMemory::NotFound;
    return fm->file.error() == QFileDevice::PermissionsError ? QSharedMemory::PermissionDenied : QSharedMemory::UnknownError;
}

// The key of a create/attach: absent keeps the last one. A create/attach while attached is refused before the key is used.
void fmApplyKey(const QJsonObject &req) {
    const QJsonValue v = req.value("key");
    if (v.isUndefined() || v.isNull())
        return;
    if (!v.isString())
        throw ProtocolError{QStringLiteral("non-string \"key\"")};
    fm->key = v.toString();
}

QJsonObject fmMap(qint64 seq, const char *function, bool creating) {
    const qint64 size = fm->file.size();
    uchar *p = size > 0 ? fm->file.map(0, size) : nullptr;  // flags: none, i.e. shared: no MapPrivateOption
    if (p == nullptr) {
        const QString why = QStringLiteral("%1 (QFile::map %2): %3").arg(QLatin1String(function), fm->key, fm->file.errorString());
        if (creating)
            fm->file.remove();  // our own half-made file (NewOnly made it): nobody has it mapped
        fm->file.close();
        return fmFail(seq, size > 0 ? QSharedMemory::UnknownError : QSharedMemory::InvalidSize, why);
    }
    fm->data = p;
    fm->size = size;
    return fmOk(seq);
}

QJsonObject fmCreate(qint64 seq, const QJsonObject &req) {
    const qint64 size = intArg(req, "size");
    const QSharedMemory::AccessMode mode = modeArg(req);
    fmApplyKey(req);
    if (fm->data)
        return fmFail(seq, QSharedMemory::AlreadyExists, QStringLiteral("create: already attached"));
    if (fm->key.isEmpty())
        return fmFail(seq, QSharedMemory::KeyError, QStringLiteral("create: key (file path) is empty"));
    if (size <= 0)
        return fmFail(seq, QSharedMemory::InvalidSize, QStringLiteral("create: size %1 is not positive").arg(size));
    fm->file.setFileName(fm->key);
    // 0600, as the Java mmapfile backend's files: a segment is nobody else's business (seed L3)
    if (!fm->file.open(QIODevice::ReadWrite | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fmFail(seq, fmOpenError(true), QStringLiteral("create (QFile::open NewOnly %1): %2").arg(fm->key, fm->file.errorString()));
    if (!fm->file.resize(size)) {
        const QString why = QStringLiteral("create (QFile::resize %1): %2").arg(fm->key, fm->file.errorString());
        fm->file.remove();
        return fmFail(seq, QSharedMemory::OutOfResources, why);
    }
    fm->mode = mode;  // the mapping is read-write (the file is): a ReadOnly create is enforced by write's check
    return fmMap(seq, "create", true);
}

QJsonObject fmAttach(qint64 seq, const QJsonObject &req) {
    const QSharedMemory::AccessMode mode = modeArg(req);
    fmApplyKey(req);
    if (fm->data)
        return fmFail(seq, QSharedMemory::AlreadyExists, QStringLiteral("attach: already attached"));
    if (fm->key.isEmpty())
        return fmFail(seq, QSharedMemory::KeyError, QStringLiteral("attach: key (file path) is empty"));
    fm->file.setFileName(fm->key);
    const QIODevice::OpenMode open = (mode == QSharedMemory::ReadOnly ? QIODevice::ReadOnly : QIODevice::ReadWrite)
                                     | QIODevice::ExistingOnly;
    if (!fm->file.open(open))
        return fmFail(seq, fmOpenError(false), QStringLiteral("attach (QFile::open %1): %2").arg(fm->key, fm->file.errorString()));
    fm->mode = mode;  // QFile::map of a ReadOnly file maps PROT_READ: a raw store faults, as with SHM_RDONLY
    return fmMap(seq, "attach", false);
}

QJsonObject fmDetach(qint64 seq) {
    if (!fm->data)
        return fmReply(seq, false);  // as Qt's detach: false, error untouched
    fm->file.unmap(fm->data);
    fm->file.close();
    fm->data = nullptr;
    fm->size = 0;
    return fmOk(seq);
}

QJsonObject fmRange(qint64 seq, const char *function, qint64 offset, qint64 length) {
    if (!fm->data)
        return conventionFailure(seq, QSharedMemory::NotFound, QStringLiteral("%1: not attached").arg(QLatin1String(function)));
    if (!inside(offset, length, fm->size))
        return outside(seq, function, offset, length, fm->size);
    return {};
}

QJsonObject fmDispatch(qint64 seq, const QString &op, const QJsonObject &req) {
    if (op == "create") return fmCreate(seq, req);
    if (op == "attach") return fmAttach(seq, req);
    if (op == "detach") return fmDetach(seq);
    if (op == "lock" || op == "unlock")
        return fmFail(seq, QSharedMemory::LockError, QStringLiteral("%1: QFile::map has no lock").arg(op));
    if (op == "read") {
        const qint64 offset = intArg(req, "offset"), length = readLength(req);
        const QJsonObject refused = fmRange(seq, "read", offset, length);
        if (!refused.isEmpty())
            return refused;
        const QByteArray bytes(reinterpret_cast<const char *>(fm->data) + offset, qsizetype(length));
        return fmOk(seq, QJsonObject{{"hex", QString::fromLatin1(bytes.toHex())}});
    }
    if (op == "write") {
        const qint64 offset = intArg(req, "offset");
        const QByteArray bytes = hexArg(req);
        const QJsonObject refused = fmRange(seq, "write", offset, bytes.size());
        if (!refused.isEmpty())
            return refused;
        if (fm->mode == QSharedMemory::ReadOnly)
            return conventionFailure(seq, QSharedMemory::PermissionDenied, QStringLiteral("write: segment is attached read-only"));
        std::memcpy(fm->data + offset, bytes.constData(), size_t(bytes.size()));
        return fmOk(seq);
    }
    if (op == "size")       return fmOk(seq, fm->size);
    if (op == "isAttached") return fmOk(seq, fm->data != nullptr);
    if (op == "nativeKey")  return fmOk(seq, fm->key);
    if (op == "error")
        return fmReply(seq, true, QJsonObject{{"error", errorName(fm->error)}, {"errorString", fm->errorString}});
    if (op == "sleep") {
        std::this_thread::sleep_for(std::chrono::milliseconds(intArg(req, "ms")));
        return fmOk(seq);
    }
    throw ProtocolError{QStringLiteral("op \"%1\" is not available in file-map mode").arg(op)};
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
    const qint64 length = readLength(req);
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

// No read-only check on purpose: a store into a SHM_RDONLY mapping must kill the worker with SIGSEGV,
// exactly as a C++ program writing through data() would. The range is checked as write's (WorkerProtocol, "Malformed
// requests"): a store through data() + an offset near 2^63, or through a null data(), lands anywhere in this process.
QJsonObject opRawWrite(qint64 seq, const QJsonObject &req) {
    const qint64 offset = intArg(req, "offset");
    const QByteArray bytes = hexArg(req);
    const QJsonObject refused = checkRange(seq, "rawWrite", offset, bytes.size());
    if (!refused.isEmpty())
        return refused;
    char *target = static_cast<char *>(shm->data()) + offset;
    // volatile stores so the compiler cannot drop or reorder the faulting write
    for (qsizetype i = 0; i < bytes.size(); ++i)
        static_cast<volatile char *>(target)[i] = bytes[i];
    return qtReply(seq, true);
}

// A System V segment has no file to ftruncate. A POSIX one (Qt >= 6.6 at run time) has: the
// worker opens the name Qt uses and shrinks it, as an untrusted peer could (Qt has no such call).
QJsonObject opTruncate(qint64 seq, const QJsonObject &req) {
    const qint64 length = intArg(req, "length");
    if (backendName() != QLatin1String("qt-posix"))
        return conventionFailure(seq, QSharedMemory::UnknownError,
                                 QStringLiteral("truncate: System V segments cannot be resized"));
    if (!shm->isAttached())
        return conventionFailure(seq, QSharedMemory::NotFound, QStringLiteral("truncate: not attached"));
    const QByteArray name = QFile::encodeName(shm->nativeKey());
    const int fd = ::shm_open(name.constData(), O_RDWR, 0);
    if (fd < 0 || ::ftruncate(fd, off_t(length)) != 0) {
        const int err = errno;
        if (fd >= 0)
            ::close(fd);
        return conventionFailure(seq, QSharedMemory::UnknownError,
                                 QStringLiteral("truncate (ftruncate): %1").arg(QString::fromLocal8Bit(std::strerror(err))));
    }
    ::close(fd);
    return qtReply(seq, true);
}

QJsonObject opSleep(qint64 seq, const QJsonObject &req) {
    std::this_thread::sleep_for(std::chrono::milliseconds(intArg(req, "ms")));
    return qtReply(seq, true);
}

[[noreturn]] void shutdown(const qint64 *replySeq) {
    dropOtherObjects();
    delete shm;  // ~QSharedMemory: detach (last one out removes the segment), drop owned semaphore
    shm = nullptr;
    if (fm != nullptr && fm->data != nullptr)
        fm->file.unmap(fm->data);  // file-map mode: unmap and close; the file stays (see File-map mode)
    delete fm;
    fm = nullptr;
    if (replySeq)
        sendReply(QJsonObject{{"seq", *replySeq}, {"ok", true}, {"error", "NoError"},
                         {"errorCode", 0}, {"errorString", ""}});
    std::exit(0);
}

// The harness's reset between schedules (WorkerProtocol, "Between schedules: reset"): the same
// destructor as exit (detach, the last one out removes the segment, drop the owned semaphore), then
// a fresh object as at start-up. The engine checks from outside that nothing is left mapped or open.
// In file-map mode an unmapped segment is made afresh too: its QFile's name, its key, mode and error
// are the last schedule's otherwise, which no outside check can see (QtFileMapResetTest); a mapped one
// is left as it is, for the outside check to find and the pool to replace the worker.
QJsonObject opReset(qint64 seq) {
    dropOtherObjects();
    delete shm;
    shm = new QSharedMemory();
    if (fileMapMode && fm->data == nullptr) {
        delete fm;
        fm = new FileMapSegment();
    }
    attachedMode = QSharedMemory::ReadWrite;
    requestedKey.clear();
    return QJsonObject{{"seq", seq}, {"ok", true},
                       {"value", QJsonObject{{"objects", 0}, {"pid", qint64(::getpid())}}},
                       {"error", "NoError"}, {"errorCode", 0}, {"errorString", ""}};
}

QJsonObject dispatch(qint64 seq, const QString &op, const QJsonObject &req) {
    if (op == "exit")       shutdown(&seq);
    // A file-map worker's reset leaves its mapping: the pool's outside check then finds it and replaces the worker.
    if (op == "reset")      return opReset(seq);
    if (fileMapMode)        return fmDispatch(seq, op, req);
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
    throw ProtocolError{QStringLiteral("unknown op \"%1\"").arg(op)};
}

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), as the Java worker's decoder reads it.
bool isUtf8(const std::string &line) {
    const auto *b = reinterpret_cast<const unsigned char *>(line.data());
    const size_t n = line.size();
    for (size_t i = 0; i < n;) {
        const unsigned c = b[i];
        size_t more;
        unsigned cp, min;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { more = 1; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { more = 2; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { more = 3; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (n - i <= more)
            return false;
        for (size_t k = 1; k <= more; ++k) {
            if ((b[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (b[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += more + 1;
    }
    return true;
}

// RFC 8259: a control character (U+0000-U+001F) inside a string must be escaped. QJsonDocument lets a raw one through
// (a NUL in a key); Jackson, which the Java worker reads with, refuses it: so must this worker.
bool rawControlInString(const std::string &line) {
    bool inString = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(line[i]);
        if (inString && c < 0x20)
            return true;
        if (inString && c == '\\')
            ++i;  // the escaped character, whatever it is, is not the string's end
        else if (c == '"')
            inString = !inString;
    }
    return false;
}

// Every field WorkerProtocol names has its type wherever it appears (null is absent), whatever the op: the rules of
// "Malformed requests", checked before anything happens. Throws the protocol error.
void checkFields(const QJsonObject &req) {
    for (const char *name : {"key", "mode", "hex", "path", "backend"}) {
        const QJsonValue v = req.value(QLatin1String(name));
        if (!v.isUndefined() && !v.isNull() && !v.isString())
            throw ProtocolError{QStringLiteral("\"%1\" is not a string").arg(QLatin1String(name))};
    }
    for (const char *name : {"size", "offset", "length", "ms", "peerUid", "obj"}) {
        const QJsonValue v = req.value(QLatin1String(name));
        if (v.isUndefined() || v.isNull())
            continue;
        if (!isInteger(QLatin1String(name), v))
            throw ProtocolError{QStringLiteral("\"%1\" is not a plain integer of the signed 64-bit range").arg(QLatin1String(name))};
        const qint64 n = v.toInteger();
        const bool int32 = std::strcmp(name, "length") == 0 || std::strcmp(name, "peerUid") == 0;
        if (int32 && n != qint64(qint32(n)))
            throw ProtocolError{QStringLiteral("\"%1\" is out of range").arg(QLatin1String(name))};
        if (std::strcmp(name, "ms") == 0 && n < 0)
            throw ProtocolError{QStringLiteral("\"ms\" is negative")};
        if (std::strcmp(name, "obj") == 0 && (n < 0 || n >= kMaxObjects))
            throw ProtocolError{QStringLiteral("\"obj\" is out of range")};
    }
    if (req.contains("mode") && !req.value("mode").isNull())
        modeArg(req);
    if (req.contains("hex") && !req.value("hex").isNull())
        hexArg(req);
}

QJsonObject handleLine(const std::string &line) {
    if (!isUtf8(line))
        return protocolFailure(0, QStringLiteral("unparsable line: the line is not UTF-8"));
    if (rawControlInString(line))
        return protocolFailure(0, QStringLiteral("unparsable line: a raw control character inside a string"));
    // QJsonDocument skips a leading byte order mark, Jackson refuses it (U+FEFF is no JSON whitespace): refused here too,
    // by the rule rather than by topLevelNumbers happening to misread the line after it.
    if (line.rfind("\xEF\xBB\xBF", 0) == 0)
        return protocolFailure(0, QStringLiteral("unparsable line: a byte order mark"));
    QJsonParseError parseError{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromStdString(line), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return protocolFailure(0, parseError.error != QJsonParseError::NoError
                                      ? QStringLiteral("unparsable line: %1").arg(parseError.errorString())
                                      : QStringLiteral("line is not a JSON object"));
    const QJsonObject req = doc.object();
    lineNumbers = topLevelNumbers(line);
    const QJsonValue seqValue = req.value("seq");
    if (!seqValue.isUndefined() && !seqValue.isNull() && !isInteger(QStringLiteral("seq"), seqValue))
        return protocolFailure(0, QStringLiteral("\"seq\" is not a plain integer of the signed 64-bit range"));
    const qint64 seq = seqValue.isDouble() ? seqValue.toInteger() : 0;
    const QJsonValue op = req.value("op");
    if (!op.isString())
        return protocolFailure(seq, QStringLiteral("missing or non-string \"op\""));
    try {
        checkFields(req);
        const QJsonValue obj = req.value("obj");
        if (op.toString() != QLatin1String("reset"))  // a reset is the whole process's, whatever it names
            selectObject(obj.isUndefined() || obj.isNull() ? 0 : int(obj.toInteger()));
        return dispatch(seq, op.toString(), req);
    } catch (const ProtocolError &e) {
        return protocolFailure(seq, e.why);
    }
}

// The request lines of stdin (WorkerProtocol, "Malformed requests"): a line ends at its LF only (a CR stays in it: JSON
// whitespace), and one longer than kMaxLineBytes is read to its LF and dropped, never held (std::getline would grow
// without bound). Returns false at the end of input; *tooLong says the line was dropped. The last line may lack its LF.
constexpr size_t kMaxLineBytes = size_t(4) << 20;  // WorkerProtocol.MAX_LINE_BYTES
bool nextLine(std::string &line, bool *tooLong) {
    static std::string buffer;
    static size_t start = 0;
    static bool ended = false;
    line.clear();
    *tooLong = false;
    bool any = false;
    char chunk[65536];
    for (;;) {
        if (start == buffer.size()) {
            buffer.clear();
            start = 0;
            ssize_t n = 0;
            while (!ended && (n = ::read(0, chunk, sizeof chunk)) < 0 && errno == EINTR) {
            }
            if (ended || n <= 0) {
                ended = true;
                return any;
            }
            buffer.assign(chunk, size_t(n));
        }
        any = true;
        const size_t lf = buffer.find('\n', start);
        const size_t take = (lf == std::string::npos ? buffer.size() : lf) - start;
        if (!*tooLong && line.size() + take > kMaxLineBytes) {
            *tooLong = true;
            std::string().swap(line);  // its bytes are dropped, not kept
        }
        if (!*tooLong)
            line.append(buffer, start, take);
        start += take;
        if (lf != std::string::npos) {
            ++start;  // past the LF
            return true;
        }
    }
}

// ---- fork server (--fork-server) ----
// One process that has loaded Qt forks each pooled worker instead of the harness exec'ing it (an exec, the dynamic
// linker and Qt's relocations were most of a Qt worker's start). The lines, owned by WorkerProtocol.ForkServer:
//   fork          ->  forked <pid> <in> <out> <err>   a fresh worker whose 0, 1, 2 are new pipes; this server keeps the
//                                                    other ends as its descriptors in, out, err until:
//   release <pid> ->  released <pid>                 the harness opened them through /proc/<server>/fd/: closed here
//   reap <pid>    ->  reaped <pid> <status> | running <pid>      status as Java's Process gives it: 128+N for signal N
//   anything else, or a failure  ->  error <why>
// Pipes, not FIFOs: a FIFO is a file, and files made and removed beside the key files would change which inode a new
// key file takes, which is what some of Qt's System V bugs hang on.
// A child is reaped only when the harness asks, after its pidfd said the child exited: until then the child keeps its
// pid, so the pidfd the harness opens on the pid "forked" names holds this child and no later process of that number.
// Each child asks for SIGKILL at this server's death, and this server at the harness's (main): a harness killed with
// SIGKILL leaves no worker behind. End of file on stdin ends the server and so its children.

void serverLine(const std::string &text) {
    const std::string line = text + "\n";
    size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(1, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(0);  // the harness is gone
        done += size_t(n);
    }
}

struct HarnessEnds {
    int in = -1, out = -1, err = -1;  // the write end of the child's stdin, the read ends of its stdout and stderr
    void close() {
        for (int fd : {in, out, err})
            if (fd >= 0)
                ::close(fd);
        in = out = err = -1;
    }
};

// Every descriptor from 3 up closed: close_range (Linux 5.9), else one by one below the descriptor limit.
bool closeFrom3() {
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return true;
    if (errno != ENOSYS)
        return false;
    const long limit = ::sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (limit > 0 ? limit : 1024); ++fd)
        ::close(int(fd));
    return true;
}

// Returns only in a forked child, whose descriptors 0, 1, 2 are then its own pipes and which holds no other: it goes on
// as a worker.
void serveForks() {
    const pid_t server = ::getpid();
    std::map<pid_t, HarnessEnds> unreleased;
    std::string buffer;
    char chunk[4096];
    for (;;) {
        size_t end;
        while ((end = buffer.find('\n')) == std::string::npos) {
            const ssize_t n = ::read(0, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                _exit(0);
            buffer.append(chunk, size_t(n));
        }
        const std::string line = buffer.substr(0, end);
        buffer.erase(0, end + 1);
        const pid_t pid = line.find(' ') == std::string::npos ? 0 : pid_t(std::strtol(line.c_str() + line.find(' '), nullptr, 10));
        if (line == "fork") {
            int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
            if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
                const int why = errno;
                for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
                    if (fd >= 0)
                        ::close(fd);
                serverLine(std::string("error pipe: ") + std::strerror(why));
                continue;
            }
            const pid_t child = ::fork();
            if (child == 0) {
                // The pipes' other ends, and those of children not yet released, must not stay open here: the harness
                // would never see this child's end of file, nor it the harness's. A child whose server is already gone ends.
                if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != server || ::dup2(in[0], 0) != 0
                    || ::dup2(out[1], 1) != 1 || ::dup2(err[1], 2) != 2 || !closeFrom3())
                    _exit(4);
                return;
            }
            ::close(in[0]);
            ::close(out[1]);
            ::close(err[1]);
            HarnessEnds ends{in[1], out[0], err[0]};
            if (child < 0) {
                const int why = errno;
                ends.close();
                serverLine(std::string("error fork: ") + std::strerror(why));
                continue;
            }
            unreleased[child] = ends;
            serverLine("forked " + std::to_string(child) + " " + std::to_string(ends.in) + " " + std::to_string(ends.out)
                       + " " + std::to_string(ends.err));
        } else if (line.rfind("release ", 0) == 0 && unreleased.count(pid) != 0) {
            unreleased[pid].close();
            unreleased.erase(pid);
            serverLine("released " + std::to_string(pid));
        } else if (line.rfind("reap ", 0) == 0 && pid > 0) {
            int status = 0;
            const pid_t r = ::waitpid(pid, &status, WNOHANG);
            if (r == pid)
                serverLine("reaped " + std::to_string(pid) + " "
                           + std::to_string(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status)));
            else if (r == 0)
                serverLine("running " + std::to_string(pid));
            else
                serverLine("error reap " + std::to_string(pid) + ": " + std::strerror(errno));
        } else {
            serverLine("error unknown request \"" + line.substr(0, 64) + "\"");
        }
    }
}

}  // namespace

int main(int argc, char **argv) {
    // Started by the harness without setpriv (WorkerLauncher.startSelfArming): ask for SIGKILL when the parent (the
    // harness's launcher thread) dies, before anything else, as setpriv --pdeathsig would have; a parent already gone
    // by now (getppid() is not the one named) would leave this worker to nobody, so it ends at once.
    if (const char *parent = std::getenv("SHMCONFORM_PARENT_PID")) {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != static_cast<pid_t>(std::strtoll(parent, nullptr, 10)))
            _exit(3);
    }
    // No QCoreApplication: QSharedMemory does not need one, and start-up stays at a few ms.
    std::ios::sync_with_stdio(false);
    bool forkServer = false;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--fork-server")) {
            forkServer = true;
            continue;
        }
        if (arg == QLatin1String("--key-mode=file-map")) {
            fileMapMode = true;
            continue;
        }
        if (!arg.startsWith(QLatin1String("--key-mode=")) || !parseKeyMode(arg.mid(11), keyMode))
            refuse(QStringLiteral("unknown argument \"%1\"; usage: qt_shm_worker [--key-mode=legacy|native|"
                                  "legacy-sysv|legacy-posix|safe-sysv|safe-posix|native-sysv|native-posix|file-map] [--fork-server]").arg(arg));
    }
    if (!fileMapMode)
        checkKeyModeSupported();
    if (fileMapMode || backendName() == QLatin1String("qt-posix"))
        sayRoomOnSigbus();  // before a fork server forks: its workers inherit it
    if (forkServer)
        serveForks();  // returns in each forked child only
    shm = new QSharedMemory();  // unused in file-map mode, but the shared reply helpers may read it
    if (fileMapMode) {
        fm = new FileMapSegment();
        keyMode.name = QStringLiteral("file-map");
    }

    sendReply(QJsonObject{{"seq", 0},
                     {"ok", true},
                     {"value", QJsonObject{{"protocol", 1},
                                           {"pid", qint64(::getpid())},
                                           // The thread that runs every op (this one): the engine reads its
                                           // kernel state to tell a blocked lock from a slow one.
                                           {"tid", qint64(::syscall(SYS_gettid))},
                                           {"impl", QStringLiteral("qt-") + QLatin1String(qVersion())},
                                           {"backend", fileMapMode ? QStringLiteral("qt-filemap") : backendName()},
                                           {"keyMode", keyMode.name}}},
                     {"error", "NoError"},
                     {"errorCode", 0},
                     {"errorString", ""}});

    std::string line;
    bool tooLong = false;
    while (nextLine(line, &tooLong)) {
        sendReply(tooLong ? protocolFailure(0, QStringLiteral("unparsable line: longer than %1 bytes").arg(qulonglong(kMaxLineBytes)))
                          : handleLine(line));
    }
    shutdown(nullptr);  // EOF: same as exit, without a reply
}
