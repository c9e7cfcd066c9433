/// A module's tensors as a name → tensor table, and loading one back strictly.
public struct LoadReport: Error, CustomStringConvertible {
    public var source: String

    public init(source: String) { self.source = source }
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var wrongShape: [(name: String, expected: [Int], found: [Int])] = []

    public var isClean: Bool { missing.isEmpty && unexpected.isEmpty && wrongShape.isEmpty }

    public var description: String {
        var lines = ["\(source): checkpoint does not match the model"]
        if !missing.isEmpty { lines.append("  missing keys (\(missing.count)): " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { lines.append("  unexpected keys (\(unexpected.count)): " + unexpected.joined(separator: ", ")) }
        for w in wrongShape { lines.append("  wrong shape: \(w.name): model \(w.expected), checkpoint \(w.found)") }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Every tensor (parameters and buffers) by dotted path.
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedTensors(), uniquingKeysWith: { a, _ in a })
    }

    /// Copies `state` into this module's tensors in place (so optimizers keep their references).
    ///
    /// Strict loading reports every missing, unexpected and wrong-shape key in one error and
    /// changes nothing; non-strict loading copies what matches and returns the report.
    @discardableResult
    public func load(state: [String: Tensor], strict: Bool = true, source: String = "checkpoint") throws -> LoadReport {
        let report = check(state: state, source: source)
        if strict && !report.isClean { throw report }
        for (name, t) in namedTensors() {
            guard let s = state[name], s.shape == t.shape else { continue }
            t.assign(s)
        }
        return report
    }
}

extension Module {
    /// What `load(state:)` would report, without changing anything.
    public func check(state: [String: Tensor], source: String = "checkpoint") -> LoadReport {
        let own = namedTensors()
        var report = LoadReport(source: source)
        let ownNames = Set(own.map(\.0))
        for (name, t) in own {
            guard let s = state[name] else { report.missing.append(name); continue }
            if s.shape != t.shape { report.wrongShape.append((name, t.shape, s.shape)) }
        }
        report.unexpected = state.keys.filter { !ownNames.contains($0) }.sorted()
        return report
    }
}

extension Tensor {
    /// Overwrites this tensor's values in place with `source` (same shape; converted to this
    /// tensor's dtype). Not recorded on the tape.
    public func assign(_ source: Tensor) {
        precondition(source.shape == shape, "assign: shape \(source.shape) into \(shape)")
        let s = source.dtype == dtype ? source : withoutGrad { source.to(dtype) }
        storage.data.copyMemory(from: s.storage.data, byteCount: count * dtype.byteSize)
    }
}
