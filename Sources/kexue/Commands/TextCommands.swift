import ArgumentParser
import Foundation
import KexueText

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "WordPiece-tokenize texts; one JSON object per text (tokens, ids, offsets in Unicode scalars).")
    @Option(help: "Folder with vocab.txt / tokenizer.json (default: MiniLM in $KEXUE_HOME).") var model: String?
    @Argument(help: "Texts. Put -- before texts that start with a dash.") var texts: [String]

    func run() throws {
        let dir = model.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.miniLM
        let tokenizer = try BertTokenizer(directory: try KexueHome.require(dir, what: "tokenizer folder"))
        for text in texts {
            let e = try tokenizer.encode(text)
            printJSON(["text": text, "tokens": e.tokens, "ids": e.ids.map(Int.init),
                       "offsets": e.offsets.map { [$0.lowerBound, $0.upperBound] }])
        }
    }
}

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sentence embeddings (mean pooling over real tokens, L2-normalised, truncation at 256 tokens), as sentence-transformers.")
    @Option(help: "BERT folder (default: MiniLM in $KEXUE_HOME).") var model: String?
    @Option(help: "Truncate to this many tokens.") var maxLength = 256
    @Argument(help: "Texts. Put -- before texts that start with a dash.") var texts: [String]

    func run() throws {
        let dir = model.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.miniLM
        let embedder = try SentenceEmbedder(directory: dir, maxLength: maxLength)
        let vectors = try embedder.embed(texts)
        for (text, v) in zip(texts, vectors) { printJSON(["text": text, "embedding": v.map(Double.init)]) }
    }
}
