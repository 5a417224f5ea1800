/// A 64-bit number standing for a long text in an index (a content hash of 64 hex digits, a
/// transcription key): an index of numbers is a fraction of the size of one of the texts, and
/// new rows land at random places in it, so each batch rewrites far fewer of its pages.
/// Different texts may share a number: a lookup compares the text in the row as well.
package enum LookupKey {
    /// FNV-1a over the text's UTF-8 bytes up to its first NUL, where SQLite's copy ends (text
    /// is bound as a C string): the number of a stored text and of the same text looked up agree.
    package static func of(_ text: String) -> Int64 {
        var text = text
        return text.withUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                if byte == 0 { break }
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            return Int64(bitPattern: hash)
        }
    }
}
