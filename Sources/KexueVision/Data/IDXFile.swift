import Foundation

/// The IDX format of (Fashion-)MNIST: big-endian magic (0x0000 08 NDIM), dimensions, then bytes.
/// Files must be decompressed (`make setup` does it).
public enum IDXFile {
    public static func readBytes(_ url: URL) throws -> (dims: [Int], values: [UInt8]) {
        let data: Data
        do { data = try Data(contentsOf: url) }
        catch { throw DatasetError.unreadable("\(url.path): cannot read (\(error.localizedDescription)); run `make setup`") }
        let b = [UInt8](data)
        guard b.count >= 4, b[0] == 0, b[1] == 0 else {
            throw DatasetError.malformed("\(url.path): not an IDX file (gzip-compressed? magic \(b.prefix(4).map { String($0, radix: 16) }))")
        }
        guard b[2] == 0x08 else { throw DatasetError.malformed("\(url.path): IDX element type 0x\(String(b[2], radix: 16)) is not unsigned byte") }
        let ndim = Int(b[3])
        guard b.count >= 4 + 4 * ndim else { throw DatasetError.malformed("\(url.path): truncated header") }
        var dims: [Int] = []
        for d in 0..<ndim {
            let o = 4 + 4 * d
            dims.append(Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]))
        }
        let n = dims.reduce(1, *), start = 4 + 4 * ndim
        guard b.count == start + n else {
            throw DatasetError.malformed("\(url.path): \(b.count - start) data bytes for dimensions \(dims) (\(n) expected)")
        }
        return (dims, Array(b[start...]))
    }

    /// An image file and its label file as a dataset.
    public static func load(images: URL, labels: URL, classes: Int = 10) throws -> ImageDataset {
        let (idims, ivals) = try readBytes(images)
        let (ldims, lvals) = try readBytes(labels)
        guard idims.count == 3 else { throw DatasetError.malformed("\(images.path): expected [N, H, W], got \(idims)") }
        guard ldims == [idims[0]] else {
            throw DatasetError.malformed("\(labels.path): \(ldims) labels for \(idims[0]) images in \(images.lastPathComponent)")
        }
        for (i, l) in lvals.enumerated() where Int(l) >= classes {
            throw DatasetError.malformed("\(labels.path): label \(l) at index \(i) ≥ \(classes)")
        }
        return ImageDataset(pixels: ivals.map { Float($0) / 255 }, labels: lvals.map { Int32($0) },
                            height: idims[1], width: idims[2], classes: classes)
    }
}
