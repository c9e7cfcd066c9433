// `import KexueVision` brings the layers and the core with it.
@_exported import KexueNN
