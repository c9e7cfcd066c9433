import Foundation

/// A fine-tuned `BertClassifier` (the predecessor, frozen) compressed by module replacement:
/// embeddings → `ModuleReplacement<BertLayer>` → the shared pooler and head. Evaluation runs the
/// successor alone; `exportSuccessor(to:)` writes it as an ordinary n′-layer classifier folder.
public final class TheseusClassifier: Module {
    public let predecessor: BertClassifier
    public let replacement: ModuleReplacement<BertLayer>
    /// Su's separate successor embeddings (pre-trained copy), or nil (shared, frozen).
    public let successorEmbeddings: BertEmbeddings?
    let embeddingSwitch: ReplacementSwitch?
    public let preset: TheseusPreset

    /// `pretrained` is the pre-trained encoder folder (`su` takes its first n′ layers and its embeddings).
    public init(predecessor: BertClassifier, layers: Int, preset: TheseusPreset, pretrained: URL, seed: UInt64) throws {
        self.predecessor = predecessor
        self.preset = preset
        predecessor.freeze()
        let config = predecessor.bert.config
        var rng = RandomGenerator(seed: seed)
        let initialisation: SuccessorInitialisation<BertLayer>
        var pretrainedModel: BertModel?
        switch preset.successorSource {
        case .fineTunedPrefix: initialisation = .predecessorPrefix
        case .pretrainedPrefix:
            let model = try BertDirectory.loadEncoder(pretrained).model
            guard model.config.hiddenSize == config.hiddenSize else {
                throw BertError.badInput("pretrained \(pretrained.path) has hidden size \(model.config.hiddenSize), the predecessor \(config.hiddenSize)")
            }
            pretrainedModel = model
            initialisation = .pretrainedPrefix(model.layers)
        }
        let successor = try ModuleReplacement.successorBlocks(from: predecessor.bert.layers, layers: layers,
                                                              initialisation: initialisation,
                                                              makeBlock: { BertLayer(config, using: &rng) })
        replacement = try ModuleReplacement(predecessor: predecessor.bert.layers, successor: successor,
                                            schedule: preset.schedule, seed: seed, granularity: preset.granularity)
        if preset.embeddings == .separateSwitched, let pretrainedModel {
            pretrainedModel.embeddings.unfreeze()
            successorEmbeddings = pretrainedModel.embeddings
            embeddingSwitch = ReplacementSwitch(router: replacement.router, slot: layers)
        } else {
            successorEmbeddings = nil
            embeddingSwitch = nil
        }
        super.init()
    }

    /// The final stage: the successor alone in training too; `su` also trains the head.
    public func enterSuccessorStage() {
        replacement.forcedRate = 1
        if preset.headTrainsInLastStage {
            predecessor.classifier.unfreeze()
            predecessor.bert.pooler.unfreeze()
        }
    }

    /// ids, typeIds, keyMask [B, T] → logits [B, labels].
    public func callAsFunction(_ ids: Tensor, typeIds: Tensor? = nil, keyMask: Tensor) -> Tensor {
        let (b, t) = (ids.shape[0], ids.shape[1])
        let step = replacement.step
        let useOwnEmbeddings: Bool
        if let embeddingSwitch {
            useOwnEmbeddings = !isTraining || embeddingSwitch.usesSuccessor(step: step, p: replacement.currentRate)
        } else { useOwnEmbeddings = false }
        let embeddings = useOwnEmbeddings ? successorEmbeddings! : predecessor.bert.embeddings
        let h0 = embeddings(ids, typeIds: typeIds)  // [B, T, H]
        let bias = AttentionMask.padding(keyMask: keyMask).bias(batch: b, queries: t, keys: t, dtype: h0.dtype)
        let h = replacement.forward(h0) { $0($1, bias: bias) }
        return predecessor.classifier(predecessor.dropout(predecessor.bert.pooled(h)))
    }

    /// The successor as an HF `BertForSequenceClassification` folder with n′ layers.
    public func exportSuccessor(to dir: URL) throws {
        var config = predecessor.bert.config
        config.numHiddenLayers = replacement.successor.count
        let model = BertModel(config, seed: 0)
        let embeddings = successorEmbeddings ?? predecessor.bert.embeddings
        try model.embeddings.load(state: embeddings.stateDict(), source: "successor embeddings")
        for (target, source) in zip(model.layers, replacement.successor) {
            try target.load(state: source.stateDict(), source: "successor layer")
        }
        try model.pooler.load(state: predecessor.bert.pooler.stateDict(), source: "pooler")
        var json = try BertDirectory.configJSON(config, base: predecessor.baseConfig)
        let labels = predecessor.labels
        json["architectures"] = ["BertForSequenceClassification"]
        json["id2label"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ("\($0.offset)", $0.element) })
        json["label2id"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        var tensors = model.hfState(prefix: "bert.")
        tensors["classifier.weight"] = predecessor.classifier.weight
        tensors["classifier.bias"] = predecessor.classifier.bias!
        try BertDirectory.save(to: dir, config: json, tensors: tensors, tokenizerSource: predecessor.tokenizerSource)
    }

    /// Accuracy of the successor alone (evaluation mode).
    public func accuracy(_ encodings: [Encoding], _ labels: [Int32], batchSize: Int = 64) -> Double {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var correct = 0
        withoutGrad {
            var s = 0
            while s < encodings.count {
                let idx = Array(s..<Swift.min(encodings.count, s + batchSize))
                let batch = TextBatch(idx.map { encodings[$0] })
                let pred = self(batch.ids, typeIds: batch.typeIds, keyMask: batch.keyMask).argmax(axis: -1).int32s
                correct += zip(pred, idx.map { labels[$0] }).filter { $0 == $1 }.count
                s += batchSize
            }
        }
        return Double(correct) / Double(max(1, encodings.count))
    }
}
