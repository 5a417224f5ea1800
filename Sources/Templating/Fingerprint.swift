import ContentDigest
import Foundation

/// Content hashes for cache-busting asset names.
public enum Fingerprint {
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hexDigest(data)
    }

    /// `assets/logo.svg` → `assets/logo.1a2b3c4d5e.svg`.
    public static func fingerprintedPath(_ path: String, data: Data) -> String {
        let hash = String(sha256Hex(data).prefix(10))
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        return ext.isEmpty ? "\(stem).\(hash)" : "\(stem).\(hash).\(ext)"
    }
}
