import Foundation

/// File names on Linux are bytes, Swift strings are Unicode: a name that is not valid UTF-8 (a Latin-1
/// `caf\xE9.yaml` left by an old editor or an archive) would be read as `caf�.yaml`, and opening that name fails
/// with "no such file or directory" for a file that exists. talkflow keeps such a path in a `String` losslessly,
/// as Python's `surrogateescape` does: each byte of the name that is not part of valid UTF-8 is held as one
/// private-use character, U+10FE80–U+10FEFF (byte 0x80–0xFF), and turned back into that byte whenever the
/// path is handed to the system. Joining folders and names, taking suffixes, comparing paths all work on the
/// string as usual. Printed, such a character shows as U+FFFD (`VisibleText`, `display`).
///
/// A valid name holding those private-use characters itself keeps its bytes too (they are held byte by byte),
/// so every name read from the command line or a folder opens the file it came from. Only text typed inside
/// a file or at the REPL that holds U+10FE80–U+10FEFF names the bytes they stand for.
public enum SystemPath {
    /// The folder part of `path`, as `NSString.deletingLastPathComponent` gives it (`a/b.yaml` → `a`, `/x` → `/`,
    /// `./x` → `.`), and `""` for a name without a folder (`x`, `x/`). swift-corelibs-foundation traps on a name
    /// of one character (`"x"`, `"x/"`), which users type (`talkflow test x`, `--config k`).
    public static func folder(of path: String) -> String {
        // Runs of slashes read as one, as Foundation reads them (`a//b/c` is in `a/b`).
        var collapsed = ""
        for character in path where !(character == "/" && collapsed.last == "/") { collapsed.append(character) }
        var trimmed = Substring(collapsed)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        var folder = trimmed[..<slash]
        while folder.count > 1, folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    /// The private-use character that holds byte 0x80 of a name; byte `b` is held as `escapeBase + b`.
    static let escapeBase: UInt32 = 0x10FE00

    /// Whether `scalar` holds a byte of a name that is not UTF-8.
    public static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        (escapeBase + 0x80...escapeBase + 0xFF).contains(scalar.value)
    }

    /// The path the system's bytes name, every byte kept (see the type).
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: isEscape) {
            return text
        }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let length = sequenceLength(bytes[index])
            if length > 0, index + length <= bytes.count,
                let text = String(validating: bytes[index..<index + length], as: UTF8.self),
                let scalar = text.unicodeScalars.first, !isEscape(scalar)
            {
                result.append(scalar)
                index += length
                continue
            }
            // Not UTF-8 here (or a private-use character of the escape range): one byte, held as is.
            result.append(escape(bytes[index]))
            index += 1
        }
        return String(result)
    }

    /// The path read from a C string (an argument, a link's target, `realpath`), every byte kept.
    public static func decode(cString: UnsafePointer<CChar>) -> String {
        decode(UnsafeBufferPointer(start: cString, count: strlen(cString)).map { UInt8(bitPattern: $0) })
    }

    /// The bytes the system is given for `path`: its UTF-8, each held byte turned back into itself.
    public static func bytes(_ path: String) -> [UInt8] {
        guard holdsBytes(path) else { return Array(path.utf8) }
        var result: [UInt8] = []
        for scalar in path.unicodeScalars {
            if isEscape(scalar) {
                result.append(UInt8(scalar.value - escapeBase))
            } else {
                result.append(contentsOf: String(scalar).utf8)
            }
        }
        return result
    }

    /// Whether `path` holds a byte that is not UTF-8 (a name the system knows only by its bytes).
    public static func holdsBytes(_ path: String) -> Bool {
        // U+10FE80–U+10FEFF are F4 8F BA 80 – F4 8F BB BF in UTF-8: no 0xF4, no held byte.
        path.utf8.contains(0xF4) && path.unicodeScalars.contains(where: isEscape)
    }

    /// Whether `first` sorts before `second` comparing the bytes the system knows them by (the folder walks'
    /// order).
    public static func precedes(_ first: String, _ second: String) -> Bool {
        guard holdsBytes(first) || holdsBytes(second) else {
            return first.utf8.lexicographicallyPrecedes(second.utf8)
        }
        return bytes(first).lexicographicallyPrecedes(bytes(second))
    }

    /// `path` as it is printed: each held byte as U+FFFD, as any UTF-8 decoder shows it.
    public static func display(_ path: String) -> String {
        guard holdsBytes(path) else { return path }
        return String(String.UnicodeScalarView(path.unicodeScalars.map { isEscape($0) ? "\u{FFFD}" : $0 }))
    }

    /// Calls `body` with the C string the system is given for `path`.
    public static func withCString<Result>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows
        -> Result
    {
        guard holdsBytes(path) else { return try path.withCString(body) }
        let terminated = bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try terminated.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The arguments of the command line with every byte kept: Swift's `CommandLine.arguments` has already
    /// turned a byte that is not UTF-8 into U+FFFD, losing the name.
    public static func arguments() -> [String] {
        (0..<Int(CommandLine.argc)).map { index in
            guard let argument = CommandLine.unsafeArgv[index] else { return "" }
            return decode(cString: argument)
        }
    }

    /// How many bytes the UTF-8 sequence starting with `lead` has; 0 for a byte no sequence starts with.
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0x00...0x7F: 1
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }

    private static func escape(_ byte: UInt8) -> Unicode.Scalar {
        // The range is inside Unicode's scalars: never nil.
        Unicode.Scalar(escapeBase + UInt32(byte))!
    }
}
