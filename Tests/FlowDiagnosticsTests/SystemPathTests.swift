import FlowDiagnostics
import Testing

/// A path's bytes survive the trip through a `String` whatever they are, and print with U+FFFD.
@Suite struct SystemPathTests {
    @Test(
        arguments: [
            Array("flows/pedido.yaml".utf8), [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x79], [0xFF, 0xFE, 0x00 + 0x41],
            [0xE2, 0x82], Array("caf\u{10FEE9}".utf8), Array("ñandú/€".utf8), [0xED, 0xA0, 0x80], [0xC0, 0xAF],
        ] as [[UInt8]])
    func bytesRoundTrip(bytes: [UInt8]) {
        let path = SystemPath.decode(bytes)
        #expect(SystemPath.bytes(path) == bytes)
    }

    @Test func validUTF8IsKeptAsItIs() {
        #expect(SystemPath.decode(Array("ñandú/€.yaml".utf8)) == "ñandú/€.yaml")
        #expect(!SystemPath.holdsBytes("ñandú/€.yaml"))
    }

    @Test func aByteThatIsNotUTF8PrintsAsUFFFD() {
        let path = SystemPath.decode([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x79])
        #expect(SystemPath.holdsBytes(path))
        #expect(SystemPath.display(path) == "caf\u{FFFD}.y")
        #expect(VisibleText.of(path) == "caf\u{FFFD}.y")
    }

    /// The folder of a path, as Foundation's `deletingLastPathComponent` gives it, without its trap on a name of
    /// one character.
    @Test func theFolderOfAPath() {
        let cases: [(String, String)] = [
            ("x", ""), ("x/", ""), ("x//", ""), ("xy", ""), ("ab/", ""), ("./x", "."), ("/x", "/"), ("a/x", "a"),
            ("a/b/c.yaml", "a/b"), ("a//x", "a"), ("/", "/"), ("", ""), ("//x", "/"), ("/a/b/", "/a"),
            ("a//b/c", "a/b"), ("/a//b/c", "/a/b"), ("//", "/"),
        ]
        for (path, folder) in cases {
            #expect(SystemPath.folder(of: path) == folder, "\(path)")
        }
    }
}
