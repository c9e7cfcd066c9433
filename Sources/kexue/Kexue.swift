import ArgumentParser
import Kexue

@main
struct KexueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kexue",
        abstract: "Kexue — deep learning in Swift: flooding, logit adjustment, linear attention, BERT-of-Theseus, UniLM QG, NVAE, integrated gradients.",
        subcommands: [Bench.self, MNIST.self, Classify.self, Explain.self, Tokenize.self, Embed.self, DataSplits.self, LongTailCommand.self, FloodCommand.self, Compress.self, NVAECommand.self, LMCommand.self, QGCommand.self, CurvesCommand.self]
    )
}
