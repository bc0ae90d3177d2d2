import Foundation

/// The machine a run was measured on, so timings can be read in context.
public struct HostInfo: Codable, Sendable, Equatable, Hashable {
    /// Active processor cores.
    public var cores: Int
    /// Operating system description, for example `Linux 6.1 …`; `nil` when unknown.
    public var operatingSystem: String?

    /// Creates host information.
    public init(cores: Int, operatingSystem: String? = nil) {
        self.cores = cores
        self.operatingSystem = operatingSystem
    }

    /// The machine this process runs on.
    public static var current: HostInfo {
        let info = ProcessInfo.processInfo
        return HostInfo(cores: info.activeProcessorCount, operatingSystem: info.operatingSystemVersionString)
    }

    enum CodingKeys: String, CodingKey {
        case cores
        case operatingSystem = "operating_system"
    }
}
