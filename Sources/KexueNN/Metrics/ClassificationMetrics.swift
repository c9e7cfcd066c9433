/// Accuracy, per-class recall, balanced error and the confusion matrix of class predictions.
public struct ClassificationMetrics: Sendable {
    /// confusion[true][predicted]
    public let confusion: [[Int]]

    public init(predictions: [Int32], labels: [Int32], classes: Int) {
        precondition(predictions.count == labels.count, "metrics: \(predictions.count) predictions for \(labels.count) labels")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, l) in zip(predictions, labels) {
            precondition(p >= 0 && Int(p) < classes && l >= 0 && Int(l) < classes, "metrics: class \(p)/\(l) outside [0, \(classes))")
            m[Int(l)][Int(p)] += 1
        }
        confusion = m
    }

    public var classes: Int { confusion.count }
    public var count: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    public var accuracy: Double { Double((0..<classes).reduce(0) { $0 + confusion[$1][$1] }) / Double(Swift.max(count, 1)) }

    /// Recall of each class (NaN for a class absent from the labels).
    public var perClassAccuracy: [Double] {
        (0..<classes).map { k in
            let n = confusion[k].reduce(0, +)
            return n == 0 ? .nan : Double(confusion[k][k]) / Double(n)
        }
    }

    /// BER = 1 − mean per-class recall over the classes present: 0 for a perfect classifier,
    /// (K − 1)/K for a constant one.
    public var balancedError: Double {
        let r = perClassAccuracy.filter { !$0.isNaN }
        return 1 - r.reduce(0, +) / Double(Swift.max(r.count, 1))
    }

    /// Mean recall over groups of classes (e.g. many / medium / few-shot).
    public func accuracy(over classSet: [Int]) -> Double {
        let r = classSet.map { perClassAccuracy[$0] }.filter { !$0.isNaN }
        return r.isEmpty ? .nan : r.reduce(0, +) / Double(r.count)
    }
}

/// Groups classes by training count: many (> 100), medium (20–100), few (< 20) as Liu et al.
/// (CVPR 2019); with ρ = 100 on MNIST-sized data "few" is empty, so terciles by count are offered too.
public enum ShotGroups {
    public static func byCount(_ counts: [Int]) -> (many: [Int], medium: [Int], few: [Int]) {
        (counts.indices.filter { counts[$0] > 100 }, counts.indices.filter { (20...100).contains(counts[$0]) },
         counts.indices.filter { counts[$0] < 20 })
    }

    /// Classes sorted by count, cut into thirds (head, middle, tail).
    public static func terciles(_ counts: [Int]) -> (head: [Int], middle: [Int], tail: [Int]) {
        let order = counts.indices.sorted { (counts[$0], $0) > (counts[$1], $1) }
        let a = order.count / 3, b = 2 * order.count / 3
        return (Array(order[..<a]).sorted(), Array(order[a..<b]).sorted(), Array(order[b...]).sorted())
    }
}
