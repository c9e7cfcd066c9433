import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A size-bucketed pool of 64-byte-aligned buffers.
///
/// Training loops allocate the same shapes every step; handing freed buffers back out avoids the
/// malloc/free churn (and page faults on fresh memory) that shows at small batch sizes
/// (DESIGN.md §3). Buckets are powers of two from 64 bytes; buffers above `maxPooledBytes` and
/// anything beyond `capacityBytes` in total go straight back to the system.
public final class BufferPool: Sendable {
    public static let shared = BufferPool()

    /// Largest single buffer kept for reuse.
    public let maxPooledBytes = 256 << 20
    /// Upper bound on the bytes held idle in the pool.
    public let capacityBytes = 2 << 30

    private struct State: ~Copyable {
        // Addresses as integers: raw pointers are not Sendable, and the pool owns these buffers.
        var free: [[UInt]] = Array(repeating: [], count: 64)
        var idleBytes = 0
    }
    private let state = Mutex(State())

    @inline(__always) static func bucket(for bytes: Int) -> Int {
        let n = max(bytes, 64)
        return Int.bitWidth - (n - 1).leadingZeroBitCount  // ceil(log2(n))
    }

    /// Returns a buffer of at least `bytes` bytes (contents undefined) and its capacity.
    public func allocate(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let b = Self.bucket(for: bytes)
        let capacity = 1 << b
        if capacity <= maxPooledBytes {
            let reused: UInt? = state.withLock { s in
                guard let p = s.free[b].popLast() else { return nil }
                s.idleBytes -= capacity
                return p
            }
            if let a = reused, let p = UnsafeMutableRawPointer(bitPattern: a) { return (p, capacity) }
        }
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, 64, capacity)
        guard rc == 0, let p = raw else {
            fatalError("Kexue: out of memory allocating \(capacity) bytes")
        }
        return (p, capacity)
    }

    /// Hands a buffer obtained from `allocate` back.
    public func release(_ p: UnsafeMutableRawPointer, capacity: Int) {
        let b = Self.bucket(for: capacity)
        let address = UInt(bitPattern: p)
        let kept: Bool = capacity <= maxPooledBytes && state.withLock { s in
            guard s.idleBytes + capacity <= capacityBytes else { return false }
            s.free[b].append(address)
            s.idleBytes += capacity
            return true
        }
        if !kept { free(p) }
    }

    /// Frees every idle buffer (e.g. between experiments).
    public func drain() {
        let all = state.withLock { s -> [UInt] in
            let ps = s.free.flatMap { $0 }
            s.free = Array(repeating: [], count: 64)
            s.idleBytes = 0
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
