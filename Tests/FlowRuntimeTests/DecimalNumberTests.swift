import Testing

@testable import FlowRuntime

/// Decimal numbers compare exactly, whatever their digits, and a flow's bound compares as its author wrote it.
@Suite struct DecimalNumberTests {
    static func number(_ text: String) throws -> DecimalNumber { try #require(DecimalNumber(text), "\(text)") }

    @Test func numbersCompareExactly() throws {
        let ordered = [
            "-1e+16", "-120.5", "-120", "-0.001", "0", "1e-05", "0.1", "0.3", "99.99999999999999999999", "100",
            "100.00000000000000001", "120", "12345678901234567890",
        ]
        for (index, text) in ordered.enumerated() {
            for other in ordered[(index + 1)...] {
                #expect(try Self.number(text) < Self.number(other), "\(text) < \(other)")
                #expect(!(try Self.number(other) < Self.number(text)), "\(other) < \(text)")
            }
        }
        #expect(try Self.number("100") == Self.number("100.000"))
        #expect(try Self.number("0") == Self.number("-0"))
        #expect(try Self.number("007.50") == Self.number("7.5"))
    }

    @Test func aBoundComparesAsWritten() throws {
        #expect(DecimalNumber(0.3) == (try Self.number("0.3")))
        #expect(DecimalNumber(100.0) == (try Self.number("100")))
        #expect(DecimalNumber(1e-5) == (try Self.number("0.00001")))
        #expect(DecimalNumber(.infinity) == nil)
        // More than 15 significant digits: the Double did not keep what was written.
        #expect(DecimalNumber(12345678901234567890.0) == nil)
        #expect(DecimalNumber.compare("12345678901234567890", with: 12345678901234567890.0) == 0)
        #expect(DecimalNumber.compare("120.00000000000000001", with: 120) == 1)
        #expect(DecimalNumber("1e-9223372036854775808") == nil)
        for text in ["", ".", "1.2.3", "abc", "1e", "--1", "inf"] { #expect(DecimalNumber(text) == nil, "\(text)") }
    }
}
