/*
 * tsan_swift_runtime_shim.c: tells ThreadSanitizer about the synchronisation that happens inside the
 * (uninstrumented) Swift runtime libraries, so that a TSan run of libvideogen reports real races only.
 *
 * Preloaded (LD_PRELOAD) into a TSan-instrumented test program by scripts/check-sanitizers.sh. Nothing here is a
 * suppression: every piece adds the happens-before edge that the real code establishes but TSan cannot see, so a
 * real race (an access outside the lock, under another lock, or before the initialisation) is still reported.
 * Without it, a TSan run of the C concurrency tests reported 31 races, every one inside a Mutex.withLock
 * closure (kind 1 below); kind 2 showed in TSan runs of the Swift tests. All are in code that is correct.
 *
 * 1. Synchronization.Mutex (used by HandleTable, ClientEventQueue, RetryBudget, SessionDelegate, ...).
 *    Mutex.withLock is inlined into libvideogen.so, so its uncontended lock and unlock are instrumented atomic
 *    compare-and-swaps on the mutex word. A contended lock is handed over by _MutexHandle._lockSlow/_unlockSlow
 *    in libswiftSynchronization.so (not instrumented) through the kernel (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI), so
 *    TSan saw the data inside withLock touched by two threads with no edge between them. The shim interposes the
 *    two slow paths: __tsan_release(word) before the real unlock, __tsan_acquire(word) after the real lock. The
 *    word's address is the same synchronisation object the instrumented fast path uses.
 *    They use the Swift calling convention: `self` (the address of the mutex word) is in the swiftself register,
 *    which clang spells swift_context (so this file needs clang).
 *
 * 2. swift_once (lazy globals and static stored properties: SHA256.k, VideoGenError.Code constants, the adapters'
 *    field tables, ...). The "already initialised" check is in libswiftCore.so, so a thread reading a global that
 *    another thread initialised had no edge to the initialiser's writes. The shim wraps the initialiser so that it
 *    ends with __tsan_release(predicate), and acquires the predicate after every swift_once.
 *
 * 3. The Swift concurrency runtime's own TSan hooks (task enqueue = release, job run = acquire). libswiftCore.so
 *    turns them on in its __tsan_on_initialize, which the TSan runtime calls at start-up if the call reaches it
 *    (it does in the clang-linked C test program: the shim then reports "already enabled"). Whether it does
 *    depends on how the TSan runtime was linked, so the constructor checks _swift_tsan_enabled and calls
 *    libswiftCore's __tsan_on_initialize itself when it did not run; without the hooks every hop of an async
 *    function from one thread to another looks like a race.
 *
 * In a process without the TSan runtime (swift-test, the compiler, python, when the variable is inherited) the
 * __tsan_* functions are absent (weak) and the shim only passes the calls through.
 *
 * Build: clang -shared -fPIC -O1 -o libtsan_swift_runtime_shim.so tsan_swift_runtime_shim.c -ldl
 * Set VG_TSAN_SHIM_VERBOSE=1 to have the constructor say what it did.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((weak)) void __tsan_acquire(void *addr);
__attribute__((weak)) void __tsan_release(void *addr);

static void *real_symbol(const char *name)
{
    void *symbol = dlsym(RTLD_NEXT, name);
    if (symbol == NULL) {
        fprintf(stderr, "tsan_swift_runtime_shim: %s not found: %s\n", name, dlerror());
        abort();
    }
    return symbol;
}

#define RESOLVE(type, name)                                                                                           \
    static type real_;                                                                                                \
    type fn = __atomic_load_n(&real_, __ATOMIC_ACQUIRE);                                                              \
    if (fn == NULL) {                                                                                                 \
        fn = (type)real_symbol(name);                                                                                 \
        __atomic_store_n(&real_, fn, __ATOMIC_RELEASE);                                                               \
    }

/* ---- 1. Synchronization._MutexHandle slow paths. ---- */

#define SWIFTCALL __attribute__((swiftcall))
#define SWIFTSELF __attribute__((swift_context))
#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

typedef SWIFTCALL void (*lock_slow_fn)(uint32_t self_id, void *SWIFTSELF self);
typedef SWIFTCALL void (*unlock_slow_fn)(void *SWIFTSELF self);

/* Synchronization._MutexHandle._lockSlow(UInt32) */
SWIFTCALL void vg_shim_lock_slow(uint32_t self_id, void *SWIFTSELF self) __asm__(LOCK_SLOW);
SWIFTCALL void vg_shim_lock_slow(uint32_t self_id, void *SWIFTSELF self)
{
    RESOLVE(lock_slow_fn, LOCK_SLOW)
    fn(self_id, self);
    if (__tsan_acquire != NULL) __tsan_acquire(self);
}

/* Synchronization._MutexHandle._unlockSlow() */
SWIFTCALL void vg_shim_unlock_slow(void *SWIFTSELF self) __asm__(UNLOCK_SLOW);
SWIFTCALL void vg_shim_unlock_slow(void *SWIFTSELF self)
{
    RESOLVE(unlock_slow_fn, UNLOCK_SLOW)
    if (__tsan_release != NULL) __tsan_release(self);
    fn(self);
}

/* ---- 2. swift_once. ---- */

typedef void (*once_initializer)(void *context);
typedef void (*swift_once_fn)(void *predicate, once_initializer initializer, void *context);

struct once_call {
    once_initializer initializer;
    void *context;
    void *predicate;
};

static void initialize_then_release(void *argument)
{
    struct once_call *call = argument;
    call->initializer(call->context);
    __tsan_release(call->predicate);
}

void swift_once(void *predicate, once_initializer initializer, void *context)
{
    RESOLVE(swift_once_fn, "swift_once")
    if (__tsan_acquire == NULL || __tsan_release == NULL) {
        fn(predicate, initializer, context);
        return;
    }
    struct once_call call = {initializer, context, predicate};
    fn(predicate, initialize_then_release, &call);
    __tsan_acquire(predicate);
}

/* ---- 3. The concurrency runtime's TSan hooks. ---- */

__attribute__((constructor)) static void vg_shim_enable_swift_tsan_hooks(void)
{
    bool verbose = getenv("VG_TSAN_SHIM_VERBOSE") != NULL;
    void *core;
    bool *enabled;
    void (*on_initialize)(void);
    if (__tsan_acquire == NULL) {
        if (verbose) fprintf(stderr, "tsan_swift_runtime_shim: no TSan runtime in this process: pass-through\n");
        return;
    }
    core = dlopen("libswiftCore.so", RTLD_NOLOAD | RTLD_LAZY);
    if (core == NULL) {
        if (verbose) fprintf(stderr, "tsan_swift_runtime_shim: libswiftCore.so not loaded\n");
        return;
    }
    enabled = (bool *)dlsym(core, "_swift_tsan_enabled");
    on_initialize = (void (*)(void))dlsym(core, "__tsan_on_initialize");
    if (enabled != NULL && !*enabled && on_initialize != NULL) {
        on_initialize();
        if (verbose) fprintf(stderr, "tsan_swift_runtime_shim: Swift runtime TSan hooks enabled\n");
    } else if (verbose) {
        fprintf(stderr, "tsan_swift_runtime_shim: Swift runtime TSan hooks %s\n",
                enabled != NULL && *enabled ? "already enabled" : "not found");
    }
}
