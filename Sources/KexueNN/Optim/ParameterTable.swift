/// The bookkeeping every optimizer shares, so each optimizer file holds only its update rule:
/// the flattened parameter list, default hyper-parameters, per-parameter state (slot tensors and
/// step counts, created lazily at a parameter's first update) and the state dictionary format
/// described on `Optimizer`.
public final class ParameterTable {
    struct Entry {
        let name: String
        let tensor: Tensor
        let group: Int
    }

    /// One parameter's update, as handed to an optimizer's kernel.
    struct Update {
        let parameter: Tensor
        let gradient: Tensor
        /// The slot tensors, in `slotNames` order, same shape and dtype as the parameter.
        let slots: [Tensor]
        /// True at the parameter's first update (slots were just created, zero-filled).
        let isFirst: Bool
        /// The parameter's own step count including this update (1 at the first).
        let step: Int
        let learningRate: Double
        let weightDecay: Double
    }

    private(set) var groups: [ParameterGroup]
    let entries: [Entry]
    let slotNames: [String]
    /// Whether each parameter keeps its own step count (Adam family: bias correction uses it).
    let countsSteps: Bool
    private var slots: [[Tensor]?]
    private var steps: [Int]
    var learningRate: Double
    var learningRateMultiplier: Double = 1
    var weightDecay: Double
    private(set) var stepCount = 0

    init(groups: [ParameterGroup], learningRate: Double, weightDecay: Double,
         slotNames: [String], countsSteps: Bool, optimizer: String) {
        var entries: [Entry] = []
        var names = Set<String>(), tensors = Set<ObjectIdentifier>()
        for (g, group) in groups.enumerated() {
            for p in group.parameters {
                precondition(names.insert(p.name).inserted, "\(optimizer): parameter name \(p.name) appears twice")
                precondition(tensors.insert(ObjectIdentifier(p.tensor)).inserted,
                             "\(optimizer): parameter \(p.name) is the same tensor as another parameter (tied weights must be passed once)")
                precondition(p.tensor.dtype.isFloatingPoint, "\(optimizer): parameter \(p.name) is \(p.tensor.dtype), not a float tensor")
                entries.append(Entry(name: p.name, tensor: p.tensor, group: g))
            }
        }
        precondition(learningRate >= 0, "\(optimizer): learning rate must be ≥ 0, got \(learningRate)")
        self.groups = groups
        self.entries = entries
        self.slotNames = slotNames
        self.countsSteps = countsSteps
        self.slots = Array(repeating: nil, count: entries.count)
        self.steps = Array(repeating: 0, count: entries.count)
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// Replaces the groups' hyper-parameters; the parameters must be the same tensors in the same groups.
    func setGroups(_ newGroups: [ParameterGroup]) {
        precondition(newGroups.count == groups.count, "optimizer: cannot add or remove parameter groups after creation")
        for (old, new) in zip(groups, newGroups) {
            precondition(old.parameters.count == new.parameters.count
                         && zip(old.parameters, new.parameters).allSatisfy { $0.name == $1.name && $0.tensor === $1.tensor },
                         "optimizer: cannot change the parameters of a group after creation, only its hyper-parameters")
        }
        groups = newGroups
    }

    /// Counts one optimizer step and calls `update` for each parameter that has a gradient, in order.
    func step(_ update: (Update) -> Void) {
        stepCount += 1
        for (i, entry) in entries.enumerated() {
            guard let grad = entry.tensor.grad else { continue }
            let p = entry.tensor
            precondition(grad.shape == p.shape && grad.dtype == p.dtype,
                         "optimizer: gradient of \(entry.name) is \(grad.dtype) \(grad.shape), parameter is \(p.dtype) \(p.shape)")
            let isFirst = slots[i] == nil
            if isFirst { slots[i] = slotNames.map { _ in Tensor.zeros(p.shape, dtype: p.dtype) } }
            steps[i] += 1
            let group = groups[entry.group]
            update(Update(parameter: p, gradient: grad, slots: slots[i]!, isFirst: isFirst, step: steps[i],
                          learningRate: (group.learningRate ?? learningRate) * learningRateMultiplier,
                          weightDecay: group.weightDecay ?? weightDecay))
        }
    }

    // MARK: State dictionary

    private var slotKeys: [String] { countsSteps ? slotNames + ["step"] : slotNames }

    func stateDict() -> [String: Tensor] {
        var state = ["step": Tensor(scalar: Double(stepCount), dtype: .float64)]
        for (i, entry) in entries.enumerated() {
            guard let s = slots[i] else { continue }
            for (k, slot) in zip(slotNames, s) { state["\(entry.name).\(k)"] = Self.copy(slot, as: slot.dtype) }
            if countsSteps { state["\(entry.name).step"] = Tensor(scalar: Double(steps[i]), dtype: .float64) }
        }
        return state
    }

    func loadStateDict(_ state: [String: Tensor]) throws {
        var problems: [String] = []
        var known: Set<String> = ["step"]
        var newStepCount = 0
        if let s = state["step"], let v = Self.count(s) { newStepCount = v } else {
            problems.append(state["step"] == nil ? "missing key step (the optimizer's step count)"
                                                 : "step must be one non-negative whole number, got \(state["step"]!)")
        }
        var newSlots = [[Tensor]?](repeating: nil, count: entries.count)
        var newSteps = [Int](repeating: 0, count: entries.count)
        for (i, entry) in entries.enumerated() {
            let keys = slotKeys.map { "\(entry.name).\($0)" }
            known.formUnion(keys)
            let present = keys.filter { state[$0] != nil }
            if present.isEmpty { continue }   // never updated: no state, as at creation
            if present.count < keys.count {
                problems.append("\(entry.name): has \(present.joined(separator: ", ")) but lacks "
                                + keys.filter { state[$0] == nil }.joined(separator: ", "))
                continue
            }
            var tensors: [Tensor] = []
            for key in keys.prefix(slotNames.count) {
                let t = state[key]!
                if t.shape != entry.tensor.shape || !t.dtype.isFloatingPoint {
                    problems.append("\(key): expected \(entry.tensor.dtype) \(entry.tensor.shape), got \(t.dtype) \(t.shape)")
                } else {
                    tensors.append(Self.copy(t, as: entry.tensor.dtype))
                }
            }
            if countsSteps {
                let key = "\(entry.name).step"
                if let v = Self.count(state[key]!), v > 0 { newSteps[i] = v } else {
                    problems.append("\(key): must be one positive whole number, got \(state[key]!)")
                }
            }
            newSlots[i] = tensors
        }
        let unexpected = state.keys.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty {
            problems.append("unexpected keys (no such parameter or slot): " + unexpected.joined(separator: ", "))
        }
        guard problems.isEmpty else { throw OptimizerStateError(problems: problems) }
        slots = newSlots
        steps = newSteps
        stepCount = newStepCount
    }

    /// A whole, non-negative number stored in a one-element float or integer tensor.
    private static func count(_ t: Tensor) -> Int? {
        guard t.count == 1 else { return nil }
        let v = t.item
        guard v >= 0, v == v.rounded(), v < 9.0e15 else { return nil }
        return Int(v)
    }

    /// A fresh tensor (own storage, not on the tape) holding `t`'s values as `dtype`.
    private static func copy(_ t: Tensor, as dtype: DType) -> Tensor {
        let out = Tensor.zeros(t.shape, dtype: dtype)
        if t.dtype == dtype {
            out.storage.data.copyMemory(from: t.storage.data, byteCount: t.count * dtype.byteSize)
        } else if dtype == .float32 {
            let src = t.doubles, dst = out.pointer(Float.self)
            for i in 0..<src.count { dst[i] = Float(src[i]) }
        } else {
            let src = t.doubles, dst = out.pointer(Double.self)
            for i in 0..<src.count { dst[i] = src[i] }
        }
        return out
    }
}
