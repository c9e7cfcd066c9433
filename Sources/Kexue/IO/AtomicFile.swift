// Atomic file and folder writes (DESIGN.md §5): a crash, SIGINT or SIGTERM must never leave a
// half-written checkpoint where a good one was. Readers see either the old bytes or the new bytes.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed atomic write. The description names the path and the system call that failed.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    /// The path the caller asked to write (not the temporary path), so messages stay meaningful.
    public let path: String
    /// What was being done, e.g. "fsync temporary file".
    public let operation: String
    /// `errno` at the time of failure, or 0 if the failure did not come from the system.
    public let code: Int32

    public var description: String {
        let reason = code == 0 ? "" : ": " + String(cString: strerror(code))
        return "\(path): \(operation) failed\(reason)"
    }
}

/// Atomic replacement of files and folders.
///
/// Files: the bytes go to a temporary file in the *same* folder (rename is only atomic within one
/// file system), which is fsynced before the rename so the new name never points at a file whose
/// data is still only in the page cache; the folder is fsynced afterwards so the rename itself
/// survives a power cut.
public enum AtomicFile {
    /// Writes `data` to `url` atomically: either the old file or the complete new file is visible.
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let path = url.path
        let tmp = temporarySibling(of: url, tag: "tmp").path
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw AtomicFileError(path: path, operation: "create temporary file \(tmp)", code: errno) }
        var renamed = false
        defer { if !renamed { unlink(tmp) } }
        do {
            defer { close(fd) }
            try writeAll(fd: fd, data: data, path: path)
            guard fsync(fd) == 0 else { throw AtomicFileError(path: path, operation: "fsync temporary file", code: errno) }
        }
        guard rename(tmp, path) == 0 else { throw AtomicFileError(path: path, operation: "rename temporary file into place", code: errno) }
        renamed = true
        try syncDirectory(url.deletingLastPathComponent(), reportingPath: path)
    }

    /// Builds a folder atomically: `build` fills a fresh temporary sibling folder, every file in it is
    /// fsynced, then it is swapped in for `url` (old folder renamed away, new renamed in, old removed).
    ///
    /// If `build` throws, the temporary folder is removed and whatever was at `url` is untouched.
    /// The only window in which `url` is absent is between the two renames; the previous contents
    /// then still sit complete in the `.<name>.old-*` sibling, never half-written.
    public static func writeDirectory(at url: URL, _ build: (URL) throws -> Void) throws {
        let path = url.path
        let fm = FileManager.default
        let tmp = temporarySibling(of: url, tag: "tmp")
        guard mkdir(tmp.path, 0o755) == 0 else {
            throw AtomicFileError(path: path, operation: "create temporary folder \(tmp.path)", code: errno)
        }
        var installed = false
        defer { if !installed { try? fm.removeItem(at: tmp) } }
        try build(tmp)
        try syncTree(tmp, reportingPath: path)

        var isDir: ObjCBool = false
        let existed = fm.fileExists(atPath: path, isDirectory: &isDir)
        let old = temporarySibling(of: url, tag: "old")
        if existed {
            guard rename(path, old.path) == 0 else { throw AtomicFileError(path: path, operation: "move previous folder aside", code: errno) }
        }
        guard rename(tmp.path, path) == 0 else {
            let code = errno
            if existed { _ = rename(old.path, path) }  // put the good folder back
            throw AtomicFileError(path: path, operation: "rename new folder into place", code: code)
        }
        installed = true
        try syncDirectory(url.deletingLastPathComponent(), reportingPath: path)
        if existed { try? fm.removeItem(at: old) }
    }

    // MARK: - Helpers

    /// A hidden, unique name beside `url`; hidden so directory listings and globbing skip it.
    static func temporarySibling(of url: URL, tag: String) -> URL {
        let name = ".\(url.lastPathComponent).\(tag)-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        return url.deletingLastPathComponent().appendingPathComponent(name)
    }

    private static func writeAll(fd: Int32, data: Data, path: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(path: path, operation: "write temporary file", code: errno)
                }
                offset += n
            }
        }
    }

    private static func syncDirectory(_ dir: URL, reportingPath: String) throws {
        let fd = open(dir.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: reportingPath, operation: "open folder \(dir.path) for fsync", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw AtomicFileError(path: reportingPath, operation: "fsync folder \(dir.path)", code: errno) }
    }

    /// fsyncs every regular file and folder under `root`: `build` may have used plain writes.
    private static func syncTree(_ root: URL, reportingPath: String) throws {
        let fm = FileManager.default
        var folders = [root]
        while let dir = folders.popLast() {
            for name in try fm.contentsOfDirectory(atPath: dir.path) {
                let child = dir.appendingPathComponent(name)
                var st = stat()
                guard lstat(child.path, &st) == 0 else { throw AtomicFileError(path: reportingPath, operation: "stat \(child.path)", code: errno) }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    folders.append(child)
                } else if (st.st_mode & S_IFMT) == S_IFREG {
                    let fd = open(child.path, O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw AtomicFileError(path: reportingPath, operation: "open \(child.path) for fsync", code: errno) }
                    defer { close(fd) }
                    guard fsync(fd) == 0 else { throw AtomicFileError(path: reportingPath, operation: "fsync \(child.path)", code: errno) }
                }
            }
            try syncDirectory(dir, reportingPath: reportingPath)
        }
    }
}

// `write` is shadowed by `AtomicFile.write` inside the enum; this names the system call plainly.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buf, count)
}
