import Foundation

/// Multi-head self-attention with its output projection (HF `BertAttention` minus the LayerNorm).
/// Softmax or linear attention by configuration (`BertConfig.attention`); the weights are the same
/// either way, so one checkpoint runs in parallel form for training and in recurrent or cached
/// form for decoding.
public final class BertSelfAttention: Module {
    public let query: Linear, key: Linear, value: Linear, output: Linear
    public let heads: Int
    public let dropout: Double
    public let kind: AttentionKind
    /// φ for linear attention (nil for softmax). Random features are drawn per layer from the
    /// config's seed, so a reloaded model gets the same W; `resampleFeatures` draws new ones.
    public private(set) var featureMap: FeatureMap?
    /// Linear attention's denominator eps (fast-transformers' 1e-6) and optional query scale.
    public var linearEps = 1e-6, linearScale: Double? = nil

    public init(_ c: BertConfig, layer: Int = 0, using rng: inout RandomGenerator) {
        func dense(_ i: Int, _ o: Int) -> Linear {
            Linear(weight: Tensor.normal([o, i], std: c.initializerRange, using: &rng).requiringGrad(),
                   bias: Tensor.zeros([o]).requiringGrad())
        }
        query = dense(c.hiddenSize, c.hiddenSize)
        key = dense(c.hiddenSize, c.hiddenSize)
        value = dense(c.hiddenSize, c.hiddenSize)
        output = dense(c.hiddenSize, c.hiddenSize)
        heads = c.numAttentionHeads
        dropout = c.attentionProbsDropoutProb
        kind = c.attention
        featureMap = c.attention.featureMap(headDim: c.headDim, layer: layer)
        super.init()
    }

    public func resampleFeatures(using rng: inout RandomGenerator) { featureMap?.resample(using: &rng) }

    /// [B, T, C] → [B, H, T, D]
    func splitHeads(_ x: Tensor) -> Tensor {
        let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        return x.reshaped([b, t, heads, c / heads]).permuted(0, 2, 1, 3)
    }

    /// [B, H, T, D] → [B, T, C]
    func mergeHeads(_ x: Tensor) -> Tensor {
        let (b, h, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return x.permuted(0, 2, 1, 3).reshaped([b, t, h * d])
    }

    /// The parallel form over a whole sequence: x [B, T, C] → [B, T, C].
    public func callAsFunction(_ x: Tensor, mask: PreparedMask) -> Tensor {
        guard let featureMap else {
            // Softmax attention reads the heads in place from the packed projections [B, T, C].
            return output(scaledDotProductAttention(packedQuery: query(x), key: key(x), value: value(x), heads: heads,
                                                    bias: mask.bias, dropout: dropout, training: isTraining))
        }
        let q = splitHeads(query(x)), k = splitHeads(key(x)), v = splitHeads(value(x))  // [B, H, T, D]
        let context: Tensor
        do {
            context = try linearAttention(query: q, key: k, value: v, mask: mask.mask, featureMap: featureMap,
                                          eps: linearEps, scale: linearScale)
        } catch {
            // Model code cannot recover from a mask the configured attention cannot express.
            preconditionFailure("\(error)")
        }
        return output(mergeHeads(context))
    }

    /// The incremental form: appends x [B, t, C] (real positions marked by `keyMask` [B, t]) to
    /// `cache` and returns their outputs [B, t, C]. Softmax attention attends over the cached keys
    /// and values plus the new ones; linear attention reads and updates the running (S, z).
    public func extend(_ x: Tensor, keyMask: Tensor?, visibility: BlockVisibility,
                       cache: inout AttentionCache?) throws -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let q = splitHeads(query(x)), k = splitHeads(key(x)), v = splitHeads(value(x))  // [B, H, t, D]
        let newMask = keyMask?.to(x.dtype) ?? Tensor.ones([b, t], dtype: x.dtype)  // [B, t]
        guard newMask.shape == [b, t] else {
            throw LinearAttentionError.mask("key mask \(newMask.shape) does not match \(b) rows × \(t) new positions")
        }
        let context: Tensor
        if let featureMap {
            guard !featureMap.normalizesOverPositions else {
                throw LinearAttentionError.mask("\(type(of: featureMap)) normalises keys over all positions and has no recurrent form for decoding")
            }
            let phiQ = featureMap.queries(linearScale.map { q * $0 } ?? q)  // [B, H, t, C]
            let phiK = featureMap.keys(k) * newMask.reshaped([b, 1, t, 1])  // [B, H, t, C]
            let c = phiK.shape[3], m = v.shape[3]
            var state: Tensor, normalizer: Tensor  // [B, H, C, M], [B, H, 1, C]
            switch cache {
            case .recurrent(let s, let z)?: (state, normalizer) = (s, z)
            case nil:
                state = Tensor.zeros([b, heads, c, m], dtype: x.dtype)
                normalizer = Tensor.zeros([b, heads, 1, c], dtype: x.dtype)
            case .keyValue?: throw LinearAttentionError.mask("a key/value cache cannot continue in linear attention")
            }
            let blockState = matmul(phiK, v, transposeA: true)  // [B, H, C, M]
            let blockSum = phiK.sum(axis: 2, keepDims: true)  // [B, H, 1, C]
            let num: Tensor, z: Tensor  // [B, H, t, M], [B, H, t or 1, C]
            if visibility == .causal && t > 1 {
                num = causalLinearAttentionNumerator(phiQ: phiQ, phiK: phiK, value: v) + matmul(phiQ, state)
                z = phiK.cumsum(axis: 2) + normalizer
            } else {
                // Update before read: a token sees itself (METHODS.md §3, recurrent state API).
                num = matmul(phiQ, state + blockState)
                z = normalizer + blockSum
            }
            context = num / ((phiQ * z).sum(axis: -1, keepDims: true) + linearEps)
            cache = .recurrent(state: state + blockState, normalizer: normalizer + blockSum)
        } else {
            var keys = k, values = v, mask = newMask
            switch cache {
            case .keyValue(let ck, let cv, let cm)?:
                keys = concat([ck, k], axis: 2)
                values = concat([cv, v], axis: 2)
                mask = concat([cm, newMask], axis: 1)
            case nil: break
            case .recurrent?: throw LinearAttentionError.mask("a recurrent state cannot continue in softmax attention")
            }
            let total = keys.shape[2], past = total - t
            var bias = ((mask - 1) * 1e9).reshaped([b, 1, 1, total])  // [B, 1, 1, S]
            if visibility == .causal && t > 1 {
                var future = [Double](repeating: 0, count: t * total)
                for i in 0..<t { for j in (past + i + 1)..<total { future[i * total + j] = -1e9 } }
                bias = bias + Tensor(doubles: future, shape: [1, 1, t, total]).to(x.dtype)
            }
            context = scaledDotProductAttention(query: q, key: keys, value: values, bias: bias)
            cache = .keyValue(keys: keys, values: values, keyMask: mask)
        }
        return output(mergeHeads(context))
    }
}
