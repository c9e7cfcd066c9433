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
/// OpenBLAS runs on one thread: Kexue splits large products across its own threads (`GEMM.run`),
/// because OpenBLAS's idle workers spin and compete with Kexue's kernels. MKL is loaded with its
/// GNU OpenMP layer and a short spin before idle workers sleep, one thread by default; a large
/// product made outside a parallel region asks for `Runtime.threads` for that one call
/// (`threadedCall`), so MKL shares the packed operand between threads as PyTorch lets it do —
/// the split costs each thread its own packing of B. `KEXUE_MKL_THREADING=sequential` keeps
/// MKL on one thread and Kexue's split.
public enum BLAS {
    public enum Backend: String, Sendable { case openblas, mkl }

    typealias SGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                      UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
                                      UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias DGEMM = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Double,
                                      UnsafePointer<Double>?, Int32, UnsafePointer<Double>?, Int32, Double,
                                      UnsafeMutablePointer<Double>?, Int32) -> Void

    typealias SGEMMBatchStrided = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
                                                  UnsafePointer<Float>?, Int32, Int32, UnsafePointer<Float>?, Int32, Int32, Float,
                                                  UnsafeMutablePointer<Float>?, Int32, Int32, Int32) -> Void

    typealias SGEMMBatch = @convention(c) (CBLAS_ORDER, UnsafePointer<CBLAS_TRANSPOSE>?, UnsafePointer<CBLAS_TRANSPOSE>?,
                                           UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<Float>?,
                                           UnsafePointer<UnsafePointer<Float>?>?, UnsafePointer<Int32>?,
                                           UnsafePointer<UnsafePointer<Float>?>?, UnsafePointer<Int32>?, UnsafePointer<Float>?,
                                           UnsafePointer<UnsafeMutablePointer<Float>?>?, UnsafePointer<Int32>?, Int32,
                                           UnsafePointer<Int32>?) -> Void

    struct Kernels: @unchecked Sendable {   // C function pointers, immutable after loading
        let backend: Backend
        let sgemm: SGEMM
        let dgemm: DGEMM
        let config: String
        /// MKL_Set_Num_Threads_Local when the backend can thread one call itself.
        let setLocalThreads: (@convention(c) (Int32) -> Int32)?
        /// cblas_sgemm_batch_strided (MKL): many small products of one shape in one call.
        let sgemmBatchStrided: SGEMMBatchStrided?
        /// cblas_sgemm_batch (MKL): products at arbitrary addresses, one group of one shape.
        let sgemmBatch: SGEMMBatch?
    }

    /// Products of at least this many flops go to the backend's own threads; smaller ones (above
    /// `GEMM.parallelFlops`) are split across Kexue's threads, each a single-threaded call.
    /// Default: every product Kexue would parallelise. Measured on AVX-512, 2 cores, MKL 2020.4 with
    /// GNU OpenMP, the best value depends on the workload: at 100 MFLOP `bert-forward` batch 8 took
    /// 106 ms instead of 118, batch 1 20.4 ms instead of 15.5, the NVAE step was unchanged.
    /// `KEXUE_MKL_THREADED_FLOPS` sets it (a tuning aid; `kexue bench` shows the effect).
    static let threadedFlops: Int = {
        let name = "KEXUE_MKL_THREADED_FLOPS"
        guard let text = ProcessInfo.processInfo.environment[name] else { return GEMM.parallelFlops }
        guard let value = Int(text), value >= 0 else { fatalError("\(name)=\(text): expected a whole number of flops (≥ 0)") }
        return value
    }()

    /// Whether `GEMM.run` hands a large product to the backend's own threads.
    static var threadsInternally: Bool { active.setLocalThreads != nil }

    /// Runs `body` (one BLAS call) with the backend using `threads` threads; the setting is
    /// thread-local and restored afterwards, so calls from Kexue's workers stay single-threaded.
    @inline(__always)
    static func threadedCall(_ threads: Int, _ body: () -> Void) {
        guard let set = active.setLocalThreads else { body(); return }
        let previous = set(Int32(threads))
        body()
        _ = set(previous)
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
        return Kernels(backend: .openblas, sgemm: cblas_sgemm, dgemm: cblas_dgemm, config: config.hasPrefix("OpenBLAS") ? config : "OpenBLAS " + config,
                       setLocalThreads: nil, sgemmBatchStrided: nil, sgemmBatch: nil)
    }

    struct LoadError: Error, CustomStringConvertible { let description: String }

    static func loadMKL() -> Result<Kernels, LoadError> {
        let threading = ProcessInfo.processInfo.environment["KEXUE_MKL_THREADING"]?.lowercased() ?? "gnu"
        guard threading == "gnu" || threading == "sequential" else {
            // Not a reason to fall back to OpenBLAS quietly: the user asked for something we do not know.
            fatalError("KEXUE_MKL_THREADING=\(threading): expected gnu or sequential")
        }
        // MKL's GNU threading layer needs libgomp's symbols visible globally before it loads.
        // A short spin: an idle OpenMP worker waits ~10k iterations (tens of µs) for the next
        // product, then sleeps instead of spinning on a core that Kexue's own kernels need (the
        // reason OpenBLAS runs single-threaded). Fully passive waiting measured up to 2x slower on
        // back-to-back 256³ products (futex wake-ups); the default spin holds a core for ~ms.
        var threaded = false
        if threading == "gnu" {
            if ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == nil { setenv("GOMP_SPINCOUNT", "10000", 0) }
            threaded = dlopen("libgomp.so.1", RTLD_NOW | RTLD_GLOBAL) != nil
        }
        var handle: UnsafeMutableRawPointer?
        for name in ["libmkl_rt.so", "libmkl_rt.so.1", "libmkl_rt.so.2"] {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)   // local: its cblas_* must not shadow OpenBLAS's
            if handle != nil { break }
        }
        guard let handle else { return .failure(LoadError(description: "libmkl_rt.so not found")) }
        guard let s = dlsym(handle, "cblas_sgemm"), let d = dlsym(handle, "cblas_dgemm") else {
            return .failure(LoadError(description: "libmkl_rt.so has no cblas_sgemm/cblas_dgemm"))
        }
        // mkl_rt loads its threading layer from its own folder at the first product and cannot fall
        // back then: require libmkl_gnu_thread.so beside it now, else stay sequential.
        if threaded {
            // Where the loader found libmkl_rt.so: /proc/self/maps names every mapped file.
            let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
            let file = maps.split(separator: "\n").lazy.compactMap { line in
                line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init)
            }.first { ($0 as NSString).lastPathComponent.hasPrefix("libmkl_rt.so") }
            threaded = file.map {
                FileManager.default.fileExists(atPath: ($0 as NSString).deletingLastPathComponent + "/libmkl_gnu_thread.so")
            } ?? false
        }
        typealias SetLayer = @convention(c) (Int32) -> Int32
        typealias SetThreads = @convention(c) (Int32) -> Void
        typealias SetLocal = @convention(c) (Int32) -> Int32
        var setLocal: SetLocal?
        if threaded, let layer = dlsym(handle, "MKL_Set_Threading_Layer"), let global = dlsym(handle, "MKL_Set_Num_Threads"),
           let local = dlsym(handle, "MKL_Set_Num_Threads_Local") {
            _ = unsafeBitCast(layer, to: SetLayer.self)(3)         // MKL_THREADING_GNU
            unsafeBitCast(global, to: SetThreads.self)(1)          // one thread unless a call asks for more
            setLocal = unsafeBitCast(local, to: SetLocal.self)
        } else if let f = dlsym(handle, "MKL_Set_Threading_Layer") {
            _ = unsafeBitCast(f, to: SetLayer.self)(1)             // MKL_THREADING_SEQUENTIAL
        }
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
                                config: version + (setLocal != nil ? " (GNU OpenMP)" : " (sequential)"),
                                setLocalThreads: setLocal,
                                sgemmBatchStrided: setLocal == nil ? nil : dlsym(handle, "cblas_sgemm_batch_strided").map {
                                    unsafeBitCast($0, to: SGEMMBatchStrided.self) },
                                sgemmBatch: setLocal == nil ? nil : dlsym(handle, "cblas_sgemm_batch").map {
                                    unsafeBitCast($0, to: SGEMMBatch.self) }))
    }
}

