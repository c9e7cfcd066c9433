import XCTest
@testable import Kexue

/// The buffer pool's reuse and its cap: past `capacityBytes` the least recently released idle
/// buffers are freed, so a bucket a run stopped asking for cannot hold the cap for good.
final class BufferPoolTests: XCTestCase {
    func testReleasedBufferIsHandedOutAgainForTheSameBucket() {
        let pool = BufferPool(capacityBytes: 1 << 20, maxPooledBytes: 1 << 16)
        let (p, capacity) = pool.allocate(bytes: 1000)
        XCTAssertEqual(capacity, 1024, "buckets are powers of two")
        XCTAssertEqual(Int(bitPattern: p) % 64, 0, "64-byte aligned")
        pool.release(p, capacity: capacity)
        let (q, _) = pool.allocate(bytes: 600)  // same bucket: 513…1024 bytes
        XCTAssertEqual(q, p)
        XCTAssertEqual(pool.statistics, .init(reused: 1, fromSystem: 1, evicted: 0, idleBytes: 0))
        pool.release(q, capacity: 1024)
        // Above maxPooledBytes: straight back to the system, never idle.
        let (big, bigCapacity) = pool.allocate(bytes: 100_000)
        pool.release(big, capacity: bigCapacity)
        XCTAssertEqual(pool.statistics.idleBytes, 1024)
        pool.drain()
        XCTAssertEqual(pool.statistics.idleBytes, 0)
    }

    func testPastTheCapTheLeastRecentlyReleasedBuffersAreFreed() {
        // Room for four idle 1 KiB buffers.
        let pool = BufferPool(capacityBytes: 4096, maxPooledBytes: 4096)
        // Phase 1 of a run uses 1 KiB buffers, phase 2 only 2 KiB ones.
        let small = (0..<4).map { _ in pool.allocate(bytes: 1024).0 }
        for p in small { pool.release(p, capacity: 1024) }
        XCTAssertEqual(pool.statistics.idleBytes, 4096)
        let large = (0..<2).map { _ in pool.allocate(bytes: 2048).0 }
        for p in large { pool.release(p, capacity: 2048) }
        // The 2 KiB buffers displaced the 1 KiB ones nobody asks for any more…
        XCTAssertEqual(pool.statistics.evicted, 4)
        XCTAssertEqual(pool.statistics.idleBytes, 4096)
        // …so phase 2 runs from the pool: no more system allocations.
        let before = pool.statistics.fromSystem
        for _ in 0..<10 {
            let a = pool.allocate(bytes: 2048).0, b = pool.allocate(bytes: 1500).0
            pool.release(a, capacity: 2048)
            pool.release(b, capacity: 2048)
        }
        XCTAssertEqual(pool.statistics.fromSystem, before, "a steady working set is served from the pool")
        XCTAssertEqual(pool.statistics.reused, 20)
        pool.drain()
    }

    func testStorageReturnsItsBufferToTheSharedPool() {
        var first: UnsafeMutableRawPointer?
        do { first = Storage(byteCount: 3000).data }
        // The bucket is a stack: the buffer just handed back is the next one handed out.
        let second = Storage(byteCount: 4000)
        XCTAssertEqual(second.data, first)
    }
}
