import Kexue
import KexueText

/// Baselines for text IG on the word-embedding boundary [T, H] (METHODS.md §7(a)).
public enum TextBaseline: Sendable {
    /// `[CLS] [PAD] … [PAD] [SEP]`: same length, [CLS]/[SEP] kept, so they get exactly 0 (default; captum #150).
    case padReference
    /// All-zero word vectors (Su; the IG authors' text advice).
    case zero
    /// Token ids of the same length, looked up in the embedding table.
    case ids([Int32])
    /// Explicit word-embedding tensors [T, H]; several are averaged.
    case custom([Tensor])

    /// The baseline word vectors, each [T, H], for an encoding of `ids` with `special` tokens marked.
    func wordVectors(classifier: BertClassifier, ids: [Int32], special: [Bool]) throws -> [Tensor] {
        let t = ids.count, h = classifier.bert.config.hiddenSize
        func lookup(_ ref: [Int32]) -> Tensor {
            withoutGrad { classifier.bert.embeddings.wordVectors(Tensor(indices: ref, shape: [1, t])).reshaped([t, h]) }
        }
        switch self {
        case .padReference:
            let tok = classifier.tokenizer
            guard let pad = tok.vocabulary.id(of: tok.configuration.paddingToken) else {
                throw ExplainError.badInput("the vocabulary has no padding token \(tok.configuration.paddingToken)")
            }
            return [lookup(zip(ids, special).map { $1 ? $0 : pad })]
        case .zero:
            return [Tensor.zeros([t, h])]
        case .ids(let ref):
            guard ref.count == t else { throw IntegratedGradientsError.baselineShape(expected: [t], got: [ref.count]) }
            return [lookup(ref)]
        case .custom(let tensors):
            return tensors
        }
    }
}

/// Errors of the explanation layer that are not IG's own.
public enum ExplainError: Error, CustomStringConvertible {
    case badInput(String)
    public var description: String {
        switch self { case .badInput(let m): return "explain: \(m)" }
    }
}
