private import CYAML
import FlowDiagnostics

/// What loading a file gives: the syntax tree (when the file could be read at all) and what was wrong.
public struct LoadResult: Sendable {
    /// The document's root node; `nil` for an empty file or one the loader had to give up on.
    public var root: Node?
    public var diagnostics: [Diagnostic]
    /// The file's text, for renderers; empty when the bytes were not text.
    public var source: SourceText
    /// The lines of the aliases refused (`yaml_anchor`): each reads as nothing, so what a later pass finds
    /// wrong on such a line is that same problem again (`withoutAliasEchoes`).
    public var aliasLines: Set<Int> = []

    /// `all` (the loader's diagnostics and those of later passes) without the later passes' diagnostics on a
    /// line whose alias was refused: each problem is reported once, at its place.
    public func withoutAliasEchoes(_ all: [Diagnostic]) -> [Diagnostic] {
        guard !aliasLines.isEmpty else { return all }
        let own = Set(diagnostics)
        return all.filter { own.contains($0) || !aliasLines.contains($0.range.start.line) }
    }
}

/// Reads YAML through libyaml's event API into a `Node` tree whose every node carries its start and end.
///
/// This is the only place that touches libyaml. It never throws and never traps on input: every problem
/// becomes a located diagnostic, and the limits in `LoaderLimits` bound time and memory on hostile files.
///
/// Ranges are half-open. A scalar spans its text (with its quotes, and with its anchor or tag if it has
/// one); a flow collection spans its brackets; a block collection, a block scalar (`|`, `>`) and a
/// `[key: value]` pair end just past their last non-blank character, so that a range never takes in the
/// blank lines and comments that follow it.
public enum YAMLLoader {
    public static func load(_ text: String, limits: LoaderLimits = .default) -> LoadResult {
        load(bytes: Array(text.utf8), limits: limits)
    }

    /// What loading a file of `size` bytes over the limit gives, for a reader that did not read it all: the
    /// diagnostic names the file's real size.
    public static func tooLarge(size: Int, limits: LoaderLimits) -> LoadResult {
        let diagnostic = SyntaxRules.tooLarge.diagnostic(
            "file is \(size) bytes; the limit is \(limits.maxBytes) bytes", at: .fileStart)
        return LoadResult(root: nil, diagnostics: [diagnostic], source: SourceText(bytes: []))
    }

    public static func load(bytes: [UInt8], limits: LoaderLimits = .default) -> LoadResult {
        if bytes.count > limits.maxBytes { return tooLarge(size: bytes.count, limits: limits) }
        if let problem = UTF8Check.firstProblem(in: bytes) {
            let source = SourceText(bytes: bytes)
            let diagnostic: Diagnostic
            // A file saved as "Unicode" starts with its encoding's byte-order mark, the surest sign of all.
            let marked = WideEncodingMark(bytes).map { "; it looks like \($0.description); save it as UTF-8" }
            switch problem {
            case .nul(let offset):
                let at = source.location(ofByte: offset)
                // UTF-16 and UTF-32 text has a NUL in (almost) every other byte of ASCII: say what it is.
                let wide = bytes.prefix(64).filter { $0 == 0 }.count * 3 >= min(bytes.count, 64)
                diagnostic = SyntaxRules.nulByte.diagnostic(
                    "NUL byte at byte offset \(offset); the file must be text (YAML)"
                        + (marked ?? (wide ? ", in UTF-8: it looks like UTF-16 or UTF-32 text; save it as UTF-8" : "")),
                    at: Self.oneByte(at))
            case .invalid(let offset):
                let at = source.location(ofByte: offset)
                let hex = String(bytes[offset], radix: 16, uppercase: true)
                diagnostic = SyntaxRules.invalidUTF8.diagnostic(
                    "invalid UTF-8 byte 0x\(hex) at byte offset \(offset)" + (marked ?? "; save the file as UTF-8"),
                    at: Self.oneByte(at))
            }
            return LoadResult(root: nil, diagnostics: [diagnostic], source: source)
        }
        let source = SourceText(bytes: bytes)
        if bytes.isEmpty {
            // Nothing to parse, and no buffer whose address libyaml could keep.
            return LoadResult(root: nil, diagnostics: [], source: source)
        }
        var builder = TreeBuilder(source: source, limits: limits)
        builder.run()
        builder.explainAliases()
        return LoadResult(
            root: builder.root, diagnostics: builder.diagnostics, source: builder.source,
            aliasLines: builder.aliasLines)
    }

    /// The range of the one bad byte at `start`: it is a character the reader sees (printed as U+FFFD), so the
    /// range covers it, one column and one byte, rather than being empty like a place between characters.
    static func oneByte(_ start: SourceLocation) -> SourceRange {
        SourceRange(
            start: start, end: SourceLocation(line: start.line, column: start.column + 1, offset: start.offset + 1))
    }
}

/// Turns libyaml's events into nodes with a stack of open collections.
private struct TreeBuilder {
    /// An open collection. Frames are changed in place on the stack (never copied out and pushed back),
    /// so that adding an item costs amortised constant time however large the collection grows.
    struct Frame {
        enum Kind {
            case mapping
            case sequence
        }

        var kind: Kind
        var start: SourceLocation
        /// Block collections and `[key: value]` pairs have no closing bracket: they end where their last
        /// child ends, not where libyaml sees the next token (which may be lines of comments later).
        var endsAtLastChild: Bool
        var lastEnd: SourceLocation?
        var items: [Node] = []
        var pairs: [Pair] = []
        /// The key waiting for its value; `name` is nil for a key that is not plain text (already reported: its
        /// pair is dropped so that no later check sees a made-up key).
        var key: (name: String?, range: SourceRange)?
        /// Key → where it was first written, built only once a mapping outgrows a linear scan of `pairs`.
        var seen: [String: SourceRange] = [:]

        /// Where `name` was first written as a key of this mapping, if it was.
        mutating func firstKey(_ name: String) -> SourceRange? {
            if pairs.count < 16 { return pairs.first { $0.key == name }?.keyRange }
            if seen.count < pairs.count {
                for pair in pairs[seen.count...] where seen[pair.key] == nil { seen[pair.key] = pair.keyRange }
            }
            return seen[name]
        }
    }

    let source: SourceText
    let limits: LoaderLimits
    var root: Node?
    var diagnostics: [Diagnostic] = []
    var aliasLines: Set<Int> = []
    /// The anchors defined so far: an alias of one of them is YAML written on purpose, not a text.
    var anchorNames: Set<String> = []
    /// The aliases reported (their diagnostic's index and name), whose help waits until every anchor is known.
    var aliasesToExplain: [(index: Int, name: String)] = []
    var stack: [Frame] = []
    var documents = 0
    /// Set once `maxDiagnostics` problems have been reported: the loader then stops reading.
    var stopped = false
    var hint: (line: Int, column: Int, offset: Int) = (-1, 0, 0)

    /// A file of nothing but aliases, tags or repeated keys would otherwise cost a diagnostic every few
    /// bytes (over a gigabyte at the 16 MiB size limit); nobody reads past the first thousand.
    static let maxDiagnostics = 1000

    init(source: SourceText, limits: LoaderLimits) {
        self.source = source
        self.limits = limits
    }

    /// Records a problem; at the `maxDiagnostics`th, notes on it that the loader stops reading there.
    mutating func report(_ diagnostic: Diagnostic) {
        guard !stopped else { return }
        var diagnostic = diagnostic
        if diagnostics.count + 1 >= Self.maxDiagnostics {
            stopped = true
            diagnostic.notes.append(
                DiagnosticNote(
                    message: "stopped reading the file after \(Self.maxDiagnostics) problems; fix these and run again",
                    range: diagnostic.range))
        }
        diagnostics.append(diagnostic)
    }

    mutating func location(_ mark: yaml_mark_t) -> SourceLocation {
        // At the end of a file that does not end in a line break, libyaml moves its mark to the start of a
        // line that does not exist (so do its errors there, "found unexpected end of stream"): name the end
        // of the last line instead, which a renderer can show.
        guard mark.line < source.lineStarts.count else { return source.location(ofByte: source.bytes.count) }
        let offset = source.byteOffset(line: mark.line, column: mark.column, hint: &hint)
        return SourceLocation(line: mark.line + 1, column: mark.column + 1, offset: offset)
    }

    mutating func range(_ event: yaml_event_t) -> SourceRange {
        SourceRange(start: location(event.start_mark), end: location(event.end_mark))
    }

    mutating func run() {
        // libyaml keeps a pointer to the parser itself (`read_handler_data`) and to the input buffer, so
        // both must stay at one address for the whole parse: a Swift `var` passed with `&` does not
        // promise that, memory allocated here does.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer {
            parser.deinitialize(count: 1)
            parser.deallocate()
        }
        guard yaml_parser_initialize(parser) == 1 else {
            report(SyntaxRules.syntax.diagnostic("libyaml could not start (out of memory)", at: .fileStart))
            return
        }
        defer { yaml_parser_delete(parser) }
        // A copy of the array (not `source.bytes` itself), so that the closure below may change `self`.
        let bytes = source.bytes
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            // No `yaml_parser_set_encoding`: with the encoding forced, libyaml does not skip a UTF-8
            // byte-order mark but reads it as a character, which shifts the first line one column right
            // and breaks its indentation. Detection can only find UTF-8 here, as `UTF8Check` has already
            // refused the 0xFE and 0xFF bytes that start a UTF-16 mark.
            yaml_parser_set_input_string(parser, base, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    reportParserError(parser.pointee)
                    root = nil
                    return
                }
                let keepGoing = handle(event)
                let done = event.type == YAML_STREAM_END_EVENT
                yaml_event_delete(&event)
                if !keepGoing || stopped {
                    root = nil
                    return
                }
                if done { return }
            }
        }
    }

    /// Handles one event; returns false to stop reading.
    mutating func handle(_ event: yaml_event_t) -> Bool {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                let r = range(event)
                report(
                    SyntaxRules.multipleDocuments.diagnostic(
                        "a second YAML document starts here; a file holds exactly one document", at: r))
                return false
            }
        case YAML_ALIAS_EVENT:
            let r = range(event)
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            let reported = diagnostics.count
            report(
                SyntaxRules.anchor.diagnostic("alias '*\(name)' is not allowed; write the value out in full", at: r))
            // An alias of an anchor the file defines (before or after it) is YAML used on purpose; of none, a text
            // such as `*Aviso`: decided once the whole file is read.
            if diagnostics.count > reported { aliasesToExplain.append((reported, name)) }
            aliasLines.insert(r.start.line)
            attach(Node(.scalar("", .plain), range: r))
        case YAML_SCALAR_EVENT:
            var r = range(event)
            let scalar = event.data.scalar
            let text: String
            if let value = scalar.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
            } else {
                text = ""
            }
            let style: ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            checkAnchorAndTag(anchor: scalar.anchor, tag: scalar.tag, at: r, plainScalar: style == .plain)
            if style == .literal || style == .folded {
                // libyaml ends a block scalar after the blank lines that follow it.
                r.end = trimmedEnd(r)
            }
            attach(Node(.scalar(text, style), range: r))
        case YAML_SEQUENCE_START_EVENT:
            let r = range(event)
            let start = event.data.sequence_start
            checkAnchorAndTag(anchor: start.anchor, tag: start.tag, at: r, plainScalar: false)
            let flow = start.style == YAML_FLOW_SEQUENCE_STYLE
            return push(Frame(kind: .sequence, start: r.start, endsAtLastChild: !flow), at: r)
        case YAML_MAPPING_START_EVENT:
            let r = range(event)
            let start = event.data.mapping_start
            checkAnchorAndTag(anchor: start.anchor, tag: start.tag, at: r, plainScalar: false)
            // A flow mapping opened by `{` has a one-character start event; the single pair of `[a: 1]`
            // has an empty one, and no closing bracket.
            let bracketed = start.style == YAML_FLOW_MAPPING_STYLE && r.end.offset > r.start.offset
            return push(Frame(kind: .mapping, start: r.start, endsAtLastChild: !bracketed), at: r)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return true }
            let end: SourceLocation
            if frame.endsAtLastChild, let lastEnd = frame.lastEnd {
                end = max(lastEnd, frame.start)
            } else {
                end = location(event.end_mark)
            }
            let range = SourceRange(start: frame.start, end: end)
            switch frame.kind {
            case .sequence: attach(Node(.sequence(frame.items), range: range))
            case .mapping: attach(Node(.mapping(frame.pairs), range: range))
            }
        default:
            break
        }
        return true
    }

    mutating func push(_ frame: Frame, at r: SourceRange) -> Bool {
        if stack.count >= limits.maxDepth {
            report(
                SyntaxRules.tooDeep.diagnostic(
                    "nesting goes deeper than \(limits.maxDepth) levels here; flatten the structure", at: r))
            return false
        }
        stack.append(frame)
        return true
    }

    /// Gives the alias diagnostics of anchors the file never defines the help for a text written bare.
    mutating func explainAliases() {
        for (index, name) in aliasesToExplain where !anchorNames.contains(name) {
            diagnostics[index].suggestion = UnquotedTextHint.help(
                source, .indicator(offset: diagnostics[index].range.start.offset))
        }
    }

    /// Places a finished node into the collection being built, or makes it the root.
    mutating func attach(_ node: Node) {
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        // Every change below goes through `stack[top]`, which Swift mutates in place.
        stack[top].lastEnd = node.range.end
        switch stack[top].kind {
        case .sequence:
            stack[top].items.append(node)
        case .mapping:
            if let key = stack[top].key {
                stack[top].key = nil
                guard let name = key.name else { return }
                if let first = stack[top].firstKey(name) {
                    report(
                        SyntaxRules.duplicateKey.diagnostic(
                            "duplicate key '\(name)'; each key may appear once in a mapping", at: key.range,
                            notes: [DiagnosticNote(message: "'\(name)' is first defined here", range: first)]))
                } else {
                    stack[top].pairs.append(Pair(key: name, keyRange: key.range, value: node))
                }
            } else {
                if node.scalar == nil {
                    report(
                        SyntaxRules.complexKey.diagnostic(
                            "a mapping key must be plain text, not \(node.kindDescription)", at: node.range,
                            suggestion: UnquotedTextHint.help(source, .complexKey(offset: node.range.start.offset))))
                }
                stack[top].key = (node.scalar, node.range)
            }
        }
    }

    /// The end of a block scalar's range moved back over trailing spaces, tabs and line breaks, so that it
    /// lies just past the last non-blank character (or at the start, when there is none).
    func trimmedEnd(_ r: SourceRange) -> SourceLocation {
        let bytes = source.bytes
        let floor = max(0, r.start.offset)
        var end = min(r.end.offset, bytes.count)
        guard end > floor else { return r.end }
        while end > floor {
            let b = bytes[end - 1]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                end -= 1
            } else if b == 0x85, end - 2 >= floor, bytes[end - 2] == 0xC2 {
                end -= 2
            } else if b == 0xA8 || b == 0xA9, end - 3 >= floor, bytes[end - 2] == 0x80, bytes[end - 3] == 0xE2 {
                end -= 3
            } else {
                break
            }
        }
        if end == r.end.offset { return r.end }
        return source.location(ofByte: end)
    }

    mutating func checkAnchorAndTag(
        anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, at r: SourceRange,
        plainScalar: Bool
    ) {
        // `text: &gracias` is a text to its author: on a plain scalar that starts a value, say how to write it. On
        // a mapping, a list or a quoted text (`&x "Hola"`) the anchor or tag is YAML written on purpose.
        let help = plainScalar ? UnquotedTextHint.help(source, .indicator(offset: r.start.offset)) : nil
        if let anchor {
            let name = String(cString: anchor)
            anchorNames.insert(name)
            report(
                SyntaxRules.anchor.diagnostic(
                    "anchor '&\(name)' is not allowed; write each value out where it is used", at: r,
                    suggestion: help))
        }
        if let tag {
            var name = String(cString: tag)
            // libyaml expands `!!str` to its full URI; show it as the tenant wrote it.
            if name.hasPrefix("tag:yaml.org,2002:") { name = "!!" + name.dropFirst("tag:yaml.org,2002:".count) }
            report(
                SyntaxRules.tag.diagnostic(
                    "tag '\(name)' is not allowed; the file's format decides each field's type", at: r,
                    suggestion: name.hasPrefix("!!") ? nil : help))
        }
    }

    mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        var at: SourceLocation
        var message = "invalid YAML: \(problem)"
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset into the input, not a mark.
            at = source.location(ofByte: parser.problem_offset)
            if parser.problem_value >= 0 {
                let hex = String(parser.problem_value, radix: 16, uppercase: true)
                message += " (found U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
            }
        } else {
            at = location(parser.problem_mark)
            // libyaml names a tab only as a character that "cannot start any token".
            if !problem.contains("tab"), at.offset < source.bytes.count, source.bytes[at.offset] == 0x09 {
                message += "; a tab cannot indent YAML or start a value: use spaces"
            }
        }
        // An invisible line break (in a comment, say) makes YAML read a line where the editor shows none.
        let text = source
        if parser.error != YAML_READER_ERROR,
            let hidden = [at.line - 2, at.line - 1].compactMap({ text.unusualBreak(endingLine: $0) }).first
        {
            message += "; the text near here holds \(hidden), which YAML reads as a line break: replace it"
        }
        var notes: [DiagnosticNote] = []
        var contextStart: Int?
        if parser.error != YAML_READER_ERROR, let context = parser.context.map({ String(cString: $0) }) {
            let contextAt = location(parser.context_mark)
            contextStart = contextAt.offset
            message += " (\(context))"
            if contextAt != at {
                notes.append(DiagnosticNote(message: context, range: SourceRange(at: contextAt)))
            }
        }
        if parser.error == YAML_MEMORY_ERROR {
            message = "invalid YAML: libyaml ran out of memory"
            at = .start
            notes = []
        }
        let help =
            parser.error == YAML_SCANNER_ERROR || parser.error == YAML_PARSER_ERROR
            ? UnquotedTextHint.help(source, .syntaxError(offset: at.offset, context: contextStart)) : nil
        report(SyntaxRules.syntax.diagnostic(message, at: SourceRange(at: at), notes: notes, suggestion: help))
    }
}
