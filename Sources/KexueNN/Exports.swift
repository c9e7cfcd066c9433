// Code that uses layers uses tensors too: re-export the core so `import KexueNN` is enough.
@_exported import Kexue
