// `Workspace(kernelPath:)` takes a `KernelPath`: users of NeuralEngine get the type with it.
@_exported import KernelPaths
