import ArgumentParser
import Foundation
import KexueText

struct DataSplits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splits",
        abstract: "Print the committed train/validation/test sentence ids of a built-in dataset as JSON (Tests/Fixtures/rotten_tomatoes_splits.json is this output).")
    @Option(help: "rotten-tomatoes") var dataset = "rotten-tomatoes"

    func run() throws {
        guard dataset == "rotten-tomatoes" else { throw ValidationError("unknown --dataset '\(dataset)'; known: rotten-tomatoes") }
        let s = RottenTomatoes.split(try RottenTomatoes.load())
        printJSON(["dataset": dataset, "seed": 2020, "train": s.train.map(\.id), "validation": s.validation.map(\.id), "test": s.test.map(\.id)])
    }
}
