import Foundation

/// HMAC-SHA256 (RFC 2104).
public enum HMACSHA256 {
    public static func authenticationCode(for message: Data, key: Data) -> [UInt8] {
        let blockSize = 64
        var keyBlock = key.count > blockSize ? Data(SHA256.hash(key)) : key
        keyBlock.append(Data(repeating: 0, count: blockSize - keyBlock.count))
        var inner = SHA256()
        inner.update(Data(keyBlock.map { $0 ^ 0x36 }))
        inner.update(message)
        var outer = SHA256()
        outer.update(Data(keyBlock.map { $0 ^ 0x5C }))
        outer.update(Data(inner.finalize()))
        return outer.finalize()
    }
}
