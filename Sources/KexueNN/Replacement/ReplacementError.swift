import Foundation

/// Bad configurations of a module replacement, each naming what is wrong.
public enum ReplacementError: Error, LocalizedError, CustomStringConvertible, Equatable {
    public var description: String { errorDescription ?? "module replacement error" }

    /// n′ does not divide n.
    case layersDoNotDivide(predecessor: Int, successor: Int)
    /// n′ > n.
    case successorDeeper(predecessor: Int, successor: Int)
    /// n′ = 0 or n = 0.
    case empty(String)
    case badSchedule(String)
    /// A pretrained stack with fewer blocks than the successor needs.
    case pretrainedTooShort(available: Int, needed: Int)

    public var errorDescription: String? {
        switch self {
        case let .layersDoNotDivide(n, m):
            return "module replacement: the successor's \(m) blocks do not divide the predecessor's \(n) (each successor block must replace r = n/n′ whole blocks)"
        case let .successorDeeper(n, m):
            return "module replacement: the successor (\(m) blocks) is deeper than the predecessor (\(n) blocks)"
        case let .empty(what): return "module replacement: \(what) has no blocks"
        case let .badSchedule(why): return "module replacement: bad schedule: \(why)"
        case let .pretrainedTooShort(a, n):
            return "module replacement: the pretrained stack has \(a) blocks, the successor needs \(n)"
        }
    }
}
