import CVideoGenNative
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Carries a download's body from the transport thread to the disk through a fixed ring buffer. Two consumers, run
/// as work items on a process-wide Dispatch queue (threads from Dispatch's pool, not threads per download), empty
/// it: one computes the SHA-256, the other writes to the file in large sequential writes. The transport thread only
/// copies bytes in, so receiving, hashing and writing overlap (on two cores, a download is no longer the sum of the
/// three), and memory stays at the ring's size whatever the file's: when the disk or the hash falls behind,
/// `submit` blocks the transport thread, which stops reading the socket, and TCP slows the server down.
///
/// Writes bypass the page cache (O_DIRECT) where the file system allows it: the ring is page-aligned and every
/// write but the last is a whole number of pages at a page-aligned offset. Copying a download into the page cache
/// costs about as much CPU as receiving it, and the final fsync then has gigabytes to write; with direct writes the
/// disk works while the download goes on, and fsync only has metadata and the tail left. Where O_DIRECT is refused
/// (at the switch or at a write), at an unaligned offset (a resumed download), or for the tail, writes are plain.
///
/// A consumer is scheduled when a batch of bytes is waiting (or a drain asks for everything), runs until the ring
/// holds less than that, and ends; at most one of each kind runs at a time. A write error is kept and thrown by the
/// next `submit`, `drain` or `finish`; after it the writer writes nothing more.
///
/// `@unchecked Sendable`: every stored `var` is read and written while holding `mutex`, except `digest` (touched by
/// the running hasher while `hashed < produced`, and by others only under the lock when `hashed == produced`, when
/// no hasher touches it), the writer's own state (`direct`, `directRefused`, `sinceTrim`: only the one running
/// writer, handed over under the lock) and the ring's bytes (the producer writes only the free region, the consumers
/// read only the filled one; the cursors, moved under the lock, hand regions over).
final class HashingWriter: @unchecked Sendable {
    /// Ring size: the most a download holds in memory.
    static let defaultCapacity = 4 << 20
    /// Bytes a consumer waits for before it wakes (fewer wake-ups than one per network chunk), unless draining.
    static let batchBytes: Int64 = 1 << 20
    /// Largest single write (and at most half the ring, so that the transport has room while a write runs).
    static let maxWrite = 4 << 20
    /// The writer hands the C allocator's free memory back to the system after this many bytes (see `trim`).
    static let trimEvery: Int64 = 16 << 20
    /// Alignment of direct writes (memory, file offset and length): the page size, which every Linux block
    /// device's logical block size divides.
    static let directAlignment = 4096
    /// Where the consumers of every download run. Concurrent, so one download's hashing and writing overlap; its
    /// threads come from Dispatch's pool, so many downloads at once do not mean many threads.
    static let workers = DispatchQueue(label: "videogen.download", attributes: .concurrent)

    private let descriptor: Int32
    private let path: String
    private let capacity: Int
    private let ring: UnsafeMutableRawPointer

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled for the producer waiting for room, and for drainers and `close` (a consumer finished).
    private let roomCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let drainCondition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    // Guarded by `mutex`. Positions count bytes since the last reset; ring offset = position % capacity.
    private var produced: Int64 = 0
    private var hashed: Int64 = 0
    private var written: Int64 = 0
    private var draining = 0
    private var closing = false
    private var failure: VideoGenError?
    private var producerWaiting = false
    /// A hasher / writer work item is queued or running.
    private var hashScheduled = false
    private var writeScheduled = false

    /// Bytes a consumer waits for before it wakes: `batchBytes`, less for a small ring.
    private let batch: Int64
    /// Whether to try direct I/O at all, and whether the file system refused it (the running writer).
    private let wantDirect: Bool
    private var directRefused = false
    /// Whether the descriptor is in direct mode now (the running writer).
    private var direct = false
    /// Largest single write for this ring.
    private let maxWrite: Int
    /// Bytes written since the allocator last gave memory back (the running writer).
    private var sinceTrim: Int64 = 0
    /// Bytes written with direct I/O so far (guarded by `mutex`; for tests and diagnostics).
    private var directBytes: Int64 = 0

    private var digest = SHA256()
    /// File offset at which position 0 of the ring is written: the length of an adopted part file, else 0.
    private var base: Int64 = 0

    /// A writer appending to `descriptor` (at its current offset); `path` names the file in error messages.
    /// - Parameter directIO: try O_DIRECT writes (tests turn it off to cover the plain path).
    init(descriptor: Int32, path: String, capacity: Int = HashingWriter.defaultCapacity, directIO: Bool = true) {
        self.descriptor = descriptor
        self.path = path
        let alignment = HashingWriter.directAlignment
        self.capacity = max(4 * alignment, (capacity + alignment - 1) / alignment * alignment)
        batch = max(Int64(alignment), min(HashingWriter.batchBytes, Int64(self.capacity / 4)))
        maxWrite = max(alignment, min(HashingWriter.maxWrite, self.capacity / 2))
        ring = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: alignment)
        wantDirect = directIO
        pthread_mutex_init(mutex, nil)
        for condition in [roomCondition, drainCondition] {
            pthread_cond_init(condition, nil)
        }
    }

    deinit {
        close()
        for condition in [roomCondition, drainCondition] {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        ring.deallocate()
    }

    /// Queues `bytes` to be hashed and written, blocking while the ring is full.
    /// - Throws: the writer's error (`.io`), or `.cancelled` once closed.
    func submit(_ bytes: UnsafeRawBufferPointer) throws {
        guard var source = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        lock()
        defer { unlock() }
        while remaining > 0 {
            while failure == nil, !closing, Int64(capacity) - (produced - min(hashed, written)) <= 0 {
                producerWaiting = true
                pthread_cond_wait(roomCondition, mutex)
                producerWaiting = false
            }
            if let failure { throw failure }
            if closing { throw VideoGenError(.cancelled, "the download was closed") }
            let room = Int(Int64(capacity) - (produced - min(hashed, written)))
            let offset = Int(produced % Int64(capacity))
            let count = min(remaining, room, capacity - offset)
            // The region [produced, produced + count) is free: no consumer reads it until `produced` moves.
            unlock()
            ring.advanced(by: offset).copyMemory(from: source, byteCount: count)
            lock()
            produced += Int64(count)
            source += count
            remaining -= count
            schedule()
        }
    }

    /// Waits until every queued byte is hashed and written.
    /// - Throws: the writer's error.
    func drain() throws {
        lock()
        defer { unlock() }
        try drainLocked()
    }

    /// Drains, then starts over with an empty digest (the caller empties the file).
    func reset() throws {
        lock()
        defer { unlock() }
        try drainLocked()
        produced = 0
        hashed = 0
        written = 0
        base = 0
        digest = SHA256()
    }

    /// Continues a file that already holds `length` bytes whose hash state is `prefix` (a part file left by an
    /// earlier process): later bytes are hashed after them and written from that offset (the descriptor must
    /// already be there). Only before the first `submit`.
    func adopt(prefix: SHA256, length: Int64) {
        lock()
        defer { unlock() }
        precondition(produced == 0, "adopt before any submit")
        digest = prefix
        base = length
    }

    /// Drains and returns the digest of everything submitted since the last reset.
    func finish() throws -> SHA256 {
        lock()
        defer { unlock() }
        try drainLocked()
        return digest
    }

    /// True once a write failed: the file may hold fewer bytes than were submitted before the failure.
    var hasFailed: Bool {
        lock()
        defer { unlock() }
        return failure != nil
    }

    /// Bytes that went to the file with direct I/O.
    var bytesWrittenDirectly: Int64 {
        lock()
        defer { unlock() }
        return directBytes
    }

    /// Stops both consumers without writing what is still queued, and waits until neither runs (so the
    /// descriptor can be closed). Safe to call more than once.
    func close() {
        lock()
        defer { unlock() }
        closing = true
        broadcastAll()
        while hashScheduled || writeScheduled { pthread_cond_wait(drainCondition, mutex) }
    }

    // MARK: - Consumers

    /// Whether a consumer at `position` has work: a batch, or anything at all while draining.
    private func hasWork(_ position: Int64) -> Bool {
        !closing && (produced - position >= batch || (draining > 0 && produced > position))
    }

    /// Queues a hasher and a writer where there is work and none is queued yet (under the lock).
    private func schedule() {
        if !hashScheduled, hasWork(hashed) {
            hashScheduled = true
            HashingWriter.workers.async { [self] in hashRun() }
        }
        if !writeScheduled, failure == nil, hasWork(written) {
            writeScheduled = true
            HashingWriter.workers.async { [self] in writeRun() }
        }
    }

    private func hashRun() {
        lock()
        while hasWork(hashed) {
            let offset = Int(hashed % Int64(capacity))
            let count = min(Int(produced - hashed), capacity - offset)
            unlock()
            digest.update(bytes: UnsafeRawBufferPointer(start: ring.advanced(by: offset), count: count))
            lock()
            hashed += Int64(count)
            consumed()
        }
        hashScheduled = false
        pthread_cond_broadcast(drainCondition)
        unlock()
    }

    private func writeRun() {
        lock()
        while failure == nil, hasWork(written) {
            let offset = Int(written % Int64(capacity))
            var count = min(Int(produced - written), capacity - offset, maxWrite)
            // Direct when the offset is aligned and there is at least a page: whole pages only. Otherwise (the
            // tail when draining, or after a resume at an odd offset) plain, until the offset is aligned again.
            let alignment = HashingWriter.directAlignment
            let directWrite = wantDirect && !directRefused && (base + written) % Int64(alignment) == 0 && count >= alignment
            if directWrite { count -= count % alignment }
            unlock()
            let (error, directCount) = writeAll(ring.advanced(by: offset), count, direct: directWrite)
            lock()
            if let error {
                failure = error
                broadcastAll()
                break
            }
            written += Int64(count)
            directBytes += Int64(directCount)
            consumed()
            sinceTrim += Int64(count)
            if sinceTrim >= HashingWriter.trimEvery {
                sinceTrim = 0
                unlock()
                trim()
                lock()
            }
        }
        writeScheduled = false
        pthread_cond_broadcast(drainCondition)
        unlock()
    }

    /// Writes `count` bytes (retrying short writes and EINTR), in direct mode if asked and possible.
    /// - Returns: the error, if any, and how many bytes went directly. A file system that refuses direct I/O (at
    ///   the switch, or EINVAL at a write) gets plain writes from then on.
    private func writeAll(_ start: UnsafeMutableRawPointer, _ count: Int, direct wanted: Bool) -> (VideoGenError?, Int) {
        var useDirect = wanted && setDirect(true)
        if !useDirect { _ = setDirect(false) }
        var done = 0
        var directDone = 0
        while done < count {
            let result = FaultPoints.call(.partWrite, path: path, failing: -1) { write(descriptor, start + done, count - done) }
            if result < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, useDirect {
                    directRefused = true
                    useDirect = false
                    _ = setDirect(false)
                    continue
                }
                return (VideoGenError(.io, "cannot write '\(path)': \(String(cString: strerror(errno)))"), directDone)
            }
            if result == 0 { return (VideoGenError(.io, "cannot write '\(path)': the disk accepted no bytes"), directDone) }
            done += result
            if useDirect { directDone += result }
            if done < count, useDirect, done % HashingWriter.directAlignment != 0 {
                useDirect = false
                _ = setDirect(false)
            }
        }
        return (nil, directDone)
    }

    /// Returns the C allocator's free memory to the system. FoundationNetworking re-creates a Dispatch timer for
    /// every 16 KiB that libcurl delivers (`_EasyHandle.resetTimer`); when both cores are busy, the cancelled
    /// timers are released late and in bursts, in the transport thread's malloc arena, between the 16 KiB buffers
    /// of the body. glibc keeps the arena at its high-water mark, so without this the process grew by several MiB
    /// per GiB downloaded (peak RSS 100 MiB for a 4 GiB file in contended runs, and more in a process that
    /// downloads many files). malloc_trim also releases free pages inside the arenas; it costs well under a
    /// millisecond here, on the writer, which mostly waits for the disk.
    private func trim() {
        videogen_release_free_memory()
    }

    /// Puts the descriptor in direct mode or takes it out (the running writer); false when direct mode is unavailable.
    private func setDirect(_ on: Bool) -> Bool {
        if on == direct { return true }
        if on, directRefused { return false }
        if videogen_set_direct_io(descriptor, on ? 1 : 0) != 0 {
            if on { directRefused = true }
            return false
        }
        direct = on
        return true
    }

    // MARK: - Locked helpers

    private func drainLocked() throws {
        draining += 1
        defer { draining -= 1 }
        schedule()
        while failure == nil, !closing, hashed < produced || written < produced {
            pthread_cond_wait(drainCondition, mutex)
        }
        if let failure { throw failure }
        if closing, hashed < produced || written < produced {
            throw VideoGenError(.cancelled, "the download was closed")
        }
    }

    /// After a cursor moved: room for the producer, and maybe the end of a drain.
    private func consumed() {
        if producerWaiting { pthread_cond_signal(roomCondition) }
        if draining > 0, hashed == produced, written == produced { pthread_cond_broadcast(drainCondition) }
    }

    private func broadcastAll() {
        for condition in [roomCondition, drainCondition] {
            pthread_cond_broadcast(condition)
        }
    }

    private func lock() { pthread_mutex_lock(mutex) }
    private func unlock() { pthread_mutex_unlock(mutex) }
}

