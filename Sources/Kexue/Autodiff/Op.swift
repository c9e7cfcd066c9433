/// Every differentiable primitive. A gradient can only be recorded under one of these cases,
/// and the gradient-check coverage test fails for any case without a finite-difference check —
/// so no op ships with an unchecked derivative. Composite ops (mean, variance, logsumexp,
/// dropout, losses) need no case: they differentiate through their parts.
public enum Op: String, CaseIterable, Sendable {
    // arithmetic
    case add, sub, mul, div, maximum, minimum
    // pointwise
    case exp, log, sqrt, pow, abs, sign, clamp, erf, tanh, sigmoid, relu, elu, silu, softplus, gelu, geluTanh
    // reductions
    case sum, max, min
    // linear algebra and fused kernels
    case matmul, headScores, headContext, linear, softmax, scaledMaskedSoftmax, logSoftmax, layerNorm, causalLinearAttention, linearAttentionAssociative
    // vision (NCHW)
    case conv2d, depthwiseConv2d, maxPool2d, avgPool2d, upsampleNearest2d, upsampleBilinear2d, batchNorm
    // shape and data movement
    case reshape, permute, slice, pad, concat, gather, scatterAdd, rows, `where`, cumsum, cast, identity
}
