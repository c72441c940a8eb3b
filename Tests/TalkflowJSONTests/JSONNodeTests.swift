import Testing

@testable import TalkflowJSON

// The shared JSON reader: exact on what it reads, `nil` (so that callers fall back to JSONDecoder) on anything
// that is not exactly JSON.

@Test func readsEveryKindOfValueAndEveryEscape() {
    #expect(
        JSONNode.parse(Array(#"{"a":[1,-2,true,false,null,"x\"\\\/\n\u00e9\ud83d\ude00"]}"#.utf8))
            == .object(["a": .array([.int(1), .int(-2), .bool(true), .bool(false), .null, .string("x\"\\/\né😀")])]))
    #expect(JSONNode.parse(Array(" \t\r\n{ \"k\" : \"v\" } \n".utf8)) == .object(["k": .string("v")]))
    #expect(JSONNode.parse(Array("\"ñandú 😀\"".utf8)) == .string("ñandú 😀"))
    #expect(JSONNode.parse(Array(#""\b\f\r\t""#.utf8)) == .string("\u{8}\u{C}\r\t"))
    // `-0` keeps its sign.
    guard case .double(let zero)? = JSONNode.parse(Array("-0".utf8)) else {
        Issue.record("-0 is not a double")
        return
    }
    #expect(zero.sign == .minus)
}

@Test(arguments: [
    ("0", JSONNode.int(0)), ("-0", .double(-0.0)), ("9223372036854775807", .int(.max)),
    ("-9223372036854775808", .int(.min)), ("9223372036854775808", .double(9_223_372_036_854_775_808)),
    ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), ("1e3", .double(1000)), ("2E-2", .double(0.02)),
    ("4.6097009e+1", .double(46.097009)), ("-74.0817", .double(-74.0817)),
])
func readsNumbersAsIntegersWhenExactElseAsDoubles(text: String, node: JSONNode) {
    #expect(JSONNode.parse(Array(text.utf8)) == node)
}

/// A surrogate escape without its pair is JSON (RFC 8259 section 8.2) and WhatsApp text can carry one: it reads as
/// U+FFFD, and the escape after a lone high surrogate is read on its own.
@Test func readsALoneSurrogateEscapeAsTheReplacementCharacter() {
    #expect(JSONNode.parse(Array(#""corte \ud83d""#.utf8)) == .string("corte \u{FFFD}"))
    #expect(JSONNode.parse(Array(#""\udc00x""#.utf8)) == .string("\u{FFFD}x"))
    #expect(JSONNode.parse(Array(#""\ud83d\u0041""#.utf8)) == .string("\u{FFFD}A"))
    #expect(JSONNode.parse(Array(#""\ud83d\ud83d\ude00""#.utf8)) == .string("\u{FFFD}😀"))
    #expect(JSONNode.parse(Array(#""\ud83d\n""#.utf8)) == .string("\u{FFFD}\n"))
    #expect(JSONNode.parse(Array(#""\ud83d\u12""#.utf8)) == nil)
}

@Test func refusesWhatIsNotExactlyJSON() {
    for refused in [
        "", " ", "\"\u{1}\"", "[1,]", "{\"a\" 1}", "tru", "nul", "{} x", "\"open",
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "[1 2]", "{\"a\":1,}", "{a:1}",
        "'a'", "\"\\x\"", "\"\\u12\"", "{\"a\":1,\"a\":2}", "1e999", "-1.5e400",
        String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ] {
        #expect(JSONNode.parse(Array(refused.utf8)) == nil, "\(refused)")
    }
    // Bytes that are not UTF-8, inside a string.
    #expect(JSONNode.parse([0x22, 0xC3, 0x28, 0x22]) == nil)
    #expect(JSONNode.parse([0x22, 0xFF, 0x22]) == nil)
}

@Test func accessorsAnswerOnlyForTheirKind() {
    let node = JSONNode.object(["n": .int(3), "s": .string("x"), "b": .bool(true), "a": .array([.null]), "z": .null])
    #expect(node["n"]?.int == 3 && node["n"]?.string == nil)
    #expect(node["s"]?.string == "x" && node["s"]?.int == nil)
    #expect(node["b"]?.bool == true && node["a"]?.array == [.null])
    #expect(node["z"]?.isNull == true && node.isObject && node["missing"] == nil)
    #expect(JSONNode.string("x")["k"] == nil && JSONNode.array([]).isObject == false)
}

/// A key twice in one object is refused with where it is, so that a caller can refuse the document rather than
/// let `JSONDecoder` keep one of the values unseen; a key that is not plain is not quoted.
@Test(arguments: [
    (#"{"a":1,"a":2}"#, "a"),
    (#"{"entry":[{"changes":[{"value":{"messages":[1],"messages":[2]}}]}]}"#, "entry[0].changes[0].value.messages"),
    (#"[{},{"x":{"from":"A","from":"B"}}]"#, "[1].x.from"),
    (#"{"we\nird":{"k":1,"k":2}}"#, "?.k"),
    (#"{"[0]":{"k":1,"k":2}}"#, "?.k"),
])
func namesWhereAKeyIsGivenTwice(text: String, path: String) {
    #expect(JSONNode.parse(Array(text.utf8)) == nil)
    #expect(JSONNode.failure(Array(text.utf8)) == .duplicateKey(path: path))
}

/// Two keys spelled differently are two keys, even when Unicode holds them canonically equivalent ("é" written
/// precomposed and as "e" with a combining accent, which Swift's strings compare equal): not a key given twice.
@Test func canonicallyEquivalentKeysAreNotTheSameKey() {
    let text = "{\"caf\u{E9}\":1,\"cafe\u{301}\":2,\"k\":\"v\"}"
    let node = JSONNode.parse(Array(text.utf8))
    #expect(node != nil)
    #expect(JSONNode.failure(Array(text.utf8)) == nil)
    #expect(node?["k"]?.string == "v")
    // The same spelling twice is still refused, also after another spelling of it.
    let twice = "{\"cafe\u{301}\":1,\"cafe\u{301}\":2}"
    #expect(JSONNode.parse(Array(twice.utf8)) == nil)
    let again = "{\"caf\u{E9}\":1,\"cafe\u{301}\":2,\"cafe\u{301}\":3}"
    #expect(JSONNode.failure(Array(again.utf8)) == .duplicateKey(path: "?"))
}

/// The limit counts arrays and objects only: 32 of them nest, whatever the innermost value, and a 33rd is too
/// deep.
@Test func nestsThirtyTwoArraysOrObjectsAndNoMore() {
    func nested(_ count: Int, around inner: String) -> [UInt8] {
        Array((String(repeating: "[", count: count) + inner + String(repeating: "]", count: count)).utf8)
    }
    #expect(JSONNode.maximumDepth == 32)
    #expect(JSONNode.parse(nested(32, around: "1")) != nil)
    #expect(JSONNode.parse(nested(31, around: #"{"a":"b"}"#)) != nil)
    #expect(JSONNode.failure(nested(33, around: "")) == .tooDeep)
    #expect(JSONNode.failure(nested(32, around: "{}")) == .tooDeep)
}
