/// Non-causal linear attention in associative form as one tape op (METHODS.md §3(a), kernel form):
/// KV = φKᵀV [C, M], z = Σ_j φk_j [C], O = φQ·KV / (φQ·z + eps), per batch and head.
///
/// φq [B, H, N, C], φk [B, H, S, C], v [B, H, S, M] → [B, H, N, M]. One node instead of the seven
/// of the composed form, with a hand-written backward of five batched GEMMs (with Gn = G / den and
/// gden_i = −Σ_m Gn_im·O_im): ∂φQ = Gn·KVᵀ + gden·zᵀ, ∂KV = φQᵀ·Gn, ∂z = φQᵀ·gden,
/// ∂φK = V·∂KVᵀ + 1·∂zᵀ, ∂V = φK·∂KV — the temporaries of the composed form were most of its time.
public func linearAttentionAssociative(phiQ q: Tensor, phiK k: Tensor, value v: Tensor, eps: Double) -> Tensor {
    precondition(q.rank == 4 && k.rank == 4 && v.rank == 4,
                 "linear attention: φq, φk, v must be [B, H, ·, ·]; got \(q.shape), \(k.shape), \(v.shape)")
    precondition(q.shape[0] == k.shape[0] && q.shape[1] == k.shape[1] && q.shape[3] == k.shape[3],
                 "linear attention: φq \(q.shape) and φk \(k.shape) differ in batch, heads or features")
    precondition(Array(v.shape.prefix(3)) == Array(k.shape.prefix(3)),
                 "linear attention: value \(v.shape) and key \(k.shape) differ in batch, heads or length")
    let (kv, z, num, den, out) = withoutGrad { () -> (Tensor, Tensor, Tensor, Tensor, Tensor) in
        let kv = matmul(k, v, transposeA: true)  // [B, H, C, M]
        let z = k.sum(axis: 2, keepDims: true)  // [B, H, 1, C]
        let num = matmul(q, kv)  // [B, H, N, M]
        let den = matmul(q, z, transposeB: true) + eps  // [B, H, N, 1]
        return (kv, z, num, den, num / den)
    }
    _ = num
    return record(out, .linearAttentionAssociative, [q, k, v]) { g, needs in
        withoutGrad {
            let gn = g / den  // [B, H, N, M]
            let gden = -(gn * out).sum(axis: -1, keepDims: true)  // [B, H, N, 1]
            let dq = needs[0] ? matmul(gn, kv, transposeB: true) + gden * z : nil  // [B, H, N, C]
            let dkv = matmul(q, gn, transposeA: true)  // [B, H, C, M]
            let dz = matmul(gden, q, transposeA: true)  // [B, H, 1, C]
            let dk = needs[1] ? matmul(v, dkv, transposeB: true) + dz : nil  // [B, H, S, C]
            let dv = needs[2] ? matmul(k, dkv) : nil  // [B, H, S, M]
            return [dq, dk, dv]
        }
    }
}
