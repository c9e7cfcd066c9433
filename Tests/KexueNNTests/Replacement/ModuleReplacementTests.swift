import XCTest
import Foundation
@testable import KexueNN

final class ModuleReplacementTests: XCTestCase {
    final class Block: Module, UnaryLayer {
        let fc: Linear
        init(_ width: Int, using rng: inout RandomGenerator) {
            fc = Linear(width, width, using: &rng)
            super.init()
        }
        func callAsFunction(_ x: Tensor) -> Tensor { fc(x).tanh() }
    }

    let width = 5
    func stack(_ n: Int, seed: UInt64) -> [Block] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in Block(width, using: &rng) }
    }
    func input(batch: Int = 3, seed: UInt64 = 9) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.normal([batch, width], using: &rng)
    }
    func run(_ blocks: [Block], _ x: Tensor) -> Tensor { blocks.reduce(x) { $1($0) } }

    func make(n: Int = 4, m: Int = 2, schedule: ReplacementSchedule = .constant(0.5, steps: nil),
              granularity: RoutingGranularity = .perBatch) throws -> ModuleReplacement<Block> {
        try ModuleReplacement(predecessor: stack(n, seed: 1), successor: stack(m, seed: 2),
                              schedule: schedule, seed: 42, granularity: granularity)
    }

    func testRateZeroIsThePredecessorBitForBitAndRateOneTheSuccessor() throws {
        for granularity in RoutingGranularity.allCases {
            let r = try make(granularity: granularity)
            let x = input()
            r.forcedRate = 0
            XCTAssertEqual(r(x).floats, run(r.predecessor, x).floats)
            r.forcedRate = 1
            XCTAssertEqual(r(x).floats, run(r.successor, x).floats)
            XCTAssertNotEqual(run(r.predecessor, x).floats, run(r.successor, x).floats)
        }
        // The schedule reaches the same ends: constant(0) and linear with b = 1.
        let zero = try make(schedule: .constant(0, steps: nil)), one = try make(schedule: .linear(k: 0, b: 1))
        XCTAssertEqual(zero(input()).floats, run(zero.predecessor, input()).floats)
        XCTAssertEqual(one(input()).floats, run(one.successor, input()).floats)
    }

    func testEvaluationNeverRunsAPredecessorBlock() throws {
        let r = try make(schedule: .constant(0, steps: nil))  // training would use only the predecessor
        r.eval()
        let x = input()
        let y = r(x)
        XCTAssertEqual(r.predecessorBlockCalls, 0)
        XCTAssertEqual(r.successorBlockCalls, 2)
        XCTAssertEqual(y.floats, run(r.successor, x).floats)
        XCTAssertEqual(r.step, 0, "evaluation does not advance the schedule")
        r.train()
        _ = r(x)
        XCTAssertEqual(r.predecessorBlockCalls, 4)
        XCTAssertEqual(r.step, 1)
    }

    func testGradientsReachOnlyTrainableSuccessorParametersThroughFrozenPredecessor() throws {
        let r = try make()
        // A step whose routes are [successor, predecessor]: S1 then 𝒫2 = P4∘P3.
        while r.router.draws(step: r.step, count: 2, p: 0.5) != [true, false] { r.step += 1 }
        let x = input()
        r(x).sum().backward()
        XCTAssertEqual(r.lastRoutes, [true, false])
        for (name, p) in r.namedParameters() {
            if name.hasPrefix("successor.0.") {
                let g = try XCTUnwrap(p.grad, "\(name) has no gradient")
                XCTAssertGreaterThan(g.floats.map(abs).max()!, 0, "\(name): zero gradient through the frozen module")
            } else {
                XCTAssertNil(p.grad, "\(name) got a gradient")
            }
        }
        XCTAssertTrue(r.trainableParameters().allSatisfy { $0.0.hasPrefix("successor.") })
        XCTAssertEqual(r.trainableParameters().count, 4)
    }

    func testRouterReplaysFromItsSeedAndMatchesP() throws {
        let a = ReplacementRouter(seed: 7), b = ReplacementRouter(seed: 7), c = ReplacementRouter(seed: 8)
        let drawsA = (0..<200).map { a.draws(step: $0, count: 3, p: 0.5) }
        XCTAssertEqual(drawsA, (0..<200).map { b.draws(step: $0, count: 3, p: 0.5) })
        XCTAssertNotEqual(drawsA, (0..<200).map { c.draws(step: $0, count: 3, p: 0.5) })
        // Two wrappers with one seed route identically, step after step.
        let r1 = try make(), r2 = try make()
        var routes1: [[Bool]] = [], routes2: [[Bool]] = []
        for _ in 0..<20 { _ = r1(input()); routes1.append(r1.lastRoutes); _ = r2(input()); routes2.append(r2.lastRoutes) }
        XCTAssertEqual(routes1, routes2)
        XCTAssertEqual(Set(routes1).count > 1, true)
        for p in [0.1, 0.3, 0.5, 0.9] {
            let n = 10_000
            let hits = (0..<n).filter { a.draw(step: $0, slot: 0, p: p) }.count
            let sigma = (Double(n) * p * (1 - p)).squareRoot()
            XCTAssertLessThan(abs(Double(hits) - Double(n) * p), 4 * sigma, "p = \(p): \(hits) of \(n)")
        }
    }

    func testSchedulesAreExact() throws {
        let c = ReplacementSchedule.constant(0.5, steps: 2500)
        XCTAssertEqual(c.rate(at: 0), 0.5); XCTAssertEqual(c.rate(at: 2499), 0.5); XCTAssertEqual(c.rate(at: 2500), 1)
        XCTAssertEqual(ReplacementSchedule.constant(0.5, steps: nil).rate(at: 1_000_000), 0.5)
        let l = ReplacementSchedule.linear(k: 6e-4, b: 0.3)
        XCTAssertEqual(l.rate(at: 0), 0.3)
        XCTAssertEqual(l.rate(at: 1000), 6e-4 * 1000 + 0.3)
        XCTAssertEqual(l.rate(at: 1166), 6e-4 * 1166 + 0.3)
        XCTAssertLessThan(l.rate(at: 1166), 1)
        XCTAssertEqual(l.rate(at: 1167), 1)
        XCTAssertEqual(ReplacementSchedule.custom { Double($0) / 10 }.rate(at: 3), 0.3)
        XCTAssertEqual(ReplacementSchedule.custom { _ in 7 }.rate(at: 3), 1)
        // The command line's form.
        XCTAssertEqual(try ReplacementSchedule(parsing: "linear:6e-4:0.3").rate(at: 1000), l.rate(at: 1000))
        XCTAssertEqual(try ReplacementSchedule(parsing: "constant:0.5:2500").rate(at: 2500), 1)
        XCTAssertEqual(try ReplacementSchedule(parsing: "constant:0.5").rate(at: 9999), 0.5)
        for bad in ["linear:1", "constant:1.5", "cosine:1:2", "constant:0.5:2.5", "linear:x:0.3", ""] {
            XCTAssertThrowsError(try ReplacementSchedule(parsing: bad), bad)
        }
        // The wrapper reads the schedule at its own step counter.
        let r = try make(schedule: .constant(0, steps: 3))
        for expected in [0.0, 0, 0, 1, 1] {
            XCTAssertEqual(r.currentRate, expected)
            _ = r(input())
        }
    }

    func testPerExampleRoutingMixesRowsByTheirOwnDraws() throws {
        let r = try make(n: 2, m: 1, granularity: .perExample)
        let x = input(batch: 8)
        // Find a step where the 8 rows do not all agree.
        while Set((0..<8).map { r.router.draw(step: r.step, slot: 0, example: $0, p: 0.5) }).count < 2 { r.step += 1 }
        let routes = (0..<8).map { r.router.draw(step: r.step, slot: 0, example: $0, p: 0.5) }
        let y = r(x).floats
        let s = run(r.successor, x).floats, p = run(r.predecessor, x).floats
        for (i, replaced) in routes.enumerated() {
            let row = (i * width)..<((i + 1) * width)
            XCTAssertEqual(Array(y[row]), Array((replaced ? s : p)[row]), "row \(i)")
        }
    }

    func testInitialisationCopies() throws {
        let pred = stack(6, seed: 1), pre = stack(6, seed: 3)
        var rng = RandomGenerator(seed: 99)
        let make = { Block(self.width, using: &rng) }
        let prefix = try ModuleReplacement.successorBlocks(from: pred, layers: 3, initialisation: .predecessorPrefix, makeBlock: make)
        let every = try ModuleReplacement.successorBlocks(from: pred, layers: 3, initialisation: .everyRth, makeBlock: make)
        let pretrained = try ModuleReplacement.successorBlocks(from: pred, layers: 3, initialisation: .pretrainedPrefix(pre), makeBlock: make)
        for i in 0..<3 {
            XCTAssertEqual(prefix[i].fc.weight.floats, pred[i].fc.weight.floats)
            XCTAssertEqual(every[i].fc.weight.floats, pred[2 * i + 1].fc.weight.floats)
            XCTAssertEqual(pretrained[i].fc.weight.floats, pre[i].fc.weight.floats)
            XCTAssertFalse(prefix[i].fc.weight === pred[i].fc.weight, "a copy, not a shared tensor")
            XCTAssertTrue(prefix[i].fc.weight.requiresGrad)
        }
        XCTAssertThrowsError(try ModuleReplacement.successorBlocks(from: pred, layers: 3, initialisation: .pretrainedPrefix(Array(pre.prefix(2))), makeBlock: make)) {
            XCTAssertEqual($0 as? ReplacementError, .pretrainedTooShort(available: 2, needed: 3))
        }
    }

    func testBadInputErrors() {
        func error(_ n: Int, _ m: Int) -> ReplacementError? {
            do { _ = try make(n: n, m: m); return nil } catch { return error as? ReplacementError }
        }
        XCTAssertEqual(error(6, 4), .layersDoNotDivide(predecessor: 6, successor: 4))
        XCTAssertEqual(error(3, 6), .successorDeeper(predecessor: 3, successor: 6))
        XCTAssertEqual(error(3, 0), .empty("the successor"))
        XCTAssertNil(error(6, 3))
        XCTAssertTrue(ReplacementError.layersDoNotDivide(predecessor: 6, successor: 4).localizedDescription.contains("do not divide"))
        XCTAssertThrowsError(try make(schedule: .constant(1.5, steps: nil)))
        XCTAssertThrowsError(try make(schedule: .linear(k: -1, b: 0.3)))
    }
}
