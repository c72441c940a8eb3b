import FlowSyntax
import Foundation
import Testing

/// A file saved as "Unicode" (UTF-16 or UTF-32 with a byte-order mark) is named for what it is, with the fix.
@Suite struct WideEncodingTests {
    @Test(arguments: [
        (String.Encoding.utf16LittleEndian, [UInt8]([0xFF, 0xFE]), "UTF-16 text (a byte-order mark FF FE)"),
        (.utf16BigEndian, [0xFE, 0xFF], "UTF-16 text (a byte-order mark FE FF)"),
        (.utf32LittleEndian, [0xFF, 0xFE, 0x00, 0x00], "UTF-32 text (a byte-order mark FF FE 00 00)"),
        (.utf32BigEndian, [0x00, 0x00, 0xFE, 0xFF], "UTF-32 text (a byte-order mark 00 00 FE FF)"),
    ])
    func aByteOrderMarkNamesTheEncoding(_ encoding: String.Encoding, _ mark: [UInt8], _ named: String) throws {
        let text = try #require("flow: hola\nsteps: {}\n".data(using: encoding))
        let result = YAMLLoader.load(bytes: mark + Array(text))
        #expect(result.diagnostics.count == 1)
        let message = try #require(result.diagnostics.first?.message)
        #expect(message.hasSuffix("; it looks like \(named); save it as UTF-8"), "\(message)")
        #expect(message.hasPrefix("invalid UTF-8 byte 0x") || message.hasPrefix("NUL byte at byte offset"))
    }
}
