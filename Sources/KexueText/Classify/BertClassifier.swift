import Foundation

/// BERT with a sentence-classification head, in HF's `BertForSequenceClassification` layout:
/// logits = W·dropout(tanh(P·h_[CLS])) + b. Saved folders load in HF with identical outputs.
public final class BertClassifier: Module {
    public let bert: BertModel
    public let dropout: Dropout
    public let classifier: Linear
    public let labels: [String]
    /// Tokenizer of the folder the model came from.
    public let tokenizer: BertTokenizer
    /// Where tokenizer files are copied from when saving.
    public let tokenizerSource: URL
    var baseConfig: [String: Any]

    public var maxLength: Int { bert.config.maxPositionEmbeddings }

    /// A new head on a pretrained encoder folder (weights N(0, 0.02²), bias 0, as HF initialises).
    /// `layers` keeps only the encoder's first n layers (the shallow fine-tuning baseline).
    public init(pretrained dir: URL, labels: [String], seed: UInt64 = 0, layers: Int? = nil) throws {
        guard labels.count >= 2 else { throw BertError.badInput("a classifier needs at least 2 labels, got \(labels)") }
        let (loaded, config, _) = try BertDirectory.loadEncoder(dir)
        let model = try layers.map { try loaded.truncated(to: $0) } ?? loaded
        bert = model
        var rng = RandomGenerator(seed: seed)
        let c = model.config
        dropout = Dropout(c.hiddenDropoutProb)
        classifier = Linear(weight: Tensor.normal([labels.count, c.hiddenSize], std: c.initializerRange, using: &rng).requiringGrad(),
                            bias: Tensor.zeros([labels.count]).requiringGrad())
        self.labels = labels
        tokenizer = try BertTokenizer(directory: dir)
        tokenizerSource = dir
        baseConfig = config
        super.init()
    }

    /// Loads a folder saved by `save(to:)` (or by HF); fails clearly when it has no classifier head.
    public init(directory dir: URL) throws {
        let (model, config, heads) = try BertDirectory.loadEncoder(dir)
        guard let w = heads["classifier.weight"], let b = heads["classifier.bias"] else {
            throw BertError.badCheckpoint("\(dir.path): not a sequence classifier (no classifier.weight / classifier.bias); train one with `kexue classify train`")
        }
        let unknown = heads.keys.filter { !$0.hasPrefix("classifier.") }.sorted()
        guard unknown.isEmpty else { throw BertError.badCheckpoint("\(dir.path)/model.safetensors: unexpected keys \(unknown)") }
        guard w.rank == 2, w.shape[1] == model.config.hiddenSize, b.shape == [w.shape[0]] else {
            throw BertError.badCheckpoint("\(dir.path): classifier.weight \(w.shape) / classifier.bias \(b.shape) do not fit hidden size \(model.config.hiddenSize)")
        }
        bert = model
        dropout = Dropout(model.config.hiddenDropoutProb)
        classifier = Linear(weight: w.requiringGrad(), bias: b.requiringGrad())
        let id2label = config["id2label"] as? [String: String] ?? [:]
        labels = (0..<w.shape[0]).map { id2label["\($0)"] ?? "LABEL_\($0)" }
        tokenizer = try BertTokenizer(directory: dir)
        tokenizerSource = dir
        baseConfig = config
        super.init()
    }

    /// ids, typeIds, keyMask [B, T] → logits [B, labels]. `words` overrides the token embeddings.
    public func callAsFunction(_ ids: Tensor, typeIds: Tensor? = nil, keyMask: Tensor, words: Tensor? = nil) -> Tensor {
        let h = bert(ids, typeIds: typeIds, mask: .padding(keyMask: keyMask), words: words)
        return classifier(dropout(bert.pooled(h)))
    }

    /// Writes an HF-loadable folder: config (with id2label), weights under `bert.` + `classifier.`, tokenizer.
    public func save(to dir: URL) throws {
        var config = try BertDirectory.configJSON(bert.config, base: baseConfig)
        config["architectures"] = ["BertForSequenceClassification"]
        config["id2label"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ("\($0.offset)", $0.element) })
        config["label2id"] = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.element, $0.offset) })
        var tensors = bert.hfState(prefix: "bert.")
        tensors["classifier.weight"] = classifier.weight
        tensors["classifier.bias"] = classifier.bias!
        try BertDirectory.save(to: dir, config: config, tensors: tensors, tokenizerSource: tokenizerSource)
    }
}
