/// Reverse-mode autodiff on a runtime tape (micrograd's idea, at tensor granularity).
///
/// Every op whose inputs require grad stores a `GradNode` on its result: the inputs and a closure
/// mapping the output's gradient to the inputs' gradients. `backward()` sorts the graph
/// topologically and runs the closures in reverse. Graphs are dynamic — a new one per forward
/// pass — which Theseus routing, beam search and IG at an internal tensor all need.
final class GradNode {
    let op: Op
    let inputs: [Tensor]
    /// (gradient of the output, which inputs need a gradient) → gradient per input (nil: none).
    let backward: (Tensor, [Bool]) -> [Tensor?]

    init(op: Op, inputs: [Tensor], backward: @escaping (Tensor, [Bool]) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

/// Grad mode. Process-wide: the tape is driven from one thread (see `Runtime`).
public enum Tape {
    nonisolated(unsafe) public internal(set) static var isRecording = true
}

/// Runs `body` without recording ops (inference, optimizer updates, metrics).
@inline(__always)
public func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = Tape.isRecording
    Tape.isRecording = false
    defer { Tape.isRecording = saved }
    return try body()
}

/// Records `op` on `out` when recording is on and some input requires grad.
///
/// The closure lives on `out.node`, so a closure that needs `out` itself must capture it
/// `[unowned out]`: a strong capture is a retain cycle that leaks the whole graph (backward only
/// runs while `out` is alive, so unowned is safe).
@inline(__always)
func record(_ out: Tensor, _ op: Op, _ inputs: [Tensor],
            _ backward: @escaping (Tensor, [Bool]) -> [Tensor?]) -> Tensor {
    if Tape.isRecording && inputs.contains(where: { $0.requiresGrad }) {
        out.requiresGrad = true
        out.node = GradNode(op: op, inputs: inputs, backward: backward)
    }
    return out
}

extension Tensor {
    /// Backpropagates from this tensor, accumulating into `grad` of every leaf that requires grad.
    /// A non-scalar output needs a `seed` of its own shape (the upstream gradient).
    public func backward(seed: Tensor? = nil) {
        let grads = Tensor.propagate(from: self, seed: seed, targets: nil)
        for (leaf, g) in grads.leaves {
            if let old = leaf.grad { leaf.grad = withoutGrad { old + g } } else { leaf.grad = g }
        }
    }

    /// Topological order of the graph below `root` (inputs before outputs), iteratively.
    fileprivate static func topologicalOrder(_ root: Tensor) -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (t, next) = stack.popLast() {
            let inputs = t.node?.inputs ?? []
            if next < inputs.count {
                stack.append((t, next + 1))
                let child = inputs[next]
                if child.requiresGrad && visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(t)
            }
        }
        return order
    }

    /// Runs the backward pass. With `targets`, only paths that reach a target are followed, so
    /// asking for dF/d(embedding output) does not compute weight gradients.
    fileprivate static func propagate(from root: Tensor, seed: Tensor?, targets: Set<ObjectIdentifier>?)
        -> (all: [ObjectIdentifier: Tensor], leaves: [(Tensor, Tensor)]) {
        precondition(root.requiresGrad, "backward: the tensor does not require grad (no input required grad, or it was computed in withoutGrad)")
        let seedGrad: Tensor
        if let seed {
            precondition(seed.shape == root.shape, "backward: seed shape \(seed.shape) differs from output shape \(root.shape)")
            seedGrad = seed
        } else {
            precondition(root.count == 1, "backward: output of shape \(root.shape) is not a scalar; pass a seed")
            seedGrad = Tensor.full(1, shape: root.shape, dtype: root.dtype)
        }
        let order = topologicalOrder(root)
        var useful: Set<ObjectIdentifier>? = nil
        if let targets {
            var u = Set<ObjectIdentifier>()
            for t in order {  // inputs come first, so one pass suffices
                let id = ObjectIdentifier(t)
                if targets.contains(id) || (t.node?.inputs.contains { u.contains(ObjectIdentifier($0)) } ?? false) {
                    u.insert(id)
                }
            }
            useful = u
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seedGrad]
        var leaves: [(Tensor, Tensor)] = []
        withoutGrad {
            for t in order.reversed() {
                let id = ObjectIdentifier(t)
                guard let g = grads[id] else { continue }
                guard let node = t.node else {
                    leaves.append((t, g))
                    continue
                }
                if let useful, !useful.contains(id) { continue }
                let needs = node.inputs.map { x in
                    x.requiresGrad && (useful?.contains(ObjectIdentifier(x)) ?? true)
                }
                if !needs.contains(true) { continue }
                let inputGrads = node.backward(g, needs)
                for (i, x) in node.inputs.enumerated() where needs[i] {
                    guard let gx = inputGrads[i] else { continue }
                    precondition(gx.shape == x.shape,
                                 "backward of \(node.op): gradient shape \(gx.shape) for input of shape \(x.shape)")
                    let xid = ObjectIdentifier(x)
                    grads[xid] = grads[xid].map { $0 + gx } ?? gx
                }
                if targets != nil && !(targets!.contains(id)) { grads[id] = nil }  // free as we go
            }
        }
        return (grads, leaves)
    }
}

/// Gradients of `output` with respect to any tensors of its graph — parameters or intermediate
/// activations alike (IG needs dF/d(embedding output)). `grad` fields are left untouched.
/// A tensor the output does not depend on gets a zero gradient.
public func gradients(of output: Tensor, wrt inputs: [Tensor], seed: Tensor? = nil) -> [Tensor] {
    let targets = Set(inputs.map(ObjectIdentifier.init))
    let (grads, _) = Tensor.propagate(from: output, seed: seed, targets: targets)
    return inputs.map { x in grads[ObjectIdentifier(x)] ?? Tensor.zeros(x.shape, dtype: x.dtype) }
}
