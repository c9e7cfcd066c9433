import KexueNN

extension BatchNorm {
    /// NVAE's batch norm: eps 1e-5 and momentum 0.05 (running ← 0.95·running + 0.05·batch).
    static func nvae(_ channels: Int) -> BatchNorm { BatchNorm(channels, momentum: 0.05, eps: 1e-5) }
}
