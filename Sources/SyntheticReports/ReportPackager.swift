import Foundation
import ReportModel

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
        _ xml: Data, as kind: SyntheticFileKind, entryName: String, modificationTime: Int64
    ) throws -> Data {
        switch kind {
        case .xml: return xml
        case .gzip: return try gzip(xml)
        case .gzipInGzip: return try gzip(gzip(xml))
        case .zip: return try zip(xml, entryName: entryName, modificationTime: modificationTime)
        }
    }

    /// zlib writes no file name and a zero time stamp; only the OS byte differs by platform,
    /// so it is set to Unix (3) everywhere.
    static func gzip(_ data: Data) throws -> Data {
        var compressed = Inflater.gzip(data)
        guard compressed.count >= GzipMember.headerSize + GzipMember.trailerSize else {
            throw PackagingError(description: "gzip compression failed")
        }
        compressed[compressed.startIndex + 9] = 3
        return compressed
    }

    static func zip(_ data: Data, entryName: String, modificationTime: Int64) throws -> Data {
        let member = try GzipMember(gzip(data))
        return try SingleEntryZip(
            name: entryName, deflated: member.deflated, crc32: member.crc32,
            uncompressedSize: data.count, modificationTime: modificationTime
        ).bytes()
    }
}

/// The parts of a zlib-written gzip member: the raw deflate stream and its CRC-32, which are
/// exactly what a zip entry stores.
struct GzipMember {
    static let headerSize = 10
    static let trailerSize = 8

    let deflated: Data
    let crc32: UInt32

    init(_ gzip: Data) throws {
        let bytes = [UInt8](gzip)
        // zlib's header has no optional fields (FLG = 0), so the deflate stream starts at byte 10.
        guard bytes.count >= Self.headerSize + Self.trailerSize, bytes[0] == 0x1F, bytes[1] == 0x8B,
              bytes[2] == 8, bytes[3] == 0
        else { throw PackagingError(description: "unexpected gzip header") }
        let trailer = bytes.count - Self.trailerSize
        deflated = Data(bytes[Self.headerSize..<trailer])
        crc32 = (0..<4).reduce(0) { $0 | UInt32(bytes[trailer + $1]) << (8 * UInt32($1)) }
    }
}

/// A zip archive with one deflated entry (PKWARE APPNOTE 4.3), written by hand so the bytes
/// depend on the input alone: ZIPFoundation converts the entry date with `gmtime`, whose shared
/// buffer other threads overwrite, which made archives differ from run to run.
struct SingleEntryZip {
    let name: String
    let deflated: Data
    let crc32: UInt32
    let uncompressedSize: Int
    /// Seconds since 1970, UTC; stored as an MS-DOS date and time (2-second steps).
    let modificationTime: Int64

    func bytes() throws -> Data {
        let nameBytes = Array(name.utf8)
        guard deflated.count < UInt32.max, uncompressedSize < UInt32.max, nameBytes.count < UInt16.max else {
            throw PackagingError(description: "the entry is too large for a zip archive without ZIP64")
        }
        let (dosTime, dosDate) = Self.dosDateTime(modificationTime)
        // Bit 11: the name is UTF-8.
        let flags: UInt16 = nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
        let deflate: UInt16 = 8
        let versionNeeded: UInt16 = 20
        let versionMadeBy: UInt16 = 3 << 8 | 20  // Unix, APPNOTE 2.0

        var out = Data()
        out.reserveCapacity(deflated.count + 2 * nameBytes.count + 100)
        out.appendLittleEndian(UInt32(0x0403_4B50))  // local file header
        for field in [versionNeeded, flags, deflate, dosTime, dosDate] { out.appendLittleEndian(field) }
        out.appendLittleEndian(crc32)
        out.appendLittleEndian(UInt32(deflated.count))
        out.appendLittleEndian(UInt32(uncompressedSize))
        out.appendLittleEndian(UInt16(nameBytes.count))
        out.appendLittleEndian(UInt16(0))  // extra field length
        out.append(contentsOf: nameBytes)
        out.append(deflated)

        let centralDirectoryOffset = out.count
        out.appendLittleEndian(UInt32(0x0201_4B50))  // central directory header
        for field in [versionMadeBy, versionNeeded, flags, deflate, dosTime, dosDate] { out.appendLittleEndian(field) }
        out.appendLittleEndian(crc32)
        out.appendLittleEndian(UInt32(deflated.count))
        out.appendLittleEndian(UInt32(uncompressedSize))
        out.appendLittleEndian(UInt16(nameBytes.count))
        for _ in 0..<4 { out.appendLittleEndian(UInt16(0)) }  // extra, comment, disk, internal attributes
        out.appendLittleEndian(UInt32(0o100644) << 16)  // external attributes: a regular file, rw-r--r--
        out.appendLittleEndian(UInt32(0))  // offset of the local header
        out.append(contentsOf: nameBytes)
        let centralDirectorySize = out.count - centralDirectoryOffset

        out.appendLittleEndian(UInt32(0x0605_4B50))  // end of central directory
        for field: UInt16 in [0, 0, 1, 1] { out.appendLittleEndian(field) }  // disks, entries here, entries
        out.appendLittleEndian(UInt32(centralDirectorySize))
        out.appendLittleEndian(UInt32(centralDirectoryOffset))
        out.appendLittleEndian(UInt16(0))  // comment length
        return out
    }

    /// MS-DOS time (hour, minute, second / 2) and date (year - 1980, month, day), UTC.
    static func dosDateTime(_ unixTime: Int64) -> (time: UInt16, date: UInt16) {
        let days = Int(unixTime >= 0 ? unixTime / 86_400 : (unixTime - 86_399) / 86_400)
        let seconds = Int(unixTime - Int64(days) * 86_400)
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        let dosYear = min(max(year, 1_980), 2_107) - 1_980
        let time = (seconds / 3_600) << 11 | (seconds / 60 % 60) << 5 | (seconds % 60) / 2
        return (UInt16(time), UInt16(dosYear << 9 | month << 5 | day))
    }
}
