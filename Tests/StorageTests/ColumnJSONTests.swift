import Foundation
import Testing

@testable import Storage

// The ledger's lists (text hashes, purposes, request message ids) are written by hand: JSONDecoder must read
// back exactly the strings written, whatever they hold.

@Test func stringArraysWrittenByHandReadBackWithJSONDecoder() throws {
    let awkward = [
        "", "plain", "with \"quotes\" and \\backslashes\\", "línea\nnueva\ty tab\r", "\u{0}\u{1}\u{1F}\u{7F}",
        "https://example.com/política?a=1&b=2", "wamid.HBgMNTczMDA=", "😀 no emoji here? yes", "\u{2028}\u{2029}",
    ]
    for strings in [[], ["solo"], awkward, awkward.reversed()] {
        let text = ColumnJSON.array(strings)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == strings, "\(text)")
    }
    #expect(ColumnJSON.array(["a", "b\"c"]) == #"["a","b\"c"]"#)
    #expect(ColumnJSON.array([]) == "[]")
}
