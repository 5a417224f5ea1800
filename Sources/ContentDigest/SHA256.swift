import Foundation
import SystemNettle

/// SHA-256 (FIPS 180-4), for content fingerprints and file identity.
///
/// Computed by the system's nettle, which uses the CPU's SHA extensions where it has them:
/// every ingested file is hashed, so this is on the hot path. swift-crypto's BoringSSL
/// build would add minutes to every clean build for the one function sitegen needs.
public struct SHA256: Sendable {
    private var context = sha256_ctx()

    public init() {
        nettle_sha256_init(&context)
    }

    /// The 32-byte digest of `data`.
    public static func hash(_ data: Data) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize()
    }

    /// The digest as 64 lowercase hex digits.
    public static func hexDigest(_ data: Data) -> String {
        data.withUnsafeBytes { hexDigest($0) }
    }

    /// The digest of the bytes as 64 lowercase hex digits, with no copy of them and no array
    /// for the digest: every ingested file is hashed so.
    public static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(SHA256_DIGEST_SIZE)) { digest in
            nettle_sha256_digest(&hasher.context, digest.count, digest.baseAddress)
            return hex(UnsafeBufferPointer(digest))
        }
    }

    /// Bytes as lowercase hex digits.
    public static func hex(_ digest: [UInt8]) -> String {
        digest.withUnsafeBufferPointer { hex($0) }
    }

    private static func hex(_ digest: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: digest.count * 2) { buffer in
            for (index, byte) in digest.enumerated() {
                buffer[2 * index] = hexDigit(byte >> 4)
                buffer[2 * index + 1] = hexDigit(byte & 0x0F)
            }
            return digest.count * 2
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        nettle_sha256_update(&context, bytes.count, base.assumingMemoryBound(to: UInt8.self))
    }

    /// The digest of everything added so far; the hasher starts over afterwards.
    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_SIZE))
        digest.withUnsafeMutableBufferPointer { buffer in
            nettle_sha256_digest(&context, buffer.count, buffer.baseAddress)
        }
        return digest
    }
}
