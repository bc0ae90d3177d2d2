import Foundation

/// Finds a dataset's IDX files on disk. It never downloads anything.
///
/// Search order, first match wins (a directory matches when it holds both the images and
/// the labels file of the split, each gzip-compressed or not):
/// 1. the explicit data directory (`--data-dir`), then its `<name>` subdirectory — and
///    nothing else: a directory given explicitly that lacks the files is an error, never a
///    silent fall-back to another copy;
/// 2. the directory in the environment variable `BRSGD_DATA_DIR`, then its `<name>`
///    subdirectory;
/// 3. the system directory `/usr/share/datasets/<name>` (Debian's `dataset-fashion-mnist`
///    package installs FashionMNIST in `/usr/share/datasets/fashion-mnist`);
/// 4. the user cache `~/.cache/brsgd/<name>` (`$XDG_CACHE_HOME/brsgd/<name>` when set).
///
/// Here `<name>` is `fashion-mnist` or `mnist`. If no directory matches, the error lists
/// every place searched and says how to get the data.
public struct DatasetLocator: Sendable {
    /// The environment variable naming a data directory.
    public static let environmentVariable = "BRSGD_DATA_DIR"

    /// The directory given explicitly (`--data-dir`), if any.
    public var dataDirectory: String?
    /// The environment the variable is read from.
    public var environment: [String: String]
    /// The parent of the system dataset directories (default `/usr/share/datasets`).
    public var systemRoot: String
    /// The parent of the per-user cache directories (default `~/.cache/brsgd`).
    public var cacheRoot: String?

    /// A locator. Every argument has the default a command-line tool wants; tests pass
    /// their own environment and roots to stay hermetic.
    public init(
        dataDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        systemRoot: String = "/usr/share/datasets",
        cacheRoot: String? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.systemRoot = systemRoot
        self.cacheRoot = cacheRoot ?? DatasetLocator.defaultCacheRoot(environment: environment)
    }

    /// `$XDG_CACHE_HOME/brsgd`, else `$HOME/.cache/brsgd`, else nil.
    static func defaultCacheRoot(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return join(xdg, "brsgd") }
        if let home = environment["HOME"], !home.isEmpty { return join(home, ".cache", "brsgd") }
        return nil
    }

    /// The directories searched for `name`, in order, each with where it came from.
    /// - Complexity: O(1); touches no file.
    public func searchPath(for name: DatasetName) -> [(directory: String, source: String)] {
        var path: [(String, String)] = []
        if let dir = dataDirectory, !dir.isEmpty {
            path.append((DatasetLocator.join(dir, name.directoryName), "--data-dir"))
            path.append((dir, "--data-dir"))
            return path
        }
        if let dir = environment[DatasetLocator.environmentVariable], !dir.isEmpty {
            path.append((DatasetLocator.join(dir, name.directoryName), DatasetLocator.environmentVariable))
            path.append((dir, DatasetLocator.environmentVariable))
        }
        path.append((DatasetLocator.join(systemRoot, name.directoryName), "system"))
        if let cache = cacheRoot {
            path.append((DatasetLocator.join(cache, name.directoryName), "user cache"))
        }
        return path
    }

    /// The images and labels files of `split`, from the first directory that holds both.
    /// - Throws: `DatasetError` `.datasetNotFound`, listing every directory searched and
    ///   how to get the data.
    public func locate(
        _ name: DatasetName, split: DatasetSplit
    ) throws(DatasetError) -> (images: String, labels: String) {
        let names = DatasetName.fileNames(for: split)
        let searched = searchPath(for: name)
        for (directory, _) in searched {
            if let images = DatasetLocator.existingFile(directory, names.images),
                let labels = DatasetLocator.existingFile(directory, names.labels)
            {
                return (images, labels)
            }
        }
        let places = searched.map { "  - \($0.directory) (\($0.source))" }.joined(separator: "\n")
        let target = cacheRoot.map { DatasetLocator.join($0, name.directoryName) }
            ?? DatasetLocator.join(systemRoot, name.directoryName)
        throw DatasetError(
            code: .datasetNotFound,
            message: """
                \(name.displayName) (\(split.rawValue) split) not found: no directory holds both \
                \(names.images) and \(names.labels) (or the same names without .gz). Searched:
                \(places)
                \(name.howToGet(into: target))
                """)
    }

    /// `directory/name` if it is a file, else `directory/name` without `.gz` if that is.
    static func existingFile(_ directory: String, _ gzName: String) -> String? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        for candidate in [gzName, String(gzName.dropLast(3))] {
            let path = join(directory, candidate)
            if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return path
            }
        }
        return nil
    }

    static func join(_ parts: String...) -> String {
        var result = parts[0]
        for part in parts.dropFirst() {
            if result.hasSuffix("/") { result += part } else { result += "/" + part }
        }
        return result
    }
}
