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
    /// Largest total expansion of one input file: all its archive entries and compressed
    /// members together, at every nesting level, counting output refused as too large.
    public var maxArchiveBytes: Int
    /// Most entries looked at in one zip archive.
    public var maxArchiveEntries: Int
    /// How deep containers may nest (gzip in zip in gzip ...).
    public var maxNesting: Int
    /// Most XML elements open at once.
    public var maxElementDepth: Int
    /// Most DMARC messages and TLS sessions all the unique reports of one build may count
    /// together. Each record is bounded already; this bound keeps every sum of them, and the
    /// percentages computed from them, far from integer overflow however many files there are.
    public var maxTotalCount: Int

    public init(
        maxFileBytes: Int = 64 << 20, maxExpandedBytes: Int = 64 << 20,
        maxArchiveBytes: Int = 256 << 20, maxArchiveEntries: Int = 1_000, maxNesting: Int = 4,
        maxElementDepth: Int = 32, maxExportBytes: Int = 16 << 30, maxTotalCount: Int = 1_000_000_000_000_000
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxExportBytes = maxExportBytes
        self.maxExpandedBytes = maxExpandedBytes
        self.maxArchiveBytes = maxArchiveBytes
        self.maxArchiveEntries = maxArchiveEntries
        self.maxNesting = maxNesting
        self.maxElementDepth = maxElementDepth
        self.maxTotalCount = maxTotalCount
    }

    public static let standard = InputLimits()
}
