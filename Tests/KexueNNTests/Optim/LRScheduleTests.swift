import Foundation
import XCTest
@testable import KexueNN

final class LRScheduleTests: XCTestCase {
    func testConstant() {
        XCTAssertEqual(LRSchedule.constant()(0), 1)
        XCTAssertEqual(LRSchedule.constant(3e-4)(123_456), 3e-4)
    }

    func testLinearWarmupDecayBoundaries() {
        let s = LRSchedule.linearWarmupDecay(warmupSteps: 4, totalSteps: 12)
        XCTAssertEqual(s(0), 0)
        XCTAssertEqual(s(1), 0.25)
        XCTAssertEqual(s(3), 0.75)
        XCTAssertEqual(s(4), 1)                  // peak exactly at the end of warm-up
        XCTAssertEqual(s(5), 7.0 / 8.0)
        XCTAssertEqual(s(8), 0.5)
        XCTAssertEqual(s(11), 1.0 / 8.0)
        XCTAssertEqual(s(12), 0)                 // zero at totalSteps
        XCTAssertEqual(s(1000), 0)               // and after it, never negative
        // No warm-up: starts at 1; HF's max(1, ·) guards keep degenerate cases finite.
        XCTAssertEqual(LRSchedule.linearWarmupDecay(warmupSteps: 0, totalSteps: 10)(0), 1)
        let flat = LRSchedule.linearWarmupDecay(warmupSteps: 5, totalSteps: 5)
        XCTAssertEqual(flat(4), 0.8)
        XCTAssertEqual(flat(5), 0)
    }

    func testCosineWarmupDecayBoundaries() {
        let s = LRSchedule.cosineWarmupDecay(warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(s(0), 0)
        XCTAssertEqual(s(5), 0.5)
        XCTAssertEqual(s(10), 1)
        XCTAssertEqual(s(60), 0.5, accuracy: 1e-15)
        XCTAssertEqual(s(35), 0.5 * (1 + cos(Double.pi / 4)), accuracy: 1e-15)
        XCTAssertEqual(s(110), 0, accuracy: 1e-15)
        XCTAssertEqual(s(500), 0, accuracy: 1e-15)   // clamped: no climb back up the cosine
        let floored = LRSchedule.cosineWarmupDecay(warmupSteps: 10, totalSteps: 110, floor: 0.1)
        XCTAssertEqual(floored(10), 1)
        XCTAssertEqual(floored(60), 0.55, accuracy: 1e-15)
        XCTAssertEqual(floored(110), 0.1, accuracy: 1e-15)
        XCTAssertEqual(floored(111), 0.1, accuracy: 1e-15)
        // HF's num_cycles: one full cycle returns to 1 at the end.
        let cycle = LRSchedule.cosineWarmupDecay(warmupSteps: 0, totalSteps: 100, cycles: 1)
        XCTAssertEqual(cycle(50), 0, accuracy: 1e-15)
        XCTAssertEqual(cycle(100), 1, accuracy: 1e-15)
    }

    func testNVAEWarmupCosineIsAbsolute() {
        let s = LRSchedule.warmupCosine(peak: 1e-2, floor: 1e-4, warmupSteps: 100, totalSteps: 1100)
        XCTAssertEqual(s(0), 0)
        XCTAssertEqual(s(50), 5e-3, accuracy: 1e-18)
        XCTAssertEqual(s(100), 1e-2, accuracy: 1e-18)
        XCTAssertEqual(s(600), 1e-4 + (1e-2 - 1e-4) * 0.5, accuracy: 1e-17)
        XCTAssertEqual(s(1100), 1e-4, accuracy: 1e-17)
        XCTAssertEqual(s(5000), 1e-4, accuracy: 1e-17)
    }

    func testPiecewiseLinear() {
        let s = LRSchedule.piecewiseLinear([(step: 10, value: 0.0), (step: 20, value: 1.0), (step: 40, value: 0.5)])
        XCTAssertEqual(s(0), 0)          // before the first point: its value
        XCTAssertEqual(s(10), 0)
        XCTAssertEqual(s(15), 0.5)
        XCTAssertEqual(s(20), 1)
        XCTAssertEqual(s(30), 0.75)
        XCTAssertEqual(s(39), 1 - 0.5 * 19 / 20, accuracy: 1e-15)
        XCTAssertEqual(s(40), 0.5)
        XCTAssertEqual(s(1_000_000), 0.5)
        XCTAssertEqual(LRSchedule.piecewiseLinear([(step: 3, value: 7)])(0), 7)
    }

    func testScaledAndDescription() {
        let s = LRSchedule.linearWarmupDecay(warmupSteps: 2, totalSteps: 4).scaled(by: 1e-3)
        XCTAssertEqual(s(1), 5e-4)
        XCTAssertEqual(s(2), 1e-3)
        XCTAssertTrue(s.description.contains("linearWarmupDecay(warmup: 2, total: 4)"), s.description)
    }

    func testMultiplierScalesEveryGroupAndAbsoluteRateOnlyDefaults() {
        let a = Tensor.zeros([1]), b = Tensor.zeros([1])
        let opt = AdamW([ParameterGroup(parameters: [(name: "a", tensor: a)]),
                         ParameterGroup(parameters: [(name: "b", tensor: b)], learningRate: 1e-4)],
                        learningRate: 1e-3)
        opt.learningRateMultiplier = 0.5
        XCTAssertEqual(opt.effectiveLearningRate(group: 0), 5e-4)
        XCTAssertEqual(opt.effectiveLearningRate(group: 1), 5e-5)
        opt.learningRate = 2e-3
        XCTAssertEqual(opt.effectiveLearningRate(group: 0), 1e-3)
        XCTAssertEqual(opt.effectiveLearningRate(group: 1), 5e-5)
        opt.parameterGroups[1].learningRate = nil
        XCTAssertEqual(opt.effectiveLearningRate(group: 1), 1e-3)
    }
}
