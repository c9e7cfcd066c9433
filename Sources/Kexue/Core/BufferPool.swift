import Synchronization
import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// A size-bucketed pool of 64-byte-aligned buffers.
///
/// Training loops allocate the same shapes every step; handing freed buffers back out avoids the
/// malloc/free churn (and page faults on fresh memory) that shows at small batch sizes
/// (DESIGN.md §3). Buckets are powers of two from 64 bytes; buffers above `maxPooledBytes` go
/// straight back to the system.
///
/// Idle bytes are capped at `capacityBytes`; past it the *least recently released* buffers are
/// freed. Refusing the newest buffer instead (the first design) let buckets a run no longer asks
/// for fill the cap for good, so every later step paid for fresh pages: QG fine-tuning took
/// 8–15 k page faults a second, 1.5–6.6 k with this policy and the malloc settings below
/// (README, "Speed").
public final class BufferPool: Sendable {
    public static let shared = BufferPool()

    /// Largest single buffer kept for reuse.
    public let maxPooledBytes: Int
    /// Upper bound on the bytes held idle in the pool.
    public let capacityBytes: Int

    public struct Statistics: Equatable, Sendable {
        /// Buffers handed out again from the pool.
        public var reused = 0
        /// Buffers that had to come from the system (`posix_memalign`).
        public var fromSystem = 0
        /// Idle buffers freed to stay under `capacityBytes`.
        public var evicted = 0
        public var idleBytes = 0
    }

    private struct State: ~Copyable {
        // Addresses as integers: raw pointers are not Sendable, and the pool owns these buffers.
        // Each bucket is a stack in release order, so its first entry is its oldest.
        var free: [[(address: UInt, released: UInt64)]] = Array(repeating: [], count: 64)
        var clock: UInt64 = 0
        var statistics = Statistics()
    }
    private let state = Mutex(State())

    /// The shared pool holds up to a quarter of physical memory idle (at least 2 GiB), or
    /// `KEXUE_POOL_BYTES`.
    public convenience init() {
        let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        var capacity = max(2 << 30, physical / 4)
        if let s = getenv("KEXUE_POOL_BYTES"), let v = Int(String(cString: s)), v >= 0 { capacity = v }
        self.init(capacityBytes: capacity, maxPooledBytes: 256 << 20)
        BufferPool.tuneSystemAllocator()
    }

    public init(capacityBytes: Int, maxPooledBytes: Int) {
        self.capacityBytes = capacityBytes
        self.maxPooledBytes = maxPooledBytes
    }

    /// glibc serves blocks above a moving threshold (128 KiB at start) with mmap and gives them
    /// back with munmap, so the arrays and scratch buffers outside the pool fault in fresh
    /// zeroed pages on every step. A fixed 32 MiB threshold (glibc's maximum) and a high trim
    /// threshold keep them in the heap for reuse. Set once, before the first tensor exists.
    static func tuneSystemAllocator() {
        if getenv("KEXUE_MALLOC_DEFAULTS") == nil { _ = kx_tune_malloc(32 << 20, 1 << 30) }
    }

    @inline(__always) static func bucket(for bytes: Int) -> Int {
        let n = max(bytes, 64)
        return Int.bitWidth - (n - 1).leadingZeroBitCount  // ceil(log2(n))
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Returns a buffer of at least `bytes` bytes (contents undefined) and its capacity.
    public func allocate(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let b = Self.bucket(for: bytes)
        let capacity = 1 << b
        let reused: UInt? = state.withLock { s in
            guard capacity <= maxPooledBytes, let entry = s.free[b].popLast() else {
                s.statistics.fromSystem += 1
                return nil
            }
            s.statistics.idleBytes -= capacity
            s.statistics.reused += 1
            return entry.address
        }
        if let a = reused, let p = UnsafeMutableRawPointer(bitPattern: a) { return (p, capacity) }
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, 64, capacity)
        guard rc == 0, let p = raw else {
            fatalError("Kexue: out of memory allocating \(capacity) bytes")
        }
        return (p, capacity)
    }

    /// Hands a buffer obtained from `allocate` back.
    public func release(_ p: UnsafeMutableRawPointer, capacity: Int) {
        guard capacity <= maxPooledBytes, capacity <= capacityBytes else { free(p); return }
        let b = Self.bucket(for: capacity)
        let evicted: [UInt] = state.withLock { s in
            s.clock += 1
            s.free[b].append((UInt(bitPattern: p), s.clock))
            s.statistics.idleBytes += capacity
            var out: [UInt] = []
            while s.statistics.idleBytes > capacityBytes {
                // The bucket whose oldest idle buffer was released longest ago.
                var oldest = -1
                for i in s.free.indices where !s.free[i].isEmpty {
                    if oldest < 0 || s.free[i][0].released < s.free[oldest][0].released { oldest = i }
                }
                out.append(s.free[oldest].removeFirst().address)
                s.statistics.idleBytes -= 1 << oldest
                s.statistics.evicted += 1
            }
            return out
        }
        for a in evicted { free(UnsafeMutableRawPointer(bitPattern: a)) }
    }

    /// Frees every idle buffer (e.g. between experiments).
    public func drain() {
        let all = state.withLock { s -> [UInt] in
            let ps = s.free.flatMap { $0.map(\.address) }
            s.free = Array(repeating: [], count: 64)
            s.statistics.idleBytes = 0
            return ps
        }
        for a in all { free(UnsafeMutableRawPointer(bitPattern: a)) }
    }
}

/// Owned, contiguous bytes behind one or more tensors (a reshape shares its storage).
public final class Storage: @unchecked Sendable {
    public let data: UnsafeMutableRawPointer
    public let byteCount: Int
    private let capacity: Int

    public init(byteCount: Int) {
        (data, capacity) = BufferPool.shared.allocate(bytes: byteCount)
        self.byteCount = byteCount
    }

    deinit { BufferPool.shared.release(data, capacity: capacity) }
}
