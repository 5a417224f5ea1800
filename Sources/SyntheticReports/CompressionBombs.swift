import Foundation
import SystemZlib

/// Writes gzip and zip files that are small on disk and expand to gigabytes of zeros, without
/// ever holding the expanded bytes: one mebibyte of zeros is deflated once with a full flush
/// (which resets the compressor's history, so the piece stands alone), and that piece is
/// repeated; the CRC-32 of the whole is combined from the piece's.
public enum CompressionBombs {
    static let pieceSize = 1 << 20

    /// A raw deflate stream of `mebibytes` MiB of zeros and its CRC-32.
    static func zerosDeflated(mebibytes: Int) -> (deflated: Data, crc32: UInt32, size: Int) {
        let piece = fullFlushPiece()
        var deflated = Data(capacity: piece.count * mebibytes + 2)
        for _ in 0..<mebibytes { deflated.append(piece) }
        deflated.append(contentsOf: [0x03, 0x00])  // a final, empty block with fixed codes
        let zeros = [UInt8](repeating: 0, count: pieceSize)
        let pieceCRC = zeros.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        var crc: uLong = crc32(0, nil, 0)
        for _ in 0..<mebibytes { crc = crc32_combine(crc, pieceCRC, off_t(pieceSize)) }
        return (deflated, UInt32(truncatingIfNeeded: crc), mebibytes * pieceSize)
    }

    /// A gzip file of `mebibytes` MiB of zeros.
    public static func gzip(mebibytes: Int) -> Data {
        let (deflated, crc, size) = zerosDeflated(mebibytes: mebibytes)
        var out = Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])
        out.append(deflated)
        out.appendLittleEndian(crc)
        out.appendLittleEndian(UInt32(truncatingIfNeeded: size))
        return out
    }

    /// One MiB of zeros through raw deflate, ended by a full flush (byte-aligned, no history).
    private static func fullFlushPiece() -> Data {
        var stream = z_stream()
        guard deflateInit2_(&stream, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return Data() }
        defer { deflateEnd(&stream) }
        var input = [UInt8](repeating: 0, count: pieceSize)
        var output = [UInt8](repeating: 0, count: pieceSize)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                _ = deflate(&stream, Z_FULL_FLUSH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Data(output[0..<produced])
    }
}

/// A zip archive (PKWARE APPNOTE, no ZIP64) whose entries may carry any name, including
/// `../../etc/passwd` or an absolute path, and may share one stored body: central directory
/// entries that all point at the same local entry make an archive whose entries each expand
/// to the full size while the file holds the data once.
public struct HostileZip {
    public struct Entry {
        public var name: String
        var deflated: Data
        var crc32: UInt32
        var size: Int
        /// Central directory entries that point at this entry's data, under these names.
        var aliases: [String] = []
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// An entry holding `contents`, compressed.
    public mutating func add(_ name: String, _ contents: Data) {
        let member = (try? GzipMember(ReportPackager.gzip(contents)))
        entries.append(Entry(name: name, deflated: member?.deflated ?? Data(), crc32: member?.crc32 ?? 0, size: contents.count))
    }

    /// An entry of `mebibytes` MiB of zeros, listed `aliases.count` more times under other names.
    public mutating func addZeros(_ name: String, mebibytes: Int, aliases: [String] = []) {
        let (deflated, crc, size) = CompressionBombs.zerosDeflated(mebibytes: mebibytes)
        entries.append(Entry(name: name, deflated: deflated, crc32: crc, size: size, aliases: aliases))
    }

    public func bytes() -> Data {
        var out = Data()
        var central = Data()
        var centralCount = 0
        for entry in entries {
            let offset = UInt32(out.count)
            let name = Array(entry.name.utf8)
            out.appendLittleEndian(UInt32(0x0403_4B50))
            for field: UInt16 in [20, 0x0800, 8, 0, 0x21] { out.appendLittleEndian(field) }  // UTF-8 name, deflate, 1980-01-01
            out.appendLittleEndian(entry.crc32)
            out.appendLittleEndian(UInt32(entry.deflated.count))
            out.appendLittleEndian(UInt32(truncatingIfNeeded: entry.size))
            out.appendLittleEndian(UInt16(name.count))
            out.appendLittleEndian(UInt16(0))
            out.append(contentsOf: name)
            out.append(entry.deflated)
            for listed in [entry.name] + entry.aliases {
                let listedName = Array(listed.utf8)
                central.appendLittleEndian(UInt32(0x0201_4B50))
                for field: UInt16 in [3 << 8 | 20, 20, 0x0800, 8, 0, 0x21] { central.appendLittleEndian(field) }
                central.appendLittleEndian(entry.crc32)
                central.appendLittleEndian(UInt32(entry.deflated.count))
                central.appendLittleEndian(UInt32(truncatingIfNeeded: entry.size))
                central.appendLittleEndian(UInt16(listedName.count))
                for _ in 0..<4 { central.appendLittleEndian(UInt16(0)) }
                central.appendLittleEndian(UInt32(0o100644) << 16)
                central.appendLittleEndian(offset)
                central.append(contentsOf: listedName)
                centralCount += 1
            }
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.appendLittleEndian(UInt32(0x0605_4B50))
        for field: UInt16 in [0, 0, UInt16(centralCount), UInt16(centralCount)] { out.appendLittleEndian(field) }
        out.appendLittleEndian(UInt32(central.count))
        out.appendLittleEndian(centralOffset)
        out.appendLittleEndian(UInt16(0))
        return out
    }
}

extension Data {
    mutating func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
