#pragma once
/// \file fault_vfs.hpp
/// Test-only fault injection under SQLite, the way SQLite tests itself (its test_vfs.c and
/// malloc tests): a VFS that wraps the platform's default one and can be told to fail the
/// Nth write, sync or truncate of any file (the main database, its WAL, its journal), and a
/// wrapper around SQLite's allocator that can fail the Nth allocation.
///
/// install() registers the VFS as the process's default, so every connection libctai opens
/// goes through it; nothing in the library knows about it. Call it once, before any
/// connection is opened (alloc faults need it before SQLite is initialised: see install()).

#include <cstdint>

namespace ctai::test::fault {

enum class Kind {
    io,     ///< the Nth xWrite, xSync or xTruncate, whichever comes
    write,  ///< the Nth xWrite
    sync,   ///< the Nth xSync
    alloc,  ///< the Nth allocation by SQLite (malloc or realloc)
};

/// What a fault does once it fires.
enum class Persistence {
    once,    ///< only the Nth operation fails (a transient error)
    sticky,  ///< the Nth and every later operation of the kind fail (a full or dead disk)
};

/// Registers the fault VFS as the default VFS and wraps SQLite's allocator. Must run before
/// SQLite is first used in the process (it shuts SQLite down and re-initialises it).
/// Idempotent.
void install();

/// Arms a fault: the `nth` operation of `kind` from now on (1 = the next one) fails, with
/// SQLITE_FULL for writes (disk full), SQLITE_IOERR_FSYNC for syncs, SQLITE_IOERR_TRUNCATE
/// for truncates, or a null pointer for allocations.
void arm(Kind kind, std::int64_t nth, Persistence persistence = Persistence::sticky);

/// Disarms; operations succeed again. Returns whether the armed fault fired.
bool disarm();

/// Operations of `kind` seen since the last arm() (or install()).
std::int64_t count(Kind kind);

}  // namespace ctai::test::fault
