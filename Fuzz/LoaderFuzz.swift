// libFuzzer entry point for `YAMLLoader`. Build and run it with `Fuzz/run.sh` (see `Fuzz/README.md`).
//
// Besides "no crash, no leak, no out-of-bounds access" (AddressSanitizer), the harness checks what the
// loader promises about locations, and traps when one breaks, so that the fuzzer reports it as a crash:
// every range lies inside the file, starts before it ends, and its line and column name the same place
// as its byte offset.
import FlowDiagnostics
import FlowSyntax

//
// An input that starts with a NUL byte (which the loader would refuse at once) is read instead as a list of
// YAML pieces, one per byte, so that the fuzzer also reaches deep, well-formed structure quickly: libyaml
// is the system library, not instrumented, so coverage alone does not guide the fuzzer through YAML.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeBufferPointer(start: data, count: size)
    let bytes: [UInt8]
    if let first = raw.first, first == 0 {
        bytes = raw.dropFirst().flatMap { pieces[Int($0) % pieces.count] }
    } else {
        bytes = Array(raw)
    }
    let result = YAMLLoader.load(bytes: bytes)
    let checker = RangeChecker(source: result.source)
    for diagnostic in result.diagnostics {
        checker.check(diagnostic.range, "diagnostic \(diagnostic.id)")
        for note in diagnostic.notes { checker.check(note.range, "note of \(diagnostic.id)") }
    }
    if let root = result.root { checker.check(root) }
    if result.root != nil, result.diagnostics.contains(where: { $0.id == "yaml_syntax" }) {
        fatalError("a tree was returned for a file with a syntax error")
    }
    return 0
}

/// The pieces of the second input form: YAML's indicators, breaks with indentation, multi-byte text.
private let pieces: [[UInt8]] = [
    "a", "k", "ñ", "😀", "1", "~", " ", "\t", "\n", "\n  ", "\n    ", "\r\n", "\r", "\u{85}", "\u{2028}",
    "\u{2029}", "\u{FEFF}", "- ", ": ", ":", "? ", "[", "]", "{", "}", ", ", "# c", "\"", "'", "\\", "|", "|-",
    "|+", ">", ">2", "&x ", "*x", "!!str ", "!t ", "!<tag:x> ", "---", "...", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "\u{1}", "\u{7F}", "\u{FFFE}",
].map { Array($0.utf8) }

private struct RangeChecker {
    let source: SourceText

    func check(_ node: Node) {
        check(node.range, "node")
        switch node.value {
        case .scalar: break
        case .sequence(let items):
            for item in items { check(item) }
        case .mapping(let pairs):
            for pair in pairs {
                check(pair.keyRange, "key '\(pair.key)'")
                check(pair.value)
            }
        }
    }

    func check(_ range: SourceRange, _ what: String) {
        check(range.start, what)
        check(range.end, what)
        guard range.start.offset <= range.end.offset else {
            fatalError("\(what): range \(range) ends before it starts")
        }
    }

    func check(_ location: SourceLocation, _ what: String) {
        // An empty source (the file was too large) only carries file-level locations.
        if source.bytes.isEmpty {
            guard location.offset == 0, location.line >= 1, location.column >= 1 else {
                fatalError("\(what): location \(location) in an empty source")
            }
            return
        }
        guard location.offset >= 0, location.offset <= source.bytes.count else {
            fatalError("\(what): offset \(location.offset) outside a file of \(source.bytes.count) bytes")
        }
        let expected = source.location(ofByte: location.offset)
        guard expected == location else {
            fatalError("\(what): location \(location) but its offset is at \(expected)")
        }
    }
}
