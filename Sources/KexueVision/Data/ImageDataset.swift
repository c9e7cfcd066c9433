import Foundation

/// Grayscale images with integer labels, held as one flat Float32 array in [0, 1].
public struct ImageDataset: Sendable {
    /// [count · height · width], row-major per image, scaled to [0, 1].
    public var pixels: [Float]
    public var labels: [Int32]
    public let height: Int
    public let width: Int
    public let classes: Int

    public init(pixels: [Float], labels: [Int32], height: Int, width: Int, classes: Int) {
        precondition(pixels.count == labels.count * height * width,
                     "ImageDataset: \(pixels.count) pixels for \(labels.count) images of \(height)×\(width)")
        self.pixels = pixels
        self.labels = labels
        self.height = height
        self.width = width
        self.classes = classes
    }

    public var count: Int { labels.count }

    /// The images at `indices` as [n, 1, H, W] and their labels [n].
    public func batch(_ indices: [Int]) -> (images: Tensor, labels: Tensor) {
        let size = height * width
        var out = [Float](repeating: 0, count: indices.count * size)
        out.withUnsafeMutableBufferPointer { o in
            pixels.withUnsafeBufferPointer { p in
                for (k, i) in indices.enumerated() {
                    (o.baseAddress! + k * size).update(from: p.baseAddress! + i * size, count: size)
                }
            }
        }
        return (Tensor(out, shape: [indices.count, 1, height, width]),
                Tensor(indices: indices.map { labels[$0] }, shape: [indices.count]))
    }

    /// A subset in the given order.
    public func subset(_ indices: [Int]) -> ImageDataset {
        let size = height * width
        var px = [Float](); px.reserveCapacity(indices.count * size)
        for i in indices { px.append(contentsOf: pixels[(i * size)..<((i + 1) * size)]) }
        return ImageDataset(pixels: px, labels: indices.map { labels[$0] }, height: height, width: width, classes: classes)
    }

    /// Images per class.
    public var classCounts: [Int] {
        var c = [Int](repeating: 0, count: classes)
        for l in labels { c[Int(l)] += 1 }
        return c
    }
}

public enum DatasetError: Error, CustomStringConvertible {
    case unreadable(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .unreadable(let m), .malformed(let m): return m
        }
    }
}
