import Foundation
import Dispatch
import Synchronization

/// Process-wide settings, and the one rule for global state in Kexue:
///
/// - **Threads** (`Runtime.threads`) are process-wide: read once from `KEXUE_THREADS` (default: all
///   cores), changeable at start-up. Kernels — GEMM included — split work across them with
///   `parallelChunks`; OpenBLAS itself always runs single-threaded, because its idle workers spin
///   on `sched_yield` between calls and steal the cores from our own kernels (measured: 280k
///   yields in three BERT training steps). One pool, one level of parallelism — except that MKL,
///   when installed, threads a large product itself (`BLAS`), as it does under PyTorch.
/// - **Grad mode** is process-wide too. The tape is driven from one thread at a time (kernels
///   parallelise *inside* an op, never across ops), so `withoutGrad` needs no thread-local state.
/// - **Randomness** is explicit: every random op takes a `RandomGenerator`; `Random.global` is a
///   seeded default behind a lock, for scripts.
/// - **Buffers** come from `BufferPool.shared`, which is thread-safe.
public enum Runtime {
    nonisolated(unsafe) private static var _threads: Int = {
        let n: Int
        if let s = ProcessInfo.processInfo.environment["KEXUE_THREADS"], let v = Int(s), v > 0 {
            n = v
        } else {
            n = ProcessInfo.processInfo.activeProcessorCount
        }
        BLAS.threads = 1
        return n
    }()

    /// Number of threads kernels and BLAS use. Kexue's own kernels never give results that depend
    /// on it (reductions are split by fixed-size blocks, not by thread), nor do products under
    /// OpenBLAS; threaded MKL may split a product's K, so there 1 and 2 threads agree to rounding
    /// (`KEXUE_MKL_THREADING=sequential` restores identical bits).
    public static var threads: Int {
        get { _threads }
        set {
            precondition(newValue > 0, "Runtime.threads must be positive, got \(newValue)")
            _threads = newValue
        }
    }
}

/// Splits `count` items into contiguous chunks of at least `grain` items and runs them on up to
/// `Runtime.threads` threads. Small jobs run inline: dispatch costs ~5 µs.
/// Inside a parallel region (a kernel called from another kernel's chunk) it runs inline, so work is
/// never split twice.
@inline(__always)
public func parallelChunks(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let threads = Runtime.threads
    if threads <= 1 || count <= grain || ParallelRegion.depth.load(ordering: .relaxed) > 0 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunks = min(threads, (count + grain - 1) / grain)
    if chunks <= 1 { body(0..<count); return }
    ParallelRegion.depth.add(1, ordering: .relaxed)
    defer { ParallelRegion.depth.subtract(1, ordering: .relaxed) }
    withoutActuallyEscaping(body) { body in
        // The chunks touch disjoint ranges; the caller's closure is only shared for this call.
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { shared.value(lo..<hi) }
        }
    }
}

/// Carries a value into a `@Sendable` closure when the caller guarantees exclusive use
/// (e.g. disjoint output ranges per thread).
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// How many parallel regions are running (the tape drives kernels from one thread, so a non-zero
/// count means "we are inside a chunk").
enum ParallelRegion {
    static let depth = Atomic<Int>(0)
}
