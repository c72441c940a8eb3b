import Crypto

/// Comparisons of secrets (verify tokens, admin and agent keys) that take the same time whatever the
/// candidate, so that timing a guess tells an attacker nothing about how close it came.
public enum SecretComparison {
    /// SHA-256 of the text's UTF-8 bytes: how agent keys are stored, and the fixed-length form in which
    /// secrets are compared.
    public static func sha256(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }

    /// Lower-case hex of `bytes`, the form `key_sha256` takes in the configuration file.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex text (either case), or `nil` when it is not hex of even length.
    public static func bytes(hex text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Whether `candidate` equals `secret`, comparing their SHA-256 digests so that not even the secret's
    /// length leaks.
    public static func matches(_ candidate: String, secret: String) -> Bool {
        equal(sha256(candidate), sha256(secret))
    }

    /// Whether `candidate` equals any of `secrets`. Every secret is compared, with no early exit, so the
    /// time does not tell which one (or whether one) matched.
    public static func matchesAny(_ candidate: String, secrets: [String]) -> Bool {
        let digest = sha256(candidate)
        var found = false
        for secret in secrets where equal(digest, sha256(secret)) { found = true }
        return found
    }
}
