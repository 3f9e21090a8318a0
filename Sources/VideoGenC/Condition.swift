#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition variable (pthreads), for the few places where a thread must sleep until another
/// changes shared state: what Foundation's `NSCondition` did, without linking Foundation.
final class Condition: @unchecked Sendable {
    // Unchecked: the pthread objects are made for use from any thread; they live on the heap, never moved.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Takes the mutex.
    func lock() { pthread_mutex_lock(mutex) }
    /// Releases the mutex.
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Releases the mutex until `broadcast`, then takes it again (spurious wake-ups possible: wait in a loop).
    func wait() { pthread_cond_wait(condition, mutex) }
    /// Wakes every waiting thread.
    func broadcast() { pthread_cond_broadcast(condition) }
}
