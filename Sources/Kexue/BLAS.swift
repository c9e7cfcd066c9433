import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS backend behind every matrix product.
///
/// OpenBLAS is linked (Debian `libopenblas-dev`) and always available. Intel MKL is optional:
/// when its single dynamic library (`libmkl_rt.so`, Debian non-free `libmkl-rt`) can be loaded,
/// Kexue uses it, because on AVX-512 its sgemm is 20–25 % faster than OpenBLAS 0.3.21 on the
/// BERT Linear shapes (README, "Speed against PyTorch") and PyTorch ships the same library.
/// `KEXUE_BLAS=openblas|mkl|auto` (default `auto`) chooses; `mkl` fails loudly when it is absent.
///
/// Either way BLAS runs on one thread: Kexue splits large products across its own threads
/// (`GEMM.run`), so the backend's threads never compete with Kexue's kernels.
public enum BLAS {
    public enum Backend: String, Sendable { case openblas, mkl }

    typealias SGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
                                      UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias DGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Double,
                                      UnsafePointer<Double>?, Int32, UnsafePointer<Double>?, Int32, Double,
                                      UnsafeMutablePointer<Double>?, Int32) -> Void

    struct Kernels: @unchecked Sendable {   // C function pointers, immutable after loading
        let backend: Backend
        let sgemm: SGEMM
        let dgemm: DGEMM
        let config: String
    }

    /// Chosen once, on first use.
    static let active: Kernels = select()

    /// Which library runs the products.
    public static var backend: Backend { active.backend }

    /// Number of threads OpenBLAS uses for one call. Set to 1 by `Runtime.threads` (MKL is loaded
    /// in its sequential mode).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The backend's build string (version, kernel, thread model), for benchmark `env` records.
    public static var config: String { active.config }

    static func select() -> Kernels {
        let choice = ProcessInfo.processInfo.environment["KEXUE_BLAS"]?.lowercased() ?? "auto"
        switch choice {
        case "openblas":
            return openBLAS()
        case "mkl":
            switch loadMKL() {
            case .success(let k): return k
            case .failure(let why): fatalError("KEXUE_BLAS=mkl: \(why) (install Debian non-free libmkl-rt: `make mkl`)")
            }
        case "auto", "":
            if case .success(let k) = loadMKL() { return k }
            return openBLAS()
        default:
            fatalError("KEXUE_BLAS=\(choice): expected openblas, mkl or auto")
        }
    }

    static func openBLAS() -> Kernels {
        let config = openblas_get_config().map { String(cString: $0) } ?? "openblas"
        return Kernels(backend: .openblas, sgemm: cblas_sgemm, dgemm: cblas_dgemm, config: config.hasPrefix("OpenBLAS") ? config : "OpenBLAS " + config)
    }

    struct LoadError: Error, CustomStringConvertible { let description: String }

    static func loadMKL() -> Result<Kernels, LoadError> {
        var handle: UnsafeMutableRawPointer?
        for name in ["libmkl_rt.so", "libmkl_rt.so.1", "libmkl_rt.so.2"] {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)   // local: its cblas_* must not shadow OpenBLAS's
            if handle != nil { break }
        }
        guard let handle else { return .failure(LoadError(description: "libmkl_rt.so not found")) }
        guard let s = dlsym(handle, "cblas_sgemm"), let d = dlsym(handle, "cblas_dgemm") else {
            return .failure(LoadError(description: "libmkl_rt.so has no cblas_sgemm/cblas_dgemm"))
        }
        // Sequential MKL (Kexue does the threading); without this mkl_rt would start OpenMP threads.
        typealias SetLayer = @convention(c) (Int32) -> Int32
        if let f = dlsym(handle, "MKL_Set_Threading_Layer") { _ = unsafeBitCast(f, to: SetLayer.self)(1) }   // MKL_THREADING_SEQUENTIAL
        // Conditional numerical reproducibility: the same inputs give the same bits run to run,
        // whatever the buffers' alignment (resumed runs must reproduce uninterrupted ones exactly).
        typealias SetCBWR = @convention(c) (Int32) -> Int32
        if let f = dlsym(handle, "MKL_CBWR_Set") { _ = unsafeBitCast(f, to: SetCBWR.self)(2) }   // MKL_CBWR_AUTO
        var version = "Intel MKL"
        typealias GetVersion = @convention(c) (UnsafeMutablePointer<CChar>?, Int32) -> Void
        if let f = dlsym(handle, "MKL_Get_Version_String") {
            var buffer = [CChar](repeating: 0, count: 256)
            unsafeBitCast(f, to: GetVersion.self)(&buffer, 255)
            version = String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return .success(Kernels(backend: .mkl, sgemm: unsafeBitCast(s, to: SGEMM.self), dgemm: unsafeBitCast(d, to: DGEMM.self),
                                config: version + " (sequential)"))
    }
}

