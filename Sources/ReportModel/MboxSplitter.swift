import Foundation

/// One message cut out of an mbox, numbered from 1 in mailbox order.
public struct MboxMessage: Sendable, Hashable {
    public var number: Int
    /// The message without its `From ` separator line, `>From ` quoting undone; empty when the
    /// message was over the size limit.
    public var bytes: Data
    /// The size of the message as stored, also when it was too large to keep.
    public var size: Int
    public var isTooLarge: Bool

    public init(number: Int, bytes: Data, size: Int, isTooLarge: Bool) {
        self.number = number
        self.bytes = bytes
        self.size = size
        self.isTooLarge = isTooLarge
    }
}

/// Cuts an mbox into messages as its bytes arrive, so a mailbox of any size is read with one
/// message in memory at a time.
///
/// A message starts at a line beginning `From ` that opens the file or follows an empty line
/// (mboxo, mboxrd and the usual writers all leave one). Body lines that began with `From ` were
/// written as `>From `; mboxrd also quotes `>From ` as `>>From `. One `>` is removed from every
/// line of the form `>…>From `, which undoes both (an mboxo line that really began with
/// `>From ` cannot be told apart, in any reader). CRLF and LF line ends are both kept as they
/// are.
public struct MboxSplitter: Sendable {
    public let maxMessageBytes: Int

    private var partialLine: [UInt8] = []
    private var current: [UInt8] = []
    private var currentSize = 0
    private var messageCount = 0
    private var inMessage = false
    private var previousLineWasEmpty = true
    private var atStart = true

    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Feeds the next bytes of the file; returns the messages they completed.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [MboxMessage] {
        var finished: [MboxMessage] = []
        let bytes = Array(chunk)
        var start = 0
        while start < bytes.count {
            guard let lineFeed = Self.lineFeed(in: bytes, from: start) else {
                partialLine.append(contentsOf: bytes[start...])
                break
            }
            if partialLine.isEmpty {
                takeLine(bytes[start...lineFeed], into: &finished)
            } else {
                partialLine.append(contentsOf: bytes[start...lineFeed])
                let line = partialLine
                partialLine.removeAll(keepingCapacity: true)
                takeLine(line[...], into: &finished)
            }
            start = lineFeed + 1
        }
        return finished
    }

    /// Ends the file; returns the last message, if any.
    public mutating func finish() -> [MboxMessage] {
        var finished: [MboxMessage] = []
        if !partialLine.isEmpty {
            let line = partialLine
            partialLine.removeAll()
            takeLine(line[...], into: &finished)
        }
        if inMessage { finished.append(closeMessage()) }
        return finished
    }

    /// Cuts a whole mbox held in memory.
    public static func split(_ data: Data, maxMessageBytes: Int) -> [MboxMessage] {
        var splitter = MboxSplitter(maxMessageBytes: maxMessageBytes)
        return splitter.feed(data) + splitter.finish()
    }

    private mutating func takeLine(_ line: ArraySlice<UInt8>, into finished: inout [MboxMessage]) {
        let content = Self.droppingLineEnd(line)
        if (atStart || previousLineWasEmpty) && content.starts(with: Self.separator) {
            if inMessage { finished.append(closeMessage()) }
            inMessage = true
            messageCount += 1
            atStart = false
            previousLineWasEmpty = false
            return
        }
        atStart = false
        previousLineWasEmpty = content.isEmpty
        // Text before the first separator belongs to no message (the kind check makes the file
        // start with one, so this is only ever reached by bytes fed after a bad start).
        guard inMessage else { return }
        let unquoted = Self.isQuotedFromLine(content) ? line.dropFirst() : line
        currentSize += unquoted.count
        if currentSize <= maxMessageBytes {
            current.append(contentsOf: unquoted)
        } else if !current.isEmpty {
            current = []
        }
    }

    private mutating func closeMessage() -> MboxMessage {
        let tooLarge = currentSize > maxMessageBytes
        let message = MboxMessage(
            number: messageCount, bytes: tooLarge ? Data() : Data(current), size: currentSize, isTooLarge: tooLarge)
        current.removeAll(keepingCapacity: !tooLarge)
        currentSize = 0
        inMessage = false
        return message
    }

    private static let separator = Array("From ".utf8)

    /// `>From `, `>>From `, ...
    private static func isQuotedFromLine(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.first == UInt8(ascii: ">") else { return false }
        return line.drop { $0 == UInt8(ascii: ">") }.starts(with: separator)
    }

    private static func droppingLineEnd(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var content = line
        if content.last == 0x0A { content = content.dropLast() }
        if content.last == 0x0D { content = content.dropLast() }
        return content
    }

    private static func lineFeed(in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, start < buffer.count,
                  let hit = memchr(base + start, 0x0A, buffer.count - start)
            else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }
}
