import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An append-only JSON-lines journal of finished work items, so that a long evaluation can be
/// stopped and resumed, or split across processes that share one file.
///
/// Each record is appended with one `write(2)` on an `O_APPEND` descriptor: concurrent writers never
/// overwrite each other, and a crash loses at most the record being written. A torn last line is
/// closed with a newline on open and then ignored on read, so the work it described is redone.
public final class RecordJournal {
    public let url: URL
    private let fd: Int32
    /// The records present when the journal was opened, in file order.
    public private(set) var records: [[String: Any]] = []
    /// Lines that did not parse as JSON objects (a torn write), skipped.
    public private(set) var unreadableLines = 0

    public init(url: URL) throws {
        self.url = url
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) {
            let data = try Data(contentsOf: url)
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                if let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] { records.append(obj) }
                else { unreadableLines += 1 }
            }
        }
        fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw TrainingError.io("cannot open journal \(url.path) for appending: \(String(cString: strerror(errno)))") }
        if let size = try? fm.attributesOfItem(atPath: url.path)[.size] as? Int, size > 0,
           let last = try? lastByte(), last != UInt8(ascii: "\n") {
            try write(Data("\n".utf8))
        }
    }

    deinit { close(fd) }

    private func lastByte() throws -> UInt8? {
        let h = try FileHandle(forReadingFrom: url)
        defer { try? h.close() }
        let end = try h.seekToEnd()
        guard end > 0 else { return nil }
        try h.seek(toOffset: end - 1)
        return try h.read(upToCount: 1)?.first
    }

    private func write(_ data: Data) throws {
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw TrainingError.io("cannot append to journal \(url.path): \(String(cString: strerror(errno)))") }
    }

    /// Appends one record (a JSON object) as one line.
    public func append(_ record: [String: Any]) throws {
        try write(try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) + Data("\n".utf8))
    }
}
