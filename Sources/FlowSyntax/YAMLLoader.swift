private import CYAML
import FlowDiagnostics

/// What loading a file gives: the syntax tree (when the file could be read at all) and what was wrong.
public struct LoadResult: Sendable {
    /// The document's root node; `nil` for an empty file or one the loader had to give up on.
    public var root: Node?
    public var diagnostics: [Diagnostic]
    /// The file's text, for renderers; empty when the bytes were not text.
    public var source: SourceText
}

/// Reads YAML through libyaml's event API into a `Node` tree whose every node carries its start and end.
///
/// This is the only place that touches libyaml. It never throws and never traps on input: every problem
/// becomes a located diagnostic, and the limits in `LoaderLimits` bound time and memory on hostile files.
public enum YAMLLoader {
    public static func load(_ text: String, limits: LoaderLimits = .default) -> LoadResult {
        load(bytes: Array(text.utf8), limits: limits)
    }

    public static func load(bytes: [UInt8], limits: LoaderLimits = .default) -> LoadResult {
        if bytes.count > limits.maxBytes {
            let diagnostic = SyntaxRules.tooLarge.diagnostic(
                "file is \(bytes.count) bytes; the limit is \(limits.maxBytes) bytes", at: .fileStart)
            return LoadResult(root: nil, diagnostics: [diagnostic], source: SourceText(bytes: []))
        }
        if let problem = UTF8Check.firstProblem(in: bytes) {
            let source = SourceText(bytes: bytes)
            let diagnostic: Diagnostic
            switch problem {
            case .nul(let offset):
                let at = source.location(ofByte: offset)
                diagnostic = SyntaxRules.nulByte.diagnostic(
                    "NUL byte at byte offset \(offset); a flow file must be text",
                    at: SourceRange(start: at, end: at))
            case .invalid(let offset):
                let at = source.location(ofByte: offset)
                let hex = String(bytes[offset], radix: 16, uppercase: true)
                diagnostic = SyntaxRules.invalidUTF8.diagnostic(
                    "invalid UTF-8 byte 0x\(hex) at byte offset \(offset); save the file as UTF-8",
                    at: SourceRange(start: at, end: at))
            }
            return LoadResult(root: nil, diagnostics: [diagnostic], source: source)
        }
        var builder = TreeBuilder(source: SourceText(bytes: bytes), limits: limits)
        builder.run()
        return LoadResult(root: builder.root, diagnostics: builder.diagnostics, source: builder.source)
    }
}

/// Turns libyaml's events into nodes with a stack of open collections.
private struct TreeBuilder {
    enum Frame {
        case mapping(start: SourceLocation, pairs: [Pair], key: (String, SourceRange)?, seen: [String: SourceRange])
        case sequence(start: SourceLocation, items: [Node])
    }

    static let complexKeyMarker = "\u{FFFC}complex-key-"

    let source: SourceText
    let limits: LoaderLimits
    var root: Node?
    var diagnostics: [Diagnostic] = []
    var stack: [Frame] = []
    var documents = 0
    var hint: (line: Int, column: Int, offset: Int) = (-1, 0, 0)

    init(source: SourceText, limits: LoaderLimits) {
        self.source = source
        self.limits = limits
    }

    mutating func location(_ mark: yaml_mark_t) -> SourceLocation {
        let offset = source.byteOffset(line: Int(mark.line), column: Int(mark.column), hint: &hint)
        return SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: offset)
    }

    mutating func range(_ event: yaml_event_t) -> SourceRange {
        SourceRange(start: location(event.start_mark), end: location(event.end_mark))
    }

    mutating func run() {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.append(SyntaxRules.syntax.diagnostic("libyaml could not start (out of memory)", at: .fileStart))
            return
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = source.bytes
        bytes.withUnsafeBufferPointer { buffer in
            // An empty buffer still needs a valid pointer for libyaml.
            var empty: UInt8 = 0
            if let base = buffer.baseAddress, buffer.count > 0 {
                yaml_parser_set_input_string(&parser, base, buffer.count)
            } else {
                yaml_parser_set_input_string(&parser, &empty, 0)
            }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    reportParserError(parser)
                    root = nil
                    return
                }
                let keepGoing = handle(event)
                let done = event.type == YAML_STREAM_END_EVENT
                yaml_event_delete(&event)
                if !keepGoing {
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
                diagnostics.append(
                    SyntaxRules.multipleDocuments.diagnostic(
                        "a second YAML document starts here; a flow file holds exactly one document", at: r))
                return false
            }
        case YAML_ALIAS_EVENT:
            let r = range(event)
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            diagnostics.append(
                SyntaxRules.anchor.diagnostic(
                    "alias '*\(name)' is not allowed; write the value out in full", at: r))
            return attach(Node(.scalar("", .plain), range: r))
        case YAML_SCALAR_EVENT:
            let r = range(event)
            let scalar = event.data.scalar
            checkAnchorAndTag(anchor: scalar.anchor, tag: scalar.tag, at: r)
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
            return attach(Node(.scalar(text, style), range: r))
        case YAML_SEQUENCE_START_EVENT:
            let r = range(event)
            checkAnchorAndTag(anchor: event.data.sequence_start.anchor, tag: event.data.sequence_start.tag, at: r)
            return push(.sequence(start: r.start, items: []), at: r)
        case YAML_MAPPING_START_EVENT:
            let r = range(event)
            checkAnchorAndTag(anchor: event.data.mapping_start.anchor, tag: event.data.mapping_start.tag, at: r)
            return push(.mapping(start: r.start, pairs: [], key: nil, seen: [:]), at: r)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let end = location(event.end_mark)
            guard let frame = stack.popLast() else { return true }
            switch frame {
            case .sequence(let start, let items):
                return attach(Node(.sequence(items), range: SourceRange(start: start, end: end)))
            case .mapping(let start, let pairs, _, _):
                return attach(Node(.mapping(pairs), range: SourceRange(start: start, end: end)))
            }
        default:
            break
        }
        return true
    }

    mutating func push(_ frame: Frame, at r: SourceRange) -> Bool {
        if stack.count >= limits.maxDepth {
            diagnostics.append(
                SyntaxRules.tooDeep.diagnostic(
                    "nesting goes deeper than \(limits.maxDepth) levels here; flatten the structure", at: r))
            return false
        }
        stack.append(frame)
        return true
    }

    /// Places a finished node into the collection being built, or makes it the root.
    mutating func attach(_ node: Node) -> Bool {
        guard let top = stack.popLast() else {
            root = node
            return true
        }
        switch top {
        case .sequence(let start, var items):
            items.append(node)
            stack.append(.sequence(start: start, items: items))
        case .mapping(let start, var pairs, let key, var seen):
            if let (name, keyRange) = key {
                if let first = seen[name] {
                    diagnostics.append(
                        SyntaxRules.duplicateKey.diagnostic(
                            "duplicate key '\(name)'; each key may appear once in a mapping", at: keyRange,
                            notes: [DiagnosticNote(message: "'\(name)' is first defined here", range: first)]))
                } else if !name.hasPrefix(Self.complexKeyMarker) {
                    seen[name] = keyRange
                    pairs.append(Pair(key: name, keyRange: keyRange, value: node))
                }
                stack.append(.mapping(start: start, pairs: pairs, key: nil, seen: seen))
            } else {
                let name: String
                if let text = node.scalar {
                    name = text
                } else {
                    diagnostics.append(
                        SyntaxRules.complexKey.diagnostic(
                            "a mapping key must be plain text, not \(node.kindDescription)", at: node.range))
                    // Already reported: the pair is dropped so that no later check sees a made-up key.
                    name = Self.complexKeyMarker + String(node.range.start.offset)
                }
                stack.append(.mapping(start: start, pairs: pairs, key: (name, node.range), seen: seen))
            }
        }
        return true
    }

    mutating func checkAnchorAndTag(
        anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, at r: SourceRange
    ) {
        if let anchor {
            let name = String(cString: anchor)
            diagnostics.append(
                SyntaxRules.anchor.diagnostic(
                    "anchor '&\(name)' is not allowed; write each value out where it is used", at: r))
        }
        if let tag {
            var name = String(cString: tag)
            // libyaml expands `!!str` to its full URI; show it as the tenant wrote it.
            if name.hasPrefix("tag:yaml.org,2002:") { name = "!!" + name.dropFirst("tag:yaml.org,2002:".count) }
            diagnostics.append(
                SyntaxRules.tag.diagnostic(
                    "tag '\(name)' is not allowed; the flow language decides each field's type", at: r))
        }
    }

    mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        var at: SourceLocation
        if parser.error == YAML_READER_ERROR {
            at = source.location(ofByte: parser.problem_offset)
        } else {
            at = location(parser.problem_mark)
        }
        var notes: [DiagnosticNote] = []
        var message = "invalid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextAt = location(parser.context_mark)
            message += " (\(context))"
            if contextAt != at {
                notes.append(DiagnosticNote(message: context, range: SourceRange(at: contextAt)))
            }
        }
        if parser.error == YAML_MEMORY_ERROR {
            message = "invalid YAML: libyaml ran out of memory"
            at = .start
        }
        diagnostics.append(SyntaxRules.syntax.diagnostic(message, at: SourceRange(at: at), notes: notes))
    }
}
