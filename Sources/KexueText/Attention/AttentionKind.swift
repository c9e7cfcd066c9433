/// How a transformer's self-attention mixes tokens — configuration, not code (METHODS.md §3).
///
/// Stored in `config.json` as `"kexue_attention"` (absent means softmax, so HF checkpoints load
/// unchanged and HF ignores the key): `"softmax"`, `"linear"` (elu+1), `"linear:relu"`,
/// `"linear:efficient"`, `"linear:1+cos"`, `"linear:random-features:<m>:<seed>"`.
public enum AttentionKind: Sendable, Equatable, CustomStringConvertible {
    case softmax
    case linear(FeatureMapKind)

    public enum FeatureMapKind: Sendable, Equatable {
        case eluPlusOne
        case relu
        /// Efficient Attention (softmax over features for queries, over positions for keys).
        case softmaxPerSide
        /// Su's 1 + cos similarity (experimental).
        case onePlusCosine
        /// Performer-style positive random features: `features` rows of W, drawn from `seed`.
        case randomFeatures(features: Int, seed: UInt64)
    }

    public var description: String {
        switch self {
        case .softmax: return "softmax"
        case .linear(.eluPlusOne): return "linear"
        case .linear(.relu): return "linear:relu"
        case .linear(.softmaxPerSide): return "linear:efficient"
        case .linear(.onePlusCosine): return "linear:1+cos"
        case .linear(.randomFeatures(let m, let seed)): return "linear:random-features:\(m):\(seed)"
        }
    }

    /// Parses the `description` form; the error lists what is accepted.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "softmax" where parts.count == 1: self = .softmax
        case "linear":
            switch Array(parts.dropFirst()) {
            case [], ["elu+1"]: self = .linear(.eluPlusOne)
            case ["relu"]: self = .linear(.relu)
            case ["efficient"]: self = .linear(.softmaxPerSide)
            case ["1+cos"]: self = .linear(.onePlusCosine)
            case let rest where rest.count == 3 && rest[0] == "random-features":
                guard let m = Int(rest[1]), m > 0, let seed = UInt64(rest[2]) else { fallthrough }
                self = .linear(.randomFeatures(features: m, seed: seed))
            default:
                throw BertError.badConfig("attention '\(text)': unknown feature map; use linear, linear:relu, linear:efficient, linear:1+cos or linear:random-features:<m>:<seed>")
            }
        default:
            throw BertError.badConfig("attention '\(text)': expected softmax or linear[:feature-map]")
        }
    }

    /// The feature map object for layer `layer` (random features differ per layer, from the seed).
    public func featureMap(headDim: Int, layer: Int) -> FeatureMap? {
        switch self {
        case .softmax: return nil
        case .linear(.eluPlusOne): return EluPlusOne()
        case .linear(.relu): return ReLUFeatures()
        case .linear(.softmaxPerSide): return SoftmaxPerSide()
        case .linear(.onePlusCosine): return OnePlusCosine()
        case .linear(.randomFeatures(let m, let seed)):
            var rng = RandomGenerator(seed: seed &+ UInt64(layer) &* 0x9E37_79B9_7F4A_7C15)
            return RandomFeatures(features: m, headDim: headDim, using: &rng)
        }
    }
}
