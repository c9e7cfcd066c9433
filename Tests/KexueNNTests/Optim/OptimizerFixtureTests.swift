import Foundation
import XCTest
@testable import KexueNN

/// Replays `Tests/Fixtures/optim_adamw.json` (made by `tools/make_optim_fixture.py` from PyTorch):
/// the same initial values, gradients and learning-rate schedule must give PyTorch's parameters
/// after every step.
final class OptimizerFixtureTests: XCTestCase {
    struct Fixture: Decodable {
        struct Schedule: Decodable {
            let warmup_steps: Int
            let total_steps: Int
            let multipliers: [Double]
        }
        struct Run: Decodable {
            let optimizer: String
            let dtype: String
            let lr: Double
            let betas: [Double]?
            let eps: Double?
            let momentum: Double?
            let nesterov: Bool?
            let weight_decay: [String: Double]
            let lr_per_step: [Double]
            let after_step: [[String: [Double]]]
        }
        let torch: String
        let steps: Int
        let schedule: Schedule
        let shapes: [String: [Int]]
        let initial: [String: [Double]]
        let gradients: [[String: [Double]?]]
        let runs: [String: Run]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/optim_adamw.json")
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    private func tensor(_ values: [Double], _ shape: [Int], _ dtype: String) -> Tensor {
        dtype == "float64" ? Tensor(doubles: values, shape: shape) : Tensor(values.map { Float($0) }, shape: shape)
    }

    /// Runs one fixture entry; returns the largest absolute error after each step.
    private func replay(_ name: String) -> [Double] {
        let f = Self.fixture
        let run = f.runs[name]!
        let weight = tensor(f.initial["weight"]!, f.shapes["weight"]!, run.dtype)
        let bias = tensor(f.initial["bias"]!, f.shapes["bias"]!, run.dtype)
        let groups = [
            ParameterGroup(parameters: [(name: "weight", tensor: weight)], weightDecay: run.weight_decay["weight"]),
            ParameterGroup(parameters: [(name: "bias", tensor: bias)], weightDecay: run.weight_decay["bias"]),
        ]
        let betas = (run.betas?[0] ?? 0.9, run.betas?[1] ?? 0.999)
        let optimizer: any Optimizer
        switch run.optimizer {
        case "AdamW": optimizer = AdamW(groups, learningRate: run.lr, betas: betas, epsilon: run.eps!)
        case "Adam": optimizer = Adam(groups, learningRate: run.lr, betas: betas, epsilon: run.eps!)
        case "Adamax": optimizer = Adamax(groups, learningRate: run.lr, betas: betas, epsilon: run.eps!)
        case "SGD": optimizer = SGD(groups, learningRate: run.lr, momentum: run.momentum!, nesterov: run.nesterov!)
        default: XCTFail("unknown optimizer \(run.optimizer)"); return []
        }
        let schedule = LRSchedule.linearWarmupDecay(warmupSteps: f.schedule.warmup_steps, totalSteps: f.schedule.total_steps)
        var errors: [Double] = []
        for (k, g) in f.gradients.enumerated() {
            XCTAssertEqual(schedule(k), f.schedule.multipliers[k], accuracy: 1e-15)
            optimizer.learningRateMultiplier = schedule(k)
            XCTAssertEqual(optimizer.effectiveLearningRate(group: 0), run.lr_per_step[k], accuracy: 1e-15)
            weight.grad = tensor(g["weight"]!!, weight.shape, run.dtype)
            bias.grad = g["bias"]!.map { tensor($0, bias.shape, run.dtype) }
            optimizer.step()
            let expected = run.after_step[k]
            let e = max(zip(weight.doubles, expected["weight"]!).map { abs($0 - $1) }.max()!,
                        zip(bias.doubles, expected["bias"]!).map { abs($0 - $1) }.max()!)
            errors.append(e)
        }
        XCTAssertEqual(optimizer.stepCount, f.steps)
        return errors
    }

    private func check(_ name: String) {
        let float32 = replay(name), float64 = replay(name + "_float64")
        print("fixture \(name): max abs error float32 \(float32.max()!) (after 10 steps \(float32.last!)), float64 \(float64.max()!)")
        XCTAssertEqual(float32.count, Self.fixture.steps)
        XCTAssertLessThanOrEqual(float32.max()!, 1e-6, "\(name) float32 per-step errors \(float32)")
        XCTAssertLessThanOrEqual(float64.max()!, 1e-12, "\(name) float64 per-step errors \(float64)")
    }

    func testAdamWMatchesPyTorch() { check("adamw") }
    func testAdamMatchesPyTorch() { check("adam") }
    func testSGDNesterovMatchesPyTorch() { check("sgd_nesterov") }
    func testAdamaxMatchesPyTorch() { check("adamax") }

    /// The fixture's bias has no gradient at step 5: PyTorch skips it and keeps its state (and its
    /// own step count, which later bias corrections use). The parameter must not move that step.
    func testFixtureSkipsMissingGradient() {
        let f = Self.fixture
        let skipped = f.gradients.firstIndex { $0["bias"]! == nil }!
        let run = f.runs["adamw"]!
        XCTAssertEqual(run.after_step[skipped]["bias"]!, run.after_step[skipped - 1]["bias"]!)
    }
}
