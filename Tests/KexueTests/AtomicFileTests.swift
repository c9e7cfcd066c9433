import Foundation
import XCTest
@testable import Kexue

final class AtomicFileTests: XCTestCase {
    var dir: URL!
    let fm = FileManager.default

    override func setUpWithError() throws {
        dir = fm.temporaryDirectory.appendingPathComponent("kexue-atomic-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? fm.removeItem(at: dir)
    }

    struct Boom: Error {}

    func testWriteReplacesFileAndLeavesNoTemporaries() throws {
        let url = dir.appendingPathComponent("a.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("new contents".utf8), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data("new contents".utf8))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir.path), ["a.bin"])
    }

    func testFailedWriteKeepsPreviousFileAndNamesPath() throws {
        let url = dir.appendingPathComponent("a.bin")
        try AtomicFile.write(Data("good".utf8), to: url)
        // Renaming a file over a non-empty folder fails after the data is written: the worst moment.
        let blocked = dir.appendingPathComponent("blocked")
        try fm.createDirectory(at: blocked.appendingPathComponent("inner"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: blocked)) { e in
            XCTAssertTrue("\(e)".contains(blocked.path), "\(e)")
        }
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: dir.appendingPathComponent("missing/a.bin"))) { e in
            XCTAssertTrue("\(e)".contains("missing/a.bin"), "\(e)")
        }
        XCTAssertEqual(try Data(contentsOf: url), Data("good".utf8))
        XCTAssertEqual(Set(try fm.contentsOfDirectory(atPath: dir.path)), ["a.bin", "blocked"])
    }

    func testDirectorySwapReplacesContents() throws {
        let ckpt = dir.appendingPathComponent("checkpoint-10")
        try AtomicFile.writeDirectory(at: ckpt) { tmp in
            try Data("v1".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
            try Data("{}".utf8).write(to: tmp.appendingPathComponent("stale.json"))
        }
        try AtomicFile.writeDirectory(at: ckpt) { tmp in
            try fm.createDirectory(at: tmp.appendingPathComponent("sub"), withIntermediateDirectories: false)
            try Data("v2".utf8).write(to: tmp.appendingPathComponent("sub/model.safetensors"))
        }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: ckpt.path), ["sub"])
        XCTAssertEqual(try Data(contentsOf: ckpt.appendingPathComponent("sub/model.safetensors")), Data("v2".utf8))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir.path), ["checkpoint-10"])  // no .tmp/.old left
    }

    func testDirectoryBuildThatThrowsLeavesOldFolderIntact() throws {
        let ckpt = dir.appendingPathComponent("best")
        try AtomicFile.writeDirectory(at: ckpt) { tmp in
            try Data("good".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
        }
        XCTAssertThrowsError(try AtomicFile.writeDirectory(at: ckpt) { tmp in
            try Data("half".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
            throw Boom()  // e.g. the process is interrupted while saving
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try Data(contentsOf: ckpt.appendingPathComponent("model.safetensors")), Data("good".utf8))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir.path), ["best"])
    }

    func testSafeTensorsWriteThroughAtomicFileKeepsOldOnFailure() throws {
        let url = dir.appendingPathComponent("model.safetensors")
        var w = SafeTensorsWriter()
        try w.add("w", shape: [1], floats: [1])
        try w.write(to: url)
        let before = try Data(contentsOf: url)
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)  // folder read-only
        defer { try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path) }
        if getuid() != 0 {  // root ignores permissions, so only check the failure as a normal user
            XCTAssertThrowsError(try w.write(to: url)) { e in
                XCTAssertTrue("\(e)".hasPrefix(url.path), "\(e)")
            }
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
    }
}
