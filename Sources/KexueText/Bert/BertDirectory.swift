import Foundation

/// A saved BERT folder in HF's layout: `config.json`, `model.safetensors`, `vocab.txt` (+ tokenizer
/// files). Loading is strict and names every bad key; saving writes a folder HF `transformers`
/// loads, atomically.
public enum BertDirectory {
    public static let tokenizerFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    /// Reads config.json as raw JSON (to keep fields we don't model, like id2label) and as a config.
    public static func readConfig(_ dir: URL) throws -> (BertConfig, [String: Any]) {
        let url = try KexueHome.require(dir.appendingPathComponent("config.json"), what: "BERT config.json")
        let config = try BertConfig.load(url)
        let raw = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]) ?? [:]
        return (config, raw)
    }

    /// Loads the encoder and returns the tensors that are not part of it (task heads), HF-named.
    public static func loadEncoder(_ dir: URL) throws -> (model: BertModel, config: [String: Any], heads: [String: Tensor]) {
        let (config, raw) = try readConfig(dir)
        let weights = try KexueHome.require(dir.appendingPathComponent("model.safetensors"), what: "BERT model.safetensors")
        let state = try SafeTensors.load(weights)
        let model = BertModel(config)
        var heads: [String: Tensor] = [:]
        try model.loadHF(state, source: weights.path, extra: &heads)
        return (model, raw, heads)
    }

    /// Writes `config` and HF-named `tensors`, and copies the tokenizer files from `tokenizerSource`.
    public static func save(to dir: URL, config: [String: Any], tensors: [String: Tensor], tokenizerSource: URL?) throws {
        try AtomicFile.writeDirectory(at: dir) { tmp in
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write(data, to: tmp.appendingPathComponent("config.json"))
            try SafeTensors.save(tensors, to: tmp.appendingPathComponent("model.safetensors"), metadata: ["format": "pt"])
            if let src = tokenizerSource {
                for name in tokenizerFiles {
                    let from = src.appendingPathComponent(name)
                    if FileManager.default.fileExists(atPath: from.path) {
                        try FileManager.default.copyItem(at: from, to: tmp.appendingPathComponent(name))
                    }
                }
            }
        }
    }

    /// The HF config dictionary for `config`, on top of `base` (which keeps unknown fields).
    public static func configJSON(_ config: BertConfig, base: [String: Any] = [:]) throws -> [String: Any] {
        var out = base
        let ours = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        for (k, v) in ours { out[k] = v }
        out["model_type"] = "bert"
        out["position_embedding_type"] = out["position_embedding_type"] ?? "absolute"
        return out
    }
}
