/// The version of brsgd written into run records and printed by `brsgd --version`.
public enum BrSGDVersion {
    public static let string = "0.1.0"
}
