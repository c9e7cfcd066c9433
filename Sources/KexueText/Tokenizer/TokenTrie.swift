/// A trie over Unicode scalars mapping token strings to ids.
///
/// WordPiece needs "the longest vocabulary entry that starts here"; walking a trie answers that in
/// one pass without building candidate substrings. Keys compare scalar by scalar, like Rust's
/// `HashMap<String, u32>` in HF `tokenizers` (Swift `String ==` would merge canonically equivalent
/// spellings such as "é" and "e\u{301}", which are distinct vocabulary entries).
struct TokenTrie: Sendable {
    /// Edges of every node in one table: key = node index << 21 | scalar value (scalars < 2^21).
    private var edges: [UInt64: Int32] = [:]
    /// Token id ending at each node, or -1.
    private var terminalIds: [Int32] = [-1]

    static let root: Int32 = 0

    /// The node reached from `node` by `scalar`, if any.
    @inline(__always)
    func child(of node: Int32, _ scalar: Unicode.Scalar) -> Int32? {
        edges[UInt64(node) << 21 | UInt64(scalar.value)]
    }

    /// The id of the token spelled by the path to `node`, if that path is a whole token.
    @inline(__always)
    func tokenId(at node: Int32) -> Int32? {
        let id = terminalIds[Int(node)]
        return id >= 0 ? id : nil
    }

    /// Inserts `token` with `id`; returns the id already stored for this exact token, if any.
    mutating func insert<S: Sequence>(_ token: S, id: Int32) -> Int32? where S.Element == Unicode.Scalar {
        var node = Self.root
        for scalar in token {
            let key = UInt64(node) << 21 | UInt64(scalar.value)
            if let next = edges[key] {
                node = next
            } else {
                let next = Int32(terminalIds.count)
                terminalIds.append(-1)
                edges[key] = next
                node = next
            }
        }
        if let existing = tokenId(at: node) { return existing }
        terminalIds[Int(node)] = id
        return nil
    }

    /// The node spelled by `scalars` from `node`, if the whole path exists.
    func walk<S: Sequence>(_ scalars: S, from node: Int32 = root) -> Int32? where S.Element == Unicode.Scalar {
        var node = node
        for scalar in scalars {
            guard let next = child(of: node, scalar) else { return nil }
            node = next
        }
        return node
    }

    /// Exact lookup of a whole token.
    func id<S: Sequence>(of token: S) -> Int32? where S.Element == Unicode.Scalar {
        walk(token).flatMap(tokenId(at:))
    }
}
