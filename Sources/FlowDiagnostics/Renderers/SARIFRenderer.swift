import Foundation

/// Renders diagnostics as a SARIF 2.1.0 log, the format GitHub code scanning and other static-analysis dashboards
/// import, so flow problems show up next to the code in pull requests.
///
/// One run, whose `tool.driver` is `talkflow` with the given rules. Each diagnostic becomes a result with
/// `ruleId`, `ruleIndex` (when the id is among the rules), `level` (`error`, `warning` or `note`), `message.text`,
/// one location and a related location per note (carrying the note's message). A suggestion is appended to the
/// message text in parentheses, `unknown step 'x' (did you mean 'y'?)`, and also kept verbatim in
/// `properties.suggestion` for tools.
///
/// Regions use 1-based lines and columns with an exclusive end column, as SARIF requires, and the run declares
/// `columnKind: unicodeCodePoints` because our columns count Unicode scalars. Artifact URIs are the paths as
/// given (relative paths stay relative), percent-encoded where a URI needs it (`my flows/a.yaml` becomes
/// `my%20flows/a.yaml`). Strings are exact, with invisible characters written as `\u` escapes (`JSONOutput`).
/// Keys are sorted and the text ends with a newline. A file with diagnostics not shown ends with its
/// `notShownNote` as a result without `ruleIndex`, carrying the counts in `properties.notShown`.
public enum SARIFRenderer {
    /// The SARIF 2.1.0 JSON schema, as referenced from the log's `$schema`.
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    /// Renders every diagnostic of every file, in the order given, as one SARIF log.
    ///
    /// - Parameters:
    ///   - rules: every rule the tool can report, listed in `tool.driver.rules` so viewers can show each
    ///     rule's summary and fix; results point into this list by `ruleIndex`.
    ///   - toolVersion: the talkflow version, shown by viewers next to the tool name; omitted when `nil`.
    ///   - informationURI: where users read about talkflow (its documentation or repository); omitted when `nil`.
    public static func render(
        files: [FileDiagnostics],
        rules: [RuleDescriptor],
        toolVersion: String? = nil,
        informationURI: String? = nil
    ) -> String {
        var ruleIndex: [String: Int] = [:]
        for (index, rule) in rules.enumerated() where ruleIndex[rule.id] == nil {
            ruleIndex[rule.id] = index
        }
        var results: [Result] = []
        for file in files {
            let uri = uriReference(file.path)
            for diagnostic in file.rendered {
                var text = diagnostic.message
                if let suggestion = diagnostic.suggestion { text += " (\(suggestion))" }
                results.append(
                    Result(
                        ruleId: diagnostic.id,
                        ruleIndex: ruleIndex[diagnostic.id],
                        level: level(diagnostic.severity),
                        message: Message(text: text),
                        locations: [Location(uri: uri, range: diagnostic.range, message: nil)],
                        relatedLocations: diagnostic.notes.isEmpty
                            ? nil
                            : diagnostic.notes.map { Location(uri: uri, range: $0.range, message: $0.message) },
                        properties: diagnostic.suggestion.map { Properties(suggestion: $0) }
                            ?? (diagnostic.id == FileDiagnostics.notShownID
                                ? Properties(notShown: file.notShown) : nil)
                    )
                )
            }
        }
        let driver = Driver(
            name: "talkflow",
            version: toolVersion,
            informationUri: informationURI,
            rules: rules.map { rule in
                Rule(
                    id: rule.id,
                    shortDescription: Message(text: rule.summary),
                    fullDescription: Message(text: rule.fix),
                    defaultConfiguration: Configuration(level: level(rule.severity))
                )
            }
        )
        let log = Log(
            schema: schemaURI,
            version: "2.1.0",
            runs: [Run(tool: Tool(driver: driver), columnKind: "unicodeCodePoints", results: results)]
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and arrays of them cannot fail.
        let data = try! encoder.encode(log)
        return JSONOutput.text(of: data)
    }

    private static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    /// A path as a URI reference: RFC 3986 unreserved characters and `/` stay, every other byte of its UTF-8 is
    /// percent-encoded (including `:`, which would otherwise read as a scheme, and `%`). The path is the one the
    /// other formats print: a byte of a name that is not UTF-8 is U+FFFD (`%EF%BF%BD`), never the private-use
    /// character talkflow holds it as, which names no file under any spelling.
    static func uriReference(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in SystemPath.display(path).utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - SARIF objects (only the properties talkflow fills in)

    private struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    private struct Run: Encodable {
        var tool: Tool
        var columnKind: String
        var results: [Result]
    }

    private struct Tool: Encodable {
        var driver: Driver
    }

    private struct Driver: Encodable {
        var name: String
        var version: String?
        var informationUri: String?
        var rules: [Rule]
    }

    private struct Rule: Encodable {
        var id: String
        var shortDescription: Message
        var fullDescription: Message
        var defaultConfiguration: Configuration
    }

    private struct Configuration: Encodable {
        var level: String
    }

    private struct Message: Encodable {
        var text: String
    }

    private struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var level: String
        var message: Message
        var locations: [Location]
        var relatedLocations: [Location]?
        var properties: Properties?
    }

    private struct Properties: Encodable {
        var suggestion: String?
        /// Only on the note that ends a file whose diagnostics were not all shown.
        var notShown: DiagnosticCounts?
    }

    private struct Location: Encodable {
        var physicalLocation: PhysicalLocation
        var message: Message?

        init(uri: String, range: SourceRange, message: String?) {
            self.physicalLocation = PhysicalLocation(
                artifactLocation: ArtifactLocation(uri: uri),
                region: Region(range)
            )
            self.message = message.map { Message(text: $0) }
        }
    }

    private struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    private struct ArtifactLocation: Encodable {
        var uri: String
    }

    /// SARIF requires lines and columns of at least 1 and an end no earlier than the start.
    private struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
        var endLine: Int
        var endColumn: Int

        init(_ range: SourceRange) {
            startLine = max(range.start.line, 1)
            startColumn = max(range.start.column, 1)
            endLine = max(range.end.line, startLine)
            endColumn = max(range.end.column, 1)
            if endLine == startLine { endColumn = max(endColumn, startColumn) }
        }
    }
}
