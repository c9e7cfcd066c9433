import Foundation
import Synchronization

/// SIGINT / SIGTERM as a flag the training loop polls between steps, so a run interrupted by
/// Ctrl-C or a scheduler saves one last checkpoint and exits cleanly (DESIGN.md §5).
/// A second signal exits at once.
public enum StopSignal {
    private static let requested = Atomic<Int>(0)

    /// Installs the handlers (idempotent).
    public static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if StopSignal.requested.add(1, ordering: .sequentiallyConsistent).newValue > 1 { _exit(130) }
            }
        }
    }

    public static var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) > 0 }

    /// For tests: simulate a signal, or clear it.
    public static func request() { requested.store(1, ordering: .sequentiallyConsistent) }
    public static func reset() { requested.store(0, ordering: .sequentiallyConsistent) }
}
