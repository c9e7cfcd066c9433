import Foundation

/// The BERT-of-Theseus knob settings of METHODS.md §5(b): `paper` (JetRunner/BERT-of-Theseus) and
/// `su` (bert4keras `task_iflytek_bert_of_theseus.py`). Run length (epochs per stage, depth) is
/// separate and set by the caller.
public struct TheseusPreset: Sendable, CustomStringConvertible {
    public enum SuccessorSource: String, Sendable {
        /// First n′ blocks of the fine-tuned predecessor (`.predecessorPrefix`).
        case fineTunedPrefix
        /// First n′ blocks of the pre-trained checkpoint (`.pretrainedPrefix`).
        case pretrainedPrefix
    }

    public enum Embeddings: String, Sendable {
        /// The predecessor's embeddings, frozen.
        case sharedFrozen
        /// The successor gets its own (pre-trained) embeddings, chosen against the predecessor's
        /// by one more router draw per step (`ReplacementSwitch`).
        case separateSwitched
    }

    public enum Optimizer: String, Sendable { case adamW, adam }

    public let name: String
    public let schedule: ReplacementSchedule
    public let granularity: RoutingGranularity
    public let embeddings: Embeddings
    public let successorSource: SuccessorSource
    /// Whether the shared head trains in the final successor-only stage (frozen in the Theseus stage either way).
    public let headTrainsInLastStage: Bool
    public let optimizer: Optimizer
    public let learningRate: Double
    public let batchSize: Int
    public let maxLength: Int
    /// Stages in order: `predecessor` (fine-tune the n-block model), `theseus` (replacement
    /// training), `successor` (successor alone).
    public let stages: [String]

    /// JetRunner's README setting for MRPC: p_t = min(1, 6e-4·t + 0.3), AdamW 2e-5 on the successor
    /// blocks only; head and embeddings shared and frozen throughout.
    public static let paper = TheseusPreset(
        name: "paper", schedule: .linear(k: 6e-4, b: 0.3), granularity: .perBatch,
        embeddings: .sharedFrozen, successorSource: .fineTunedPrefix, headTrainsInLastStage: false,
        optimizer: .adamW, learningRate: 2e-5, batchSize: 32, maxLength: 128,
        stages: ["theseus", "successor"])

    /// Su's: constant p = 0.5, separate switched embeddings, successor from the pre-trained
    /// checkpoint, head trained in the last stage, Adam 2e-5; predecessor → Theseus → successor.
    public static let su = TheseusPreset(
        name: "su", schedule: .constant(0.5, steps: nil), granularity: .perBatch,
        embeddings: .separateSwitched, successorSource: .pretrainedPrefix, headTrainsInLastStage: true,
        optimizer: .adam, learningRate: 2e-5, batchSize: 32, maxLength: 128,
        stages: ["predecessor", "theseus", "successor"])

    public static let all = [paper, su]

    /// The preset called `name`, or an error listing the known ones.
    public static func named(_ name: String) throws -> TheseusPreset {
        guard let p = all.first(where: { $0.name == name }) else {
            throw BertError.badInput("unknown Theseus preset '\(name)'; known: \(all.map(\.name).joined(separator: ", "))")
        }
        return p
    }

    /// This preset with another replacement-rate schedule (run-length tuning; the other knobs stay).
    public func with(schedule: ReplacementSchedule) -> TheseusPreset {
        TheseusPreset(name: name, schedule: schedule, granularity: granularity, embeddings: embeddings,
                      successorSource: successorSource, headTrainsInLastStage: headTrainsInLastStage,
                      optimizer: optimizer, learningRate: learningRate, batchSize: batchSize, maxLength: maxLength,
                      stages: stages)
    }

    public var description: String {
        "\(name): rate \(schedule), routing per \(granularity.rawValue), embeddings \(embeddings.rawValue), successor from \(successorSource.rawValue), head trains in last stage: \(headTrainsInLastStage), \(optimizer.rawValue) \(learningRate), batch \(batchSize), length \(maxLength), stages \(stages.joined(separator: " → "))"
    }
}
