/// Dropout, active only in training mode. Masks come from the process-wide generator, which the
/// training loop re-seeds from (run seed, step) every step — so a resumed run draws the same
/// masks as an uninterrupted one.
public final class Dropout: Module, UnaryLayer {
    public let p: Double

    public init(_ p: Double) {
        precondition(p >= 0 && p < 1, "Dropout: p = \(p) must lie in [0, 1)")
        self.p = p
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return x }
        return Random.withGlobal { rng in x.dropout(p, training: true, using: &rng) }
    }
}
