import Foundation

/// Checks, before ZIPFoundation reads an archive, that every entry's data lies inside it.
/// ZIPFoundation loops forever when an entry's data runs past the end of the file (a short read
/// never advances its position) and traps when an offset points past the end of an in-memory
/// archive; both were found by fuzzing. ZIP64 values are not followed: reports are small.
enum ZipBounds {
    /// Where one central directory entry's data lies, in directory order.
    struct EntryData {
        var method: Int
        var range: Range<Int>
    }

    /// Why the archive cannot be read safely, or nil when every entry is in bounds.
    static func problem(in data: Data) -> String? {
        if case .failure(let reason) = entries(in: data) { return reason.text }
        return nil
    }

    struct Reason: Error { var text: String }

    /// Every entry's data range, or why the archive cannot be read safely. An archive without
    /// an end record gives no entries (ZIPFoundation refuses it with its own error).
    static func entries(in data: Data) -> Result<[EntryData], Reason> {
        switch scan(data) {
        case .some(let reason as String): return .failure(Reason(text: reason))
        case .some(let entries as [EntryData]): return .success(entries)
        default: return .success([])
        }
    }

    private static func scan(_ data: Data) -> Any? {
        let bytes = [UInt8](data)
        let count = bytes.count
        func u16(_ at: Int) -> Int? { at >= 0 && at + 2 <= count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : nil }
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= count else { return nil }
            return (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
        }
        // The end of central directory record, searched from the end as readers do.
        let earliest = max(0, count - 22 - 65_535)
        var end: Int?
        var index = count - 22
        while index >= earliest {
            if u32(index) == 0x0605_4B50 { end = index; break }
            index -= 1
        }
        guard let end, let entries = u16(end + 10), let directorySize = u32(end + 12), let directoryOffset = u32(end + 16) else {
            return nil
        }
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            return "a ZIP64 archive; report archives are small, so these are not read"
        }
        guard directoryOffset + directorySize <= count else {
            return "the central directory lies beyond the end of the archive (truncated or crafted)"
        }
        var position = directoryOffset
        var found: [EntryData] = []
        for number in 1...max(entries, 1) where entries > 0 {
            guard u32(position) == 0x0201_4B50, let compressed = u32(position + 20), let uncompressed = u32(position + 24),
                  let nameLength = u16(position + 28), let extraLength = u16(position + 30), let commentLength = u16(position + 32),
                  let localOffset = u32(position + 42)
            else { return "central directory entry \(number) is malformed" }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                return "a ZIP64 archive; report archives are small, so these are not read"
            }
            guard u32(localOffset) == 0x0403_4B50, let localName = u16(localOffset + 26), let localExtra = u16(localOffset + 28) else {
                return "entry \(number) points at no local header (truncated or crafted)"
            }
            let dataStart = localOffset + 30 + localName + localExtra
            // A stored entry is read by its uncompressed size, a deflated one by its compressed size.
            let method = u16(localOffset + 8) ?? 0
            guard dataStart + max(compressed, method == 0 || u16(position + 10) == 0 ? uncompressed : 0) <= count else {
                return "entry \(number)'s data runs past the end of the archive (truncated or crafted)"
            }
            found.append(EntryData(method: method, range: dataStart..<(dataStart + compressed)))
            position += 46 + nameLength + extraLength + commentLength
        }
        return found
    }
}
