#include "fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ctai::test::fault {
namespace {

// ---- the plan ----------------------------------------------------------------------------

struct Plan {
    Kind kind = Kind::io;
    std::int64_t nth = 0;  // 0 = disarmed
    Persistence persistence = Persistence::sticky;
    bool fired = false;
    std::int64_t seen_io = 0, seen_write = 0, seen_sync = 0, seen_alloc = 0;
};
// Tests are single-threaded; SQLite calls back on the caller's thread.
Plan plan;

bool matches(Kind op) {
    if (plan.kind == op) return true;
    return plan.kind == Kind::io && (op == Kind::write || op == Kind::sync || op == Kind::io);
}

// Counts an operation of kind `op` and says whether it must fail.
bool should_fail(Kind op) {
    if (op == Kind::alloc) {
        ++plan.seen_alloc;
    } else {
        ++plan.seen_io;
        if (op == Kind::write) ++plan.seen_write;
        if (op == Kind::sync) ++plan.seen_sync;
    }
    if (plan.nth == 0 || !matches(op)) return false;
    if (plan.fired) return plan.persistence == Persistence::sticky;
    const std::int64_t seen = op == Kind::alloc                                  ? plan.seen_alloc
                              : plan.kind == Kind::io                            ? plan.seen_io
                              : op == Kind::write                                ? plan.seen_write
                              : op == Kind::sync                                 ? plan.seen_sync
                                                                                 : plan.seen_io;
    if (seen < plan.nth) return false;
    plan.fired = true;
    return true;
}

// ---- the file wrapper ----------------------------------------------------------------------

struct FaultFile {
    sqlite3_file base;
    sqlite3_file* real;  // allocated right after this struct (szOsFile covers both)
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs fault_vfs{};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int x_close(sqlite3_file* f) {
    auto* r = real_of(f);
    const int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
    f->pMethods = nullptr;
    return rc;
}
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
    auto* r = real_of(f);
    return r->pMethods->xRead(r, buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
    if (should_fail(Kind::write)) return SQLITE_FULL;
    auto* r = real_of(f);
    return r->pMethods->xWrite(r, buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (should_fail(Kind::io)) return SQLITE_IOERR_TRUNCATE;
    auto* r = real_of(f);
    return r->pMethods->xTruncate(r, size);
}
int x_sync(sqlite3_file* f, int flags) {
    if (should_fail(Kind::sync)) return SQLITE_IOERR_FSYNC;
    auto* r = real_of(f);
    return r->pMethods->xSync(r, flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
    auto* r = real_of(f);
    return r->pMethods->xFileSize(r, size);
}
int x_lock(sqlite3_file* f, int l) {
    auto* r = real_of(f);
    return r->pMethods->xLock(r, l);
}
int x_unlock(sqlite3_file* f, int l) {
    auto* r = real_of(f);
    return r->pMethods->xUnlock(r, l);
}
int x_check_reserved(sqlite3_file* f, int* out) {
    auto* r = real_of(f);
    return r->pMethods->xCheckReservedLock(r, out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
    auto* r = real_of(f);
    return r->pMethods->xFileControl(r, op, arg);
}
int x_sector_size(sqlite3_file* f) {
    auto* r = real_of(f);
    return r->pMethods->xSectorSize(r);
}
int x_device_characteristics(sqlite3_file* f) {
    auto* r = real_of(f);
    return r->pMethods->xDeviceCharacteristics(r);
}
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    auto* r = real_of(f);
    return r->pMethods->xShmMap(r, page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    auto* r = real_of(f);
    return r->pMethods->xShmLock(r, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
    auto* r = real_of(f);
    r->pMethods->xShmBarrier(r);
}
int x_shm_unmap(sqlite3_file* f, int del) {
    auto* r = real_of(f);
    return r->pMethods->xShmUnmap(r, del);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
    auto* r = real_of(f);
    return r->pMethods->xFetch(r, off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
    auto* r = real_of(f);
    return r->pMethods->xUnfetch(r, off, p);
}

// Version 3 methods: the platform VFS (unix) offers WAL shared memory and memory mapping.
const sqlite3_io_methods fault_methods = {
    3,           x_close,        x_read,           x_write,          x_truncate,
    x_sync,      x_file_size,    x_lock,           x_unlock,         x_check_reserved,
    x_file_control, x_sector_size, x_device_characteristics, x_shm_map, x_shm_lock,
    x_shm_barrier, x_shm_unmap,  x_fetch,          x_unfetch,
};

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* ff = reinterpret_cast<FaultFile*>(f);
    ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
    std::memset(ff->real, 0, static_cast<std::size_t>(real_vfs->szOsFile));
    const int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    f->pMethods = (rc == SQLITE_OK && ff->real->pMethods) ? &fault_methods : nullptr;
    return rc;
}
int v_delete(sqlite3_vfs*, const char* name, int sync_dir) {
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return real_vfs->xAccess(real_vfs, name, flags, out);
}
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* v_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void v_dl_error(sqlite3_vfs*, int n, char* msg) { real_vfs->xDlError(real_vfs, n, msg); }
void (*v_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
    return real_vfs->xDlSym(real_vfs, h, sym);
}
void v_dl_close(sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int v_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int v_get_last_error(sqlite3_vfs*, int n, char* out) {
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
int v_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

// ---- the allocator wrapper ------------------------------------------------------------------

sqlite3_mem_methods real_mem{};

void* m_malloc(int n) { return should_fail(Kind::alloc) ? nullptr : real_mem.xMalloc(n); }
void m_free(void* p) { real_mem.xFree(p); }
void* m_realloc(void* p, int n) {
    return should_fail(Kind::alloc) ? nullptr : real_mem.xRealloc(p, n);
}
int m_size(void* p) { return real_mem.xSize(p); }
int m_roundup(int n) { return real_mem.xRoundup(n); }
int m_init(void* app) { return real_mem.xInit(app); }
void m_shutdown(void* app) { real_mem.xShutdown(app); }

bool installed = false;

void check(int rc, const char* what) {
    if (rc != SQLITE_OK) throw std::runtime_error(std::string("fault_vfs: ") + what + " failed");
}

}  // namespace

void install() {
    if (installed) return;
    check(sqlite3_shutdown(), "sqlite3_shutdown");
    check(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem), "SQLITE_CONFIG_GETMALLOC");
    static sqlite3_mem_methods wrapped{};
    wrapped = real_mem;
    wrapped.xMalloc = m_malloc;
    wrapped.xFree = m_free;
    wrapped.xRealloc = m_realloc;
    wrapped.xSize = m_size;
    wrapped.xRoundup = m_roundup;
    wrapped.xInit = m_init;
    wrapped.xShutdown = m_shutdown;
    check(sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped), "SQLITE_CONFIG_MALLOC");
    check(sqlite3_initialize(), "sqlite3_initialize");

    real_vfs = sqlite3_vfs_find(nullptr);
    if (!real_vfs) throw std::runtime_error("fault_vfs: no default VFS");
    fault_vfs.iVersion = 2;
    fault_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    fault_vfs.zName = "ctai-fault";
    fault_vfs.xOpen = v_open;
    fault_vfs.xDelete = v_delete;
    fault_vfs.xAccess = v_access;
    fault_vfs.xFullPathname = v_full_pathname;
    fault_vfs.xDlOpen = v_dl_open;
    fault_vfs.xDlError = v_dl_error;
    fault_vfs.xDlSym = v_dl_sym;
    fault_vfs.xDlClose = v_dl_close;
    fault_vfs.xRandomness = v_randomness;
    fault_vfs.xSleep = v_sleep;
    fault_vfs.xCurrentTime = v_current_time;
    fault_vfs.xGetLastError = v_get_last_error;
    fault_vfs.xCurrentTimeInt64 = v_current_time_int64;
    check(sqlite3_vfs_register(&fault_vfs, 1), "sqlite3_vfs_register");
    installed = true;
}

void arm(Kind kind, std::int64_t nth, Persistence persistence) {
    plan = Plan{};
    plan.kind = kind;
    plan.nth = nth;
    plan.persistence = persistence;
}

bool disarm() {
    const bool fired = plan.fired;
    plan.nth = 0;
    plan.fired = false;
    return fired;
}

std::int64_t count(Kind kind) {
    switch (kind) {
        case Kind::io: return plan.seen_io;
        case Kind::write: return plan.seen_write;
        case Kind::sync: return plan.seen_sync;
        case Kind::alloc: return plan.seen_alloc;
    }
    return 0;
}

}  // namespace ctai::test::fault
