/// Layers applied in order, built with a result builder (MLX style):
///
/// ```swift
/// let mlp = Sequential {
///     Linear(784, 256)
///     ReLU()
///     Linear(256, 10)
/// }
/// ```
public final class Sequential: Module, UnaryLayer {
    public let layers: [Module]
    private let calls: [(Tensor) -> Tensor]

    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        self.calls = layers.map { layer in { layer($0) } }
        super.init()
    }

    public convenience init(@LayerBuilder _ build: () -> [any UnaryLayer]) {
        self.init(build())
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        calls.reduce(x) { h, f in f(h) }
    }
}

@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: any UnaryLayer) -> [any UnaryLayer] { [layer] }
    public static func buildBlock(_ parts: [any UnaryLayer]...) -> [any UnaryLayer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any UnaryLayer]?) -> [any UnaryLayer] { part ?? [] }
    public static func buildEither(first: [any UnaryLayer]) -> [any UnaryLayer] { first }
    public static func buildEither(second: [any UnaryLayer]) -> [any UnaryLayer] { second }
    public static func buildArray(_ parts: [[any UnaryLayer]]) -> [any UnaryLayer] { parts.flatMap { $0 } }
}
