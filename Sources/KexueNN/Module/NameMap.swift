/// A declarative mapping between a foreign checkpoint's tensor names and module paths.
///
/// Rules map dotted prefixes; `{i}` stands for one integer segment and carries over:
/// `("encoder.layer.{i}.attention.self.query", "layers.{i}.attention.query")` maps
/// `encoder.layer.3.attention.self.query.weight` to `layers.3.attention.query.weight`.
/// The first matching rule wins, so list specific rules before general ones.
public struct NameMap: Sendable {
    public let rules: [(foreign: String, local: String)]

    public init(_ rules: [(String, String)]) {
        self.rules = rules.map { (foreign: $0.0, local: $0.1) }
    }

    /// The local path for a foreign name, or nil when no rule matches.
    public func local(for foreign: String) -> String? { translate(foreign, from: \.foreign, to: \.local) }

    /// The foreign name for a local path, or nil when no rule matches.
    public func foreign(for local: String) -> String? { translate(local, from: \.local, to: \.foreign) }

    private func translate(_ name: String, from: KeyPath<(foreign: String, local: String), String>,
                           to: KeyPath<(foreign: String, local: String), String>) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for rule in rules {
            let pattern = rule[keyPath: from].split(separator: ".").map(String.init)
            guard pattern.count <= parts.count else { continue }
            var index: String? = nil
            var matched = true
            for (p, s) in zip(pattern, parts) {
                if p == "{i}" {
                    guard Int(s) != nil else { matched = false; break }
                    index = s
                } else if p != s { matched = false; break }
            }
            guard matched else { continue }
            var target = rule[keyPath: to]
            if let index { target = target.replacingOccurrences(of: "{i}", with: index) }
            let rest = parts[pattern.count...]
            return rest.isEmpty ? target : ([target] + rest).joined(separator: ".")
        }
        return nil
    }
}

import Foundation
