import Foundation
import Testing

@testable import TalkflowJSON

// The one escaper of hand-written JSON: what it writes is read back exactly, escapes only what JSON requires,
// and writes the same bytes into a text as into a byte array.

@Test(arguments: [
    ("plain", #""plain""#),
    ("ñandú / €", #""ñandú / €""#),
    ("a\"b\\c", #""a\"b\\c""#),
    ("l1\nl2\r\t", #""l1\nl2\r\t""#),
    ("\u{8}\u{C}\u{0}\u{1F}\u{7F}", #""\b\f\u0000\u001f"# + "\u{7F}\""),
])
func escapesOnlyWhatJSONRequires(text: String, written: String) throws {
    var bytes: [UInt8] = []
    JSONStringWriter.append(text, to: &bytes)
    #expect(String(decoding: bytes, as: UTF8.self) == written)
    var other = "["
    JSONStringWriter.append(text, to: &other)
    #expect(other == "[" + written)
    #expect(JSONNode.parse(bytes) == .string(text))
    let decoded = try JSONDecoder().decode(String.self, from: Data(bytes))
    #expect(decoded == text)
}

@Test func everyControlCharacterRoundTrips() throws {
    let text = String((0..<0x20).map { Character(Unicode.Scalar($0)!) }) + "\"\\z"
    var bytes: [UInt8] = []
    JSONStringWriter.append(text, to: &bytes)
    #expect(!bytes.dropFirst().dropLast().contains { $0 < 0x20 })
    #expect(JSONNode.parse(bytes) == .string(text))
}
