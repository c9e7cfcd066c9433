import Kexue

/// Binarised MNIST for the Bernoulli likelihood: training images are re-drawn from
/// Bernoulli(pixel/255) every time they are used (dynamic binarisation); the test set is drawn once
/// with a recorded seed so every evaluation sees the same bits.
public enum BinarizedMNIST {
    /// Bernoulli draws of `images` (values in [0, 1]) as {0, 1}, same shape.
    public static func binarize(_ images: Tensor, using rng: inout RandomGenerator) -> Tensor {
        let p = images.floats
        var out = [Float](repeating: 0, count: p.count)
        for i in 0..<p.count { out[i] = rng.nextUniform() < Double(p[i]) ? 1 : 0 }
        return Tensor(out, shape: images.shape)
    }

    /// A dataset binarised once (the fixed test set).
    public static func fixed(_ data: ImageDataset, seed: UInt64) -> ImageDataset {
        var rng = RandomGenerator(seed: seed)
        var d = data
        for i in 0..<d.pixels.count { d.pixels[i] = rng.nextUniform() < Double(d.pixels[i]) ? 1 : 0 }
        return d
    }
}
