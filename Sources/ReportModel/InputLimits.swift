/// Bounds that keep a hostile or broken input from exhausting memory or time.
public struct InputLimits: Sendable, Hashable {
    /// Largest file read from disk, and largest message inside an mbox.
    public var maxFileBytes: Int
    /// Largest export file: an mbox, or parsedmarc's output. An mbox is read message by
    /// message and parsedmarc's output report by report from a memory-mapped file, so only one
    /// message or report (at most `maxFileBytes`) is held in memory at a time.
    public var maxExportBytes: Int
    /// Largest payload produced by decompressing one member (gzip, zlib or zip entry).
    public var maxExpandedBytes: Int
    /// Largest total expansion of one archive, all entries together.
    public var maxArchiveBytes: Int
    /// Most entries looked at in one zip archive.
    public var maxArchiveEntries: Int
    /// How deep containers may nest (gzip in zip in gzip ...).
    public var maxNesting: Int
    /// Most XML elements open at once.
    public var maxElementDepth: Int

    public init(
        maxFileBytes: Int = 64 << 20, maxExpandedBytes: Int = 64 << 20,
        maxArchiveBytes: Int = 256 << 20, maxArchiveEntries: Int = 1_000, maxNesting: Int = 4,
        maxElementDepth: Int = 32, maxExportBytes: Int = 16 << 30
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxExportBytes = maxExportBytes
        self.maxExpandedBytes = maxExpandedBytes
        self.maxArchiveBytes = maxArchiveBytes
        self.maxArchiveEntries = maxArchiveEntries
        self.maxNesting = maxNesting
        self.maxElementDepth = maxElementDepth
    }

    public static let standard = InputLimits()
}
