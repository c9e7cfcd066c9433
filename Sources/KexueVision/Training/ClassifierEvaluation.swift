/// Predictions of an image classifier over a dataset, in eval mode and without gradients.
public enum ClassifierEvaluation {
    /// Logits [N, classes] for every image, computed in batches.
    public static func logits(_ model: some UnaryLayer, _ data: ImageDataset, batchSize: Int = 500) -> Tensor {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var parts: [Tensor] = []
        withoutGrad {
            var start = 0
            while start < data.count {
                let idx = Array(start..<Swift.min(data.count, start + batchSize))
                parts.append(model(data.batch(idx).images))
                start += batchSize
            }
        }
        return concat(parts, axis: 0)
    }

    /// Share of argmax predictions equal to the labels.
    public static func accuracy(logits: Tensor, labels: [Int32]) -> Double {
        let pred = logits.argmax(axis: -1).int32s
        precondition(pred.count == labels.count, "accuracy: \(pred.count) predictions for \(labels.count) labels")
        return Double(zip(pred, labels).filter { $0 == $1 }.count) / Double(Swift.max(labels.count, 1))
    }

    /// Mean cross-entropy of the logits against the labels.
    public static func loss(logits: Tensor, labels: [Int32]) -> Double {
        withoutGrad { crossEntropy(logits: logits, targets: Tensor(indices: labels, shape: [labels.count])).item }
    }
}
