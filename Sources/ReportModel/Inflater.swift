import Foundation
import SystemZlib

/// Decompresses gzip and zlib streams with a hard bound on the output size.
public enum Inflater {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge(limit: Int)
        case corrupt(String)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "expands beyond the \(limit / (1 << 20)) MiB limit"
            case .corrupt(let why): "corrupt compressed data (\(why))"
            }
        }
    }

    /// Inflates every gzip member in `data` (a gzip file may hold several) or one zlib stream.
    /// Bytes after the last member that do not start another member are ignored: reporters
    /// such as Mimecast append a stray CRLF.
    public static func inflate(_ data: Data, limit: Int) throws(Failure) -> Data {
        var output = Data()
        var offset = 0
        repeat {
            let consumed = try inflateMember(data, from: offset, into: &output, limit: limit)
            offset += consumed
        } while offset + 1 < data.count && data[data.startIndex + offset] == 0x1F
            && data[data.startIndex + offset + 1] == 0x8B
        return output
    }

    /// Inflates a raw deflate stream (a zip entry's data).
    public static func inflateRaw(_ data: Data, limit: Int) throws(Failure) -> Data {
        var output = Data()
        _ = try inflateMember(data, from: 0, into: &output, limit: limit, windowBits: -MAX_WBITS)
        return output
    }

    /// Inflates one member starting at `offset`; returns the number of input bytes it used.
    /// The default window bits, MAX_WBITS + 32, let zlib detect a gzip or a zlib header by itself.
    private static func inflateMember(
        _ data: Data, from offset: Int, into output: inout Data, limit: Int, windowBits: Int32 = MAX_WBITS + 32
    ) throws(Failure) -> Int {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw .corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }

        let chunkSize = 64 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let inputCount = data.count - offset
        var status: Int32 = Z_OK
        var consumed = 0
        var failure: Failure?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { failure = .corrupt("empty input"); return }
            stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self) + offset)
            stream.avail_in = uInt(inputCount)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    status = SystemZlib.inflate(&stream, Z_NO_FLUSH)
                    return chunkSize - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR {
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    failure = .corrupt(message)
                    return
                }
                if output.count + produced > limit {
                    failure = .tooLarge(limit: limit)
                    return
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_BUF_ERROR && produced == 0 {
                    failure = .corrupt("stream ends early")
                    return
                }
            } while status != Z_STREAM_END
            consumed = inputCount - Int(stream.avail_in)
        }
        if let failure { throw failure }
        return consumed
    }

    /// gzip-compresses `data` (used by the report generator and tests).
    public static func gzip(_ data: Data, level: Int32 = 6) -> Data {
        var stream = z_stream()
        // 15 + 16: write a gzip header rather than a zlib one.
        guard deflateInit2_(&stream, level, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return Data() }
        defer { deflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let input = [UInt8](data)
        input.withUnsafeBufferPointer { inputBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
            stream.avail_in = uInt(inputBuffer.count)
            var status: Int32 = Z_OK
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = deflate(&stream, Z_FINISH)
                    return buffer.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while status == Z_OK
        }
        return output
    }
}
