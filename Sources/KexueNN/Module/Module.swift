/// The base class of every layer and model.
///
/// Parameters are found by reflection (`Mirror`) over stored properties — tensors, modules, and
/// arrays, dictionaries and optionals of modules — under dotted paths such as
/// `encoder.layers.3.attention.query.weight`, in declaration order (dictionary keys sorted), so
/// the walk is the same on every run. Modules are classes: a weight shared by two models, a
/// batch-norm's running statistics and in-place optimizer updates all need reference semantics.
open class Module {
    /// Training mode switches dropout, batch-norm statistics and stochastic routing.
    public private(set) var isTraining = true

    public init() {}

    /// Names (relative to this module) of tensors that are state, not parameters — batch-norm
    /// running statistics. They are saved and loaded, never trained.
    open var bufferNames: Set<String> { [] }

    /// Direct children and tensors, in declaration order.
    fileprivate func children() -> (modules: [(String, Module)], tensors: [(String, Tensor)]) {
        var modules: [(String, Module)] = [], tensors: [(String, Tensor)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [Mirror] = []
        while let m = mirror { levels.append(m); mirror = m.superclassMirror }
        for level in levels.reversed() {  // base-class properties first
            for child in level.children {
                guard var name = child.label else { continue }
                if name.hasPrefix("_") { name.removeFirst() }  // property wrappers, lazy storage
                collect(child.value, name, &modules, &tensors)
            }
        }
        return (modules, tensors)
    }

    fileprivate func collect(_ value: Any, _ name: String, _ modules: inout [(String, Module)], _ tensors: inout [(String, Tensor)]) {
        switch value {
        case let t as Tensor: tensors.append((name, t))
        case let m as Module: modules.append((name, m))
        case let ms as [Module]: for (i, m) in ms.enumerated() { modules.append(("\(name).\(i)", m)) }
        case let ms as [String: Module]: for k in ms.keys.sorted() { modules.append(("\(name).\(k)", ms[k]!)) }
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional, let wrapped = mirror.children.first {
                collect(wrapped.value, name, &modules, &tensors)
            }
        }
    }

    /// Every module below this one (itself first, with the empty path), depth first.
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        var out: [(String, Module)] = [(prefix, self)]
        for (name, m) in children().modules {
            out += m.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
        }
        return out
    }

    /// Every tensor (parameters and buffers) with its dotted path.
    public func namedTensors() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        for (path, m) in namedModules() {
            for (name, t) in m.children().tensors where seen.insert(ObjectIdentifier(t)).inserted {
                out.append((path.isEmpty ? name : "\(path).\(name)", t))
            }
        }
        return out
    }

    /// Parameters (tensors that are not buffers), frozen or not, with dotted paths. A tensor
    /// shared by two modules (tied weights) appears once, under its first path.
    public func namedParameters() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        for (path, m) in namedModules() {
            let buffers = m.bufferNames
            for (name, t) in m.children().tensors where !buffers.contains(name) && seen.insert(ObjectIdentifier(t)).inserted {
                out.append((path.isEmpty ? name : "\(path).\(name)", t))
            }
        }
        return out
    }

    /// Parameters that receive gradients (not frozen).
    public func trainableParameters() -> [(String, Tensor)] {
        namedParameters().filter { $0.1.requiresGrad }
    }

    public func parameterCount() -> Int { namedParameters().reduce(0) { $0 + $1.1.count } }

    /// Switches this module and every descendant to training mode.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.isTraining = on }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Stops updates to every parameter below this module. Gradients still flow *through* it to
    /// earlier layers (Theseus needs exactly that); its own parameters just get none.
    public func freeze() {
        for (_, p) in namedParameters() { p.requiringGrad(false) }
    }

    public func unfreeze() {
        for (_, p) in namedParameters() { p.requiringGrad(true) }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for (_, p) in namedParameters() { p.zeroGrad() }
    }
}

/// A module with one tensor in and one out — what `Sequential` chains.
public protocol UnaryLayer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}
