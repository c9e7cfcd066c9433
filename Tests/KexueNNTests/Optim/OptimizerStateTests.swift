import Foundation
import XCTest
@testable import KexueNN

final class OptimizerStateTests: XCTestCase {
    /// Two Float32 parameters (a SIMD body with a ragged tail, and a small vector) and one Float64.
    private func makeParameters() -> [NamedParameter] {
        func filled(_ shape: [Int], _ seed: Double, _ dtype: DType = .float32) -> Tensor {
            let n = shape.reduce(1, *)
            let values = (0..<n).map { sin(Double($0) * 0.7 + seed) }
            return dtype == .float64 ? Tensor(doubles: values, shape: shape) : Tensor(values.map { Float($0) }, shape: shape)
        }
        return [(name: "enc.weight", tensor: filled([5, 7], 0.1)),
                (name: "enc.bias", tensor: filled([5], 0.2)),
                (name: "head.weight", tensor: filled([3, 3], 0.3, .float64))]
    }

    /// A deterministic gradient for step `k`. The bias has no gradient at step 2 (state must keep
    /// its own step count through save/load).
    private func setGradients(_ params: [NamedParameter], step k: Int) {
        for (j, p) in params.enumerated() {
            if j == 1 && k == 2 { p.tensor.grad = nil; continue }
            let values = (0..<p.tensor.count).map { cos(Double($0) * 1.3 + Double(k) * 0.9 + Double(j)) }
            p.tensor.grad = p.tensor.dtype == .float64 ? Tensor(doubles: values, shape: p.tensor.shape)
                                                      : Tensor(values.map { Float($0) }, shape: p.tensor.shape)
        }
    }

    private typealias Factory = ([NamedParameter]) -> any Optimizer
    private let factories: [(String, Factory)] = [
        ("AdamW", { AdamW(ParameterGroup.decayGroups($0, weightDecay: 0.1), learningRate: 1e-2) }),
        ("Adam", { Adam($0, learningRate: 1e-2, weightDecay: 0.05) }),
        ("Adamax", { Adamax($0, learningRate: 1e-2, epsilon: 1e-3, weightDecay: 0.05) }),
        ("SGD", { SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }),
        ("SGD-Nesterov", { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) }),
    ]

    private func run(_ optimizer: any Optimizer, _ params: [NamedParameter], steps: Range<Int>) {
        let schedule = LRSchedule.linearWarmupDecay(warmupSteps: 2, totalSteps: 10)
        for k in steps {
            optimizer.learningRateMultiplier = schedule(optimizer.stepCount)
            setGradients(params, step: k)
            optimizer.step()
            optimizer.zeroGrad()
        }
    }

    private func values(_ params: [NamedParameter]) -> [[Double]] { params.map(\.tensor.doubles) }

    private func copies(_ params: [NamedParameter]) -> [NamedParameter] {
        params.map { (name: $0.name, tensor: $0.tensor.detached().to($0.tensor.dtype).copy()) }
    }

    func testResumingFromSavedStateMatchesUninterruptedRun() throws {
        for (name, make) in factories {
            let straight = makeParameters()
            run(make(straight), straight, steps: 0..<6)

            let first = makeParameters()
            let before = make(first)
            run(before, first, steps: 0..<3)
            let state = before.stateDict()
            XCTAssertEqual(state["step"]?.item, 3, name)

            let resumedParams = copies(first)
            let resumed = make(resumedParams)
            try resumed.loadStateDict(state)
            XCTAssertEqual(resumed.stepCount, 3, name)
            run(resumed, resumedParams, steps: 3..<6)
            XCTAssertEqual(values(resumedParams), values(straight), "\(name): resumed run differs")

            // Changing one loaded moment must change the outcome: the state is really used.
            let slot = name.hasPrefix("SGD") ? "momentum_buffer" : "exp_avg"
            var altered = state
            let moment = state["enc.weight.\(slot)"]!.detached().copy()
            moment.pointer(Float.self)[0] += 0.5
            altered["enc.weight.\(slot)"] = moment
            let alteredParams = copies(first)
            let alteredOptimizer = make(alteredParams)
            try alteredOptimizer.loadStateDict(altered)
            run(alteredOptimizer, alteredParams, steps: 3..<6)
            XCTAssertNotEqual(alteredParams[0].tensor.doubles[0], straight[0].tensor.doubles[0], name)
            XCTAssertEqual(alteredParams[1].tensor.doubles, straight[1].tensor.doubles, name)
        }
    }

    func testStateKeysAndCopies() throws {
        let params = makeParameters()
        let opt = AdamW(params, learningRate: 1e-3)
        XCTAssertEqual(opt.stateDict().keys.sorted(), ["step"])   // lazily created, as PyTorch
        setGradients(params, step: 2)                               // bias has no gradient
        opt.step()
        let state = opt.stateDict()
        XCTAssertEqual(state.keys.sorted(), ["enc.weight.exp_avg", "enc.weight.exp_avg_sq", "enc.weight.step",
                                             "head.weight.exp_avg", "head.weight.exp_avg_sq", "head.weight.step", "step"])
        XCTAssertEqual(state["enc.weight.exp_avg"]!.shape, [5, 7])
        XCTAssertEqual(state["head.weight.exp_avg_sq"]!.dtype, .float64)
        XCTAssertEqual(state["enc.weight.step"]!.item, 1)
        XCTAssertEqual(state["step"]!.dtype, .float64)
        // The dictionary is a snapshot: later steps do not change it.
        let snapshot = state["enc.weight.exp_avg"]!.doubles
        setGradients(params, step: 3)
        opt.step()
        XCTAssertEqual(state["enc.weight.exp_avg"]!.doubles, snapshot)
        XCTAssertEqual(opt.stateDict()["enc.bias.step"]!.item, 1)
        XCTAssertEqual(opt.stateDict()["enc.weight.step"]!.item, 2)
        // SGD without momentum keeps no per-parameter state.
        let sgd = SGD(params, learningRate: 0.1)
        sgd.step()
        XCTAssertEqual(sgd.stateDict().keys.sorted(), ["step"])
    }

    func testLoadIsStrictAndAtomic() throws {
        let params = makeParameters()
        let opt = Adam(params)
        setGradients(params, step: 0)
        opt.step()
        let good = opt.stateDict()
        var bad = good
        bad["enc.weight.exp_avg"] = Tensor.zeros([7, 5])           // wrong shape
        bad["enc.bias.exp_avg_sq"] = nil                              // partial slots
        bad["enc.wieght.exp_avg"] = Tensor.zeros([5, 7])            // unknown parameter
        bad["step"] = nil
        XCTAssertThrowsError(try opt.loadStateDict(bad)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("4 problems"), text)
            for needle in ["enc.weight.exp_avg: expected float32 [5, 7], got float32 [7, 5]",
                           "enc.bias: has enc.bias.exp_avg, enc.bias.step but lacks enc.bias.exp_avg_sq",
                           "unexpected keys (no such parameter or slot): enc.wieght.exp_avg",
                           "missing key step"] {
                XCTAssertTrue(text.contains(needle), "\(needle) not in \(text)")
            }
        }
        // Nothing was replaced by the failed load.
        XCTAssertEqual(opt.stepCount, 1)
        XCTAssertEqual(opt.stateDict()["enc.weight.exp_avg"]!.doubles, good["enc.weight.exp_avg"]!.doubles)
        // Values are copied in, not aliased; Float64-stored state converts to a Float32 parameter.
        var converted = good
        converted["enc.weight.exp_avg"] = good["enc.weight.exp_avg"]!.to(.float64)
        try opt.loadStateDict(converted)
        converted["enc.weight.exp_avg"]!.pointer(Double.self)[0] = 99
        XCTAssertEqual(opt.stateDict()["enc.weight.exp_avg"]!.doubles, good["enc.weight.exp_avg"]!.doubles)
        // An empty-but-for-step state resets every parameter to fresh.
        try opt.loadStateDict(["step": Tensor(scalar: 0, dtype: .float64)])
        XCTAssertEqual(opt.stateDict().keys.sorted(), ["step"])
    }

    func testMissingGradientIsSkipped() {
        let params = makeParameters()
        let opt = AdamW(params, learningRate: 0.1)
        setGradients(params, step: 0)
        params[0].tensor.grad = nil
        let before = params[0].tensor.doubles
        opt.step()
        XCTAssertEqual(params[0].tensor.doubles, before)                  // not even weight decay
        XCTAssertNil(opt.stateDict()["enc.weight.exp_avg"])
        XCTAssertNotEqual(params[1].tensor.doubles, makeParameters()[1].tensor.doubles)
    }

    /// Large tensors are split across threads; the result must be bit-identical at any thread count.
    func testUpdatesDoNotDependOnThreadCount() {
        let n = 100_003
        var results: [[Float]] = []
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        for threads in [1, 2] {
            Runtime.threads = threads
            let p = Tensor((0..<n).map { Float(sin(Double($0))) })
            let opts: [any Optimizer] = [AdamW([(name: "p", tensor: p)]), Adamax([(name: "p", tensor: p)]),
                                         SGD([(name: "p", tensor: p)], learningRate: 0.1, momentum: 0.9, nesterov: true)]
            for k in 0..<3 {
                for opt in opts {
                    p.grad = Tensor((0..<n).map { Float(cos(Double($0 + k))) })
                    opt.step()
                }
            }
            results.append(p.floats)
        }
        XCTAssertEqual(results[0], results[1])
    }
}
