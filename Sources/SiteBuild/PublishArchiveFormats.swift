import Foundation
import ReportModel

/// One entry of a site archive: a file (with its bytes) or a folder (path ending in `/`).
struct ArchiveEntry {
    var path: String
    var data: Data?

    var isFolder: Bool { data == nil }

    /// Folders first where they are parents, then everything in byte order of the path.
    static func entries(for paths: [String], read: (String) throws(PublishError) -> Data) throws(PublishError) -> [ArchiveEntry] {
        var folders = Set<String>()
        for path in paths {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                folders.insert(parts.joined(separator: "/") + "/")
                parts = parts.dropLast()
            }
        }
        var entries = folders.map { ArchiveEntry(path: $0, data: nil) }
        for path in paths { entries.append(ArchiveEntry(path: path, data: try read(path))) }
        return entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    }

    /// Every entry gets this time: 1980-01-01T00:00:00Z, the earliest a zip can hold.
    static let modificationTime: Int64 = 315_532_800
}

/// A POSIX ustar archive (with a pax `path` record for long names), owner 0:0, fixed times and
/// modes: the same entries always give the same bytes.
enum TarArchive {
    private static let block = 512

    static func bytes(_ entries: [ArchiveEntry]) -> Data {
        var out = Data()
        for entry in entries {
            let size = entry.data?.count ?? 0
            let (name, prefix) = split(entry.path)
            let fallbackName = String(decoding: Array(entry.path.utf8.suffix(99)), as: UTF8.self)
            if name == nil {
                let pax = Data(paxRecord("path", entry.path).utf8)
                out.append(header(name: "PaxHeader", prefix: "", size: pax.count, type: "x", mode: 0o644))
                append(pax, to: &out)
            }
            out.append(header(name: name ?? fallbackName, prefix: prefix, size: size,
                              type: entry.isFolder ? "5" : "0", mode: entry.isFolder ? 0o755 : 0o644))
            if let data = entry.data { append(data, to: &out) }
        }
        out.append(Data(count: 2 * block))
        return out
    }

    /// `"<length> key=value\n"`, where the length counts the whole record, its own digits too.
    private static func paxRecord(_ key: String, _ value: String) -> String {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count != length { length = String(length).utf8.count + body.utf8.count }
        return String(length) + body
    }

    /// Fits a path into ustar's name (100 bytes) and prefix (155) at a `/`; name nil: needs pax.
    private static func split(_ path: String) -> (name: String?, prefix: String) {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return (path, "") }
        for index in bytes.indices where bytes[index] == UInt8(ascii: "/") && index <= 155 && bytes.count - index - 1 <= 100 && index < bytes.count - 1 {
            return (String(decoding: bytes[(index + 1)...], as: UTF8.self), String(decoding: bytes[..<index], as: UTF8.self))
        }
        return (nil, "")
    }

    private static func header(name: String, prefix: String, size: Int, type: Character, mode: Int) -> Data {
        var header = [UInt8](repeating: 0, count: block)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)  // uid
        octal(0, at: 116, width: 8)  // gid
        octal(size, at: 124, width: 12)
        octal(Int(ArchiveEntry.modificationTime), at: 136, width: 12)
        put(String(type), at: 156, width: 1)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put(prefix, at: 345, width: 155)
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let checksum = header.reduce(0) { $0 + Int($1) }
        octal(checksum, at: 148, width: 7)
        header[155] = UInt8(ascii: " ")
        return Data(header)
    }

    private static func append(_ data: Data, to out: inout Data) {
        out.append(data)
        let remainder = data.count % block
        if remainder != 0 { out.append(Data(count: block - remainder)) }
    }

    /// The files of an archive this type wrote (nil when the bytes are not such an archive).
    static func files(in data: Data) -> [String: Data]? {
        let bytes = [UInt8](data)
        var files: [String: Data] = [:]
        var offset = 0
        var paxPath: String?
        while offset + block <= bytes.count {
            let header = bytes[offset..<(offset + block)]
            if header.allSatisfy({ $0 == 0 }) { return files }
            func text(_ start: Int, _ width: Int) -> String {
                let field = header[(offset + start)..<(offset + start + width)]
                return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let size = Int(text(124, 12).trimmingCharacters(in: .whitespaces), radix: 8) else { return nil }
            let type = header[offset + 156]
            let body = offset + block
            guard body + size <= bytes.count else { return nil }
            let content = Data(bytes[body..<(body + size)])
            let prefix = text(345, 155)
            let name = prefix.isEmpty ? text(0, 100) : prefix + "/" + text(0, 100)
            switch type {
            case UInt8(ascii: "x"):
                paxPath = String(decoding: content, as: UTF8.self).split(separator: "\n")
                    .compactMap { $0.split(separator: " ", maxSplits: 1).last }
                    .first { $0.hasPrefix("path=") }.map { String($0.dropFirst(5)) }
            case UInt8(ascii: "0"), 0:
                files[paxPath ?? name] = content
                paxPath = nil
            default:
                paxPath = nil
            }
            offset = body + (size + block - 1) / block * block
        }
        return nil
    }
}

/// A zip archive (PKWARE APPNOTE 4.3, no ZIP64) with deflated files, fixed times and modes.
enum ZipArchive {
    struct Listing {
        var size: Int64
        var crc32: UInt32
        var fingerprint: String { String(format: "crc32:%08x", crc32) }
    }

    static func bytes(_ entries: [ArchiveEntry]) throws(PublishError) -> (data: Data, listing: [String: Listing]) {
        guard entries.count < Int(UInt16.max) else {
            throw PublishError(step: .archive, subject: "zip", reason: "more than 65,534 entries need ZIP64; use .tar.gz")
        }
        var out = Data()
        var central = Data()
        var listing: [String: Listing] = [:]
        let dosTime: UInt16 = 0
        let dosDate: UInt16 = 1 << 5 | 1  // 1980-01-01
        for entry in entries {
            let name = Array(entry.path.utf8)
            var method: UInt16 = 0
            var stored = Data()
            var crc: UInt32 = 0
            if let data = entry.data {
                let member = try deflated(data, path: entry.path)
                method = 8
                stored = member.deflated
                crc = member.crc32
                listing[entry.path] = Listing(size: Int64(data.count), crc32: crc)
            }
            let size = entry.data?.count ?? 0
            guard out.count < Int(UInt32.max), stored.count < Int(UInt32.max), size < Int(UInt32.max) else {
                throw PublishError(step: .archive, subject: entry.path, reason: "larger than 4 GiB; zip without ZIP64 cannot hold it, use .tar.gz")
            }
            let flags: UInt16 = name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800  // bit 11: UTF-8 name
            let localOffset = UInt32(out.count)
            out.appendLittleEndian(UInt32(0x0403_4B50))
            for field in [UInt16(20), flags, method, dosTime, dosDate] { out.appendLittleEndian(field) }
            for field in [crc, UInt32(stored.count), UInt32(size)] { out.appendLittleEndian(field) }
            out.appendLittleEndian(UInt16(name.count))
            out.appendLittleEndian(UInt16(0))
            out.append(contentsOf: name)
            out.append(stored)

            central.appendLittleEndian(UInt32(0x0201_4B50))
            for field in [UInt16(3 << 8 | 20), UInt16(20), flags, method, dosTime, dosDate] { central.appendLittleEndian(field) }
            for field in [crc, UInt32(stored.count), UInt32(size)] { central.appendLittleEndian(field) }
            central.appendLittleEndian(UInt16(name.count))
            for _ in 0..<4 { central.appendLittleEndian(UInt16(0)) }  // extra, comment, disk, internal attributes
            central.appendLittleEndian(entry.isFolder ? UInt32(0o40755) << 16 | 0x10 : UInt32(0o100644) << 16)
            central.appendLittleEndian(localOffset)
            central.append(contentsOf: name)
        }
        let centralOffset = out.count
        out.append(central)
        out.appendLittleEndian(UInt32(0x0605_4B50))
        for field in [UInt16(0), UInt16(0), UInt16(entries.count), UInt16(entries.count)] { out.appendLittleEndian(field) }
        out.appendLittleEndian(UInt32(central.count))
        out.appendLittleEndian(UInt32(centralOffset))
        out.appendLittleEndian(UInt16(0))
        return (out, listing)
    }

    /// The raw deflate stream and CRC-32 of zlib's gzip output, which are what a zip entry holds.
    private static func deflated(_ data: Data, path: String) throws(PublishError) -> (deflated: Data, crc32: UInt32) {
        let gzip = [UInt8](Inflater.gzip(data, level: 9))
        // zlib writes a 10-byte header without optional fields and an 8-byte trailer.
        guard gzip.count >= 18, gzip[0] == 0x1F, gzip[1] == 0x8B, gzip[3] == 0 else {
            throw PublishError(step: .archive, subject: path, reason: "compression failed")
        }
        let trailer = gzip.count - 8
        let crc = (0..<4).reduce(UInt32(0)) { $0 | UInt32(gzip[trailer + $1]) << (8 * UInt32($1)) }
        return (Data(gzip[10..<trailer]), crc)
    }

    /// The files listed in a zip's central directory (nil when the bytes are not a zip).
    static func listing(in data: Data) -> [String: Listing]? {
        let bytes = [UInt8](data)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 22 else { return nil }
        let lowest = max(0, bytes.count - 22 - 65_535)
        guard let end = stride(from: bytes.count - 22, through: lowest, by: -1).first(where: { u32($0) == 0x0605_4B50 }) else { return nil }
        var offset = u32(end + 16)
        var listing: [String: Listing] = [:]
        for _ in 0..<u16(end + 10) {
            guard offset + 46 <= bytes.count, u32(offset) == 0x0201_4B50 else { return nil }
            let nameLength = u16(offset + 28)
            let skip = 46 + nameLength + u16(offset + 30) + u16(offset + 32)
            guard offset + skip <= bytes.count else { return nil }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            if !name.hasSuffix("/") {
                listing[name] = Listing(size: Int64(u32(offset + 24)), crc32: UInt32(u32(offset + 16)))
            }
            offset += skip
        }
        return listing
    }
}

extension Data {
    fileprivate mutating func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
