import CBLAS

/// The BLAS backend: OpenBLAS through its CBLAS interface.
public enum BLAS {
    /// Number of threads OpenBLAS uses for one call. Set once by `Runtime.threads`;
    /// when Kexue parallelises over an outer dimension itself, it sets this to 1 for that span.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// OpenBLAS's build string (version, kernel, thread model), for benchmark `env` records.
    public static var config: String {
        guard let c = openblas_get_config() else { return "openblas" }
        return String(cString: c)
    }
}
