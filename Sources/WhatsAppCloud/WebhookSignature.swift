import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks that a webhook POST comes from Meta: `X-Hub-Signature-256` must be `sha256=` followed by the hex
/// HMAC-SHA256 of the raw body, keyed with the app secret. Compute it over the bytes exactly as received: decoding
/// and re-encoding the JSON changes them (Meta escapes non-ASCII as `\u00e9` and `/` as `\/`).
public struct WebhookSignature: Sendable {
    private let key: SymmetricKey

    /// A checker for one app's secret (from the tenant's configuration; never logged).
    public init(appSecret: String) {
        key = SymmetricKey(data: Array(appSecret.utf8))
    }

    /// Whether `header` (the `X-Hub-Signature-256` value) signs `body`. A missing header, a missing or different
    /// prefix, or anything but 64 hex digits is invalid. Hex digits are read in either case, as the value
    /// they spell: the comparison is of the 32 decoded bytes, in constant time.
    public func isValid(header: String?, body: some DataProtocol) -> Bool {
        guard let header, let mac = Self.decode(header) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }

    /// The header value Meta would send for `body`: `sha256=` and the lower-case hex HMAC. Tests and the
    /// benchmark's load generator sign their webhooks with it.
    public func header(for body: some DataProtocol) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = Array("sha256=".utf8)
        hex.reserveCapacity(7 + 64)
        for byte in mac {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The 32 bytes a well-formed header spells, or `nil`.
    private static func decode(_ header: String) -> [UInt8]? {
        var utf8 = Substring(header).utf8
        while let first = utf8.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            utf8 = utf8.dropFirst()
        }
        while let last = utf8.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            utf8 = utf8.dropLast()
        }
        let prefix = "sha256=".utf8
        guard utf8.count == prefix.count + 64, utf8.starts(with: prefix) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for char in utf8.dropFirst(prefix.count) {
            guard let nibble = hexValue(char) else { return nil }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    private static func hexValue(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// The verification handshake Meta performs when the webhook URL or verify token is saved in the App Dashboard:
/// `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`. The server answers 200 with the challenge as
/// `text/plain` when `challenge(mode:token:challenge:)` returns it, and 403 otherwise.
public struct WebhookVerification: Sendable {
    private let expected: SHA256.Digest

    /// A checker for one tenant's verify token (from its configuration; never logged).
    public init(verifyToken: String) {
        expected = SHA256.hash(data: Array(verifyToken.utf8))
    }

    /// The challenge to echo, or `nil` to refuse: `mode` must be `subscribe`, `token` must equal the verify token
    /// (compared in constant time, as digests, so neither content nor length leaks) and `challenge` must be
    /// present and not empty.
    public func challenge(mode: String?, token: String?, challenge: String?) -> String? {
        guard let token, let challenge, !challenge.isEmpty else { return nil }
        // Compare the token before looking at the mode, so every refusal costs the same.
        let digest = SHA256.hash(data: Array(token.utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(digest, expected) { difference |= a ^ b }
        guard difference == 0, mode == "subscribe" else { return nil }
        return challenge
    }
}
