/// HF ↔ Kexue names for BERT, as one declarative table (DESIGN.md §4), not property names.
public enum BertNames {
    /// Encoder rules; a model with heads adds its own in front (see `BertClassifier`, `BertMLMHead`).
    public static let encoder = NameMap([
        ("embeddings.word_embeddings", "embeddings.wordEmbeddings"),
        ("embeddings.position_embeddings", "embeddings.positionEmbeddings"),
        ("embeddings.token_type_embeddings", "embeddings.tokenTypeEmbeddings"),
        ("embeddings.LayerNorm", "embeddings.norm"),
        ("encoder.layer.{i}.attention.self.query", "layers.{i}.attention.query"),
        ("encoder.layer.{i}.attention.self.key", "layers.{i}.attention.key"),
        ("encoder.layer.{i}.attention.self.value", "layers.{i}.attention.value"),
        ("encoder.layer.{i}.attention.output.dense", "layers.{i}.attention.output"),
        ("encoder.layer.{i}.attention.output.LayerNorm", "layers.{i}.attentionNorm"),
        ("encoder.layer.{i}.intermediate.dense", "layers.{i}.intermediate"),
        ("encoder.layer.{i}.output.dense", "layers.{i}.output"),
        ("encoder.layer.{i}.output.LayerNorm", "layers.{i}.outputNorm"),
        ("pooler.dense", "pooler"),
    ])

    /// HF keys that carry no weights of ours (registered buffers of HF's BertEmbeddings).
    public static let ignored: Set<String> = ["embeddings.position_ids", "embeddings.token_type_ids"]

    /// Normalises a key from any HF BERT checkpoint: drops the `bert.` prefix of task models and
    /// renames TF-era `gamma`/`beta` to `weight`/`bias`.
    public static func normalise(_ key: String, prefix: String = "bert.") -> String {
        var k = key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key
        if k.hasSuffix(".gamma") { k = String(k.dropLast(6)) + ".weight" }
        if k.hasSuffix(".beta") { k = String(k.dropLast(5)) + ".bias" }
        return k
    }
}

extension BertModel {
    /// Loads HF-named tensors (with or without `bert.`) strictly: every model tensor must be
    /// present with its shape, and no unknown key may remain. `extra` receives keys outside the
    /// encoder (task heads) for the caller to place.
    public func loadHF(_ state: [String: Tensor], source: String, extra: inout [String: Tensor]) throws {
        var local: [String: Tensor] = [:]
        var unmapped: [String] = []
        for (key, t) in state {
            let k = BertNames.normalise(key)
            if BertNames.ignored.contains(k) { continue }
            if let path = BertNames.encoder.local(for: k) { local[path] = t }
            else if key.hasPrefix("bert.") { unmapped.append(key) }
            else { extra[key] = t }
        }
        var report = check(state: local, source: source)
        // Report in the checkpoint's names, which is what the user can look up.
        report.unexpected = (report.unexpected.compactMap { BertNames.encoder.foreign(for: $0) } + unmapped).sorted()
        report.missing = report.missing.map { BertNames.encoder.foreign(for: $0) ?? $0 }
        report.wrongShape = report.wrongShape.map { (BertNames.encoder.foreign(for: $0.name) ?? $0.name, $0.expected, $0.found) }
        if !report.isClean { throw report }
        try load(state: local, strict: true, source: source)
    }

    /// This encoder's tensors under HF names (with `prefix`, e.g. "bert." for task models).
    public func hfState(prefix: String = "") -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (path, t) in namedTensors() {
            guard let name = BertNames.encoder.foreign(for: path) else {
                preconditionFailure("BertNames: no HF name for \(path)")
            }
            out[prefix + name] = t
        }
        return out
    }
}
