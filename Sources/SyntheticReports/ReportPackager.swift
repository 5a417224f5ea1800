import Foundation
import ReportModel
import ZIPFoundation

/// How a report file is packed.
public enum SyntheticFileKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Plain XML, `.xml`.
    case xml
    /// gzip, `.xml.gz`.
    case gzip
    /// A zip archive holding one XML entry, `.zip`.
    case zip
    /// A gzip stream whose content is another gzip stream (a reporter quirk), `.xml.gz`.
    case gzipInGzip

    var fileExtension: String {
        switch self {
        case .xml: ".xml"
        case .gzip, .gzipInGzip: ".xml.gz"
        case .zip: ".zip"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.order < rhs.order }

    private var order: Int {
        switch self {
        case .xml: 0
        case .gzip: 1
        case .zip: 2
        case .gzipInGzip: 3
        }
    }
}

public struct PackagingError: Error, CustomStringConvertible {
    public var description: String
}

/// Packs XML bytes into the file a reporter would attach, byte-for-byte reproducibly.
enum ReportPackager {
    static func package(
        _ xml: Data, as kind: SyntheticFileKind, entryName: String, modificationDate: Date
    ) throws -> Data {
        switch kind {
        case .xml: return xml
        case .gzip: return try gzip(xml)
        case .gzipInGzip: return try gzip(gzip(xml))
        case .zip: return try zip(xml, entryName: entryName, modificationDate: modificationDate)
        }
    }

    /// zlib writes no file name and a zero time stamp; only the OS byte differs by platform,
    /// so it is set to Unix (3) everywhere.
    static func gzip(_ data: Data) throws -> Data {
        var compressed = Inflater.gzip(data)
        guard compressed.count >= 18 else { throw PackagingError(description: "gzip compression failed") }
        compressed[compressed.startIndex + 9] = 3
        return compressed
    }

    /// The entry's modification date is fixed by the caller; ZIPFoundation would otherwise use now.
    static func zip(_ data: Data, entryName: String, modificationDate: Date) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        try archive.addEntry(
            with: entryName, type: .file, uncompressedSize: Int64(data.count),
            modificationDate: modificationDate, permissions: 0o644, compressionMethod: .deflate
        ) { position, size in
            let start = data.startIndex + Int(position)
            return data.subdata(in: start..<min(start + size, data.endIndex))
        }
        guard let bytes = archive.data else { throw PackagingError(description: "the zip archive has no data") }
        return bytes
    }
}
