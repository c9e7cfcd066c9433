import Kexue

/// How the successor blocks start (METHODS.md §5(a)).
public enum SuccessorInitialisation<Block: Module> {
    /// Copies of predecessor blocks 1…n′ (the paper's code).
    case predecessorPrefix
    /// Copies of predecessor blocks r, 2r, …, n (the last block of each module).
    case everyRth
    /// Copies of the first n′ blocks of another stack — the *pre-trained* checkpoint (Su).
    case pretrainedPrefix([Block])
}

/// Whether one draw routes the whole batch or each example separately.
public enum RoutingGranularity: String, Sendable, CaseIterable {
    case perBatch = "batch", perExample = "example"
}

/// BERT-of-Theseus' progressive module replacement over any stack of blocks.
///
///     predecessor  P1 P2 | P3 P4 | P5 P6      n = 6 blocks, frozen
///     modules      [ 𝒫1 ] [ 𝒫2 ] [ 𝒫3 ]        r = n/n′ = 2 blocks each
///     successor     S1     S2     S3          n′ = 3 blocks, trained
///
///     training step t:  p = schedule(t); for l in 1…n′ { r_l ~ Bernoulli(p)
///                        h = r_l ? S_l(h) : 𝒫_l(h) }          (only the chosen branch runs)
///     evaluation:       for l in 1…n′ { h = S_l(h) }          (the predecessor never runs)
///
/// Blocks are any `Module`; the caller says how to run one with `forward(_:through:)` (so extra
/// inputs such as BERT's attention bias are shared by construction), or, for `UnaryLayer`
/// blocks, just calls the wrapper. The predecessor is frozen — no updates — but gradients flow
/// *through* it to earlier successor blocks, since its forward is recorded on the tape as usual.
public final class ModuleReplacement<Block: Module>: Module {
    public let predecessor: [Block]
    public let successor: [Block]
    /// r = n/n′.
    public let blocksPerModule: Int
    public var schedule: ReplacementSchedule
    public var granularity: RoutingGranularity
    public let router: ReplacementRouter
    /// The training step the next training-mode forward uses (set it when resuming).
    public var step = 0
    /// Overrides the schedule (tests and diagnostics: 0 = all predecessor, 1 = all successor).
    public var forcedRate: Double?
    /// The per-module routes of the last training forward (per-batch routing; true = successor).
    public private(set) var lastRoutes: [Bool] = []
    /// Block executions since creation, for checking what ran.
    public private(set) var predecessorBlockCalls = 0
    public private(set) var successorBlockCalls = 0

    /// Wraps a predecessor stack and a successor stack; freezes the predecessor.
    public init(predecessor: [Block], successor: [Block], schedule: ReplacementSchedule,
                seed: UInt64, granularity: RoutingGranularity = .perBatch) throws {
        let r = try Self.blocksPerModule(predecessor: predecessor.count, successor: successor.count)
        try schedule.validate()
        self.predecessor = predecessor
        self.successor = successor
        self.blocksPerModule = r
        self.schedule = schedule
        self.granularity = granularity
        self.router = ReplacementRouter(seed: seed)
        super.init()
        for block in predecessor { block.freeze() }
    }

    /// r = n/n′, or the error naming why the depths do not fit.
    public static func blocksPerModule(predecessor n: Int, successor m: Int) throws -> Int {
        guard n > 0 else { throw ReplacementError.empty("the predecessor") }
        guard m > 0 else { throw ReplacementError.empty("the successor") }
        guard m <= n else { throw ReplacementError.successorDeeper(predecessor: n, successor: m) }
        guard n % m == 0 else { throw ReplacementError.layersDoNotDivide(predecessor: n, successor: m) }
        return n / m
    }

    /// n′ successor blocks initialised as `initialisation` says: each is `makeBlock()` with the
    /// source block's tensors copied in (independent storage, trainable).
    public static func successorBlocks(from predecessor: [Block], layers m: Int,
                                       initialisation: SuccessorInitialisation<Block>,
                                       makeBlock: () -> Block) throws -> [Block] {
        let r = try blocksPerModule(predecessor: predecessor.count, successor: m)
        let sources: [Block]
        switch initialisation {
        case .predecessorPrefix: sources = Array(predecessor.prefix(m))
        case .everyRth: sources = (1...m).map { predecessor[$0 * r - 1] }
        case let .pretrainedPrefix(stack):
            guard stack.count >= m else { throw ReplacementError.pretrainedTooShort(available: stack.count, needed: m) }
            sources = Array(stack.prefix(m))
        }
        return try sources.map { source in
            let block = makeBlock()
            try block.load(state: source.stateDict(), source: "successor initialisation")
            block.unfreeze()
            return block
        }
    }

    /// The replacement rate for the current step.
    public var currentRate: Double { forcedRate ?? schedule.rate(at: step) }

    /// Runs the stack on `h`. Training mode routes (and advances `step`); evaluation runs the
    /// successor only.
    public func forward(_ h: Tensor, through run: (Block, Tensor) -> Tensor) -> Tensor {
        guard isTraining else { return successorOnly(h, through: run) }
        let p = currentRate
        defer { step += 1 }
        var h = h
        switch granularity {
        case .perBatch:
            lastRoutes = router.draws(step: step, count: successor.count, p: p)
            for (l, replaced) in lastRoutes.enumerated() {
                h = replaced ? runSuccessor(l, h, run) : runPredecessor(l, h, run)
            }
        case .perExample:
            let batch = h.shape[0]
            lastRoutes = []
            for l in successor.indices {
                let routes = (0..<batch).map { router.draw(step: step, slot: l, example: $0, p: p) }
                if routes.allSatisfy({ $0 }) { h = runSuccessor(l, h, run) }
                else if !routes.contains(true) { h = runPredecessor(l, h, run) }
                else {
                    // Both branches run on the whole batch; `where` passes each row's gradient
                    // only to the branch that row chose.
                    var maskShape = [batch]; maskShape += Array(repeating: 1, count: h.rank - 1)
                    let mask = Tensor(routes.map { $0 ? Float(1) : 0 }, shape: maskShape)
                    h = `where`(mask, runSuccessor(l, h, run), runPredecessor(l, h, run))
                }
            }
        }
        return h
    }

    /// The successor alone (evaluation and export).
    public func successorOnly(_ h: Tensor, through run: (Block, Tensor) -> Tensor) -> Tensor {
        var h = h
        for l in successor.indices { h = runSuccessor(l, h, run) }
        return h
    }

    /// The predecessor alone (p = 0), without touching the step counter.
    public func predecessorOnly(_ h: Tensor, through run: (Block, Tensor) -> Tensor) -> Tensor {
        var h = h
        for l in successor.indices { h = runPredecessor(l, h, run) }
        return h
    }

    private func runSuccessor(_ l: Int, _ h: Tensor, _ run: (Block, Tensor) -> Tensor) -> Tensor {
        successorBlockCalls += 1
        return run(successor[l], h)
    }

    /// Module l: predecessor blocks l·r … l·r + r − 1 in order.
    private func runPredecessor(_ l: Int, _ h: Tensor, _ run: (Block, Tensor) -> Tensor) -> Tensor {
        var h = h
        for i in (l * blocksPerModule)..<((l + 1) * blocksPerModule) {
            predecessorBlockCalls += 1
            h = run(predecessor[i], h)
        }
        return h
    }
}

extension ModuleReplacement where Block: UnaryLayer {
    /// Blocks that take one tensor: `forward(h) { $0($1) }`.
    public func callAsFunction(_ h: Tensor) -> Tensor { forward(h) { $0($1) } }
}

/// A switch between two interchangeable modules (Su's separate successor embeddings, chosen
/// against the predecessor's by one more router draw per step, in `slot` after the modules).
public struct ReplacementSwitch: Sendable {
    public let router: ReplacementRouter
    public let slot: Int
    public init(router: ReplacementRouter, slot: Int) { self.router = router; self.slot = slot }
    /// True = the successor's module at this step.
    public func usesSuccessor(step: Int, p: Double) -> Bool { router.draw(step: step, slot: slot, p: p) }
}
