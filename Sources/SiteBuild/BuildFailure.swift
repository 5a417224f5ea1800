/// A named step of the build or of publishing that could not finish for one subject (a file,
/// a client, a folder, a publish target).
public struct BuildFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Step: String, Sendable, Hashable {
        case config, theme, ingest, aggregate, render, write
        case source = "publish source", dir = "publish dir", rsync = "publish rsync"
        case archive = "publish archive", rollback = "publish rollback"
    }

    public var step: Step
    public var subject: String
    public var reason: String

    public init(step: Step, subject: String, reason: String) {
        self.step = step
        self.subject = subject
        self.reason = reason
    }

    public var description: String { "[\(step.rawValue)] \(subject): \(reason)" }
}
