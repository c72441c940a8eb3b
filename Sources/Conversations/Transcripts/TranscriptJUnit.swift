import FlowDiagnostics

/// Writes transcript results as JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub Actions
/// reporters) read, so a failing transcript shows up as a failing test case with its location.
///
/// Shape: one `<testsuites>` with the totals; one `<testsuite>` per flow (named by the flow's id; transcripts
/// whose flow never ran go to a suite named `transcripts`); one `<testcase>` per transcript, `name` its test
/// name, `classname` and `file` its path. A failed transcript holds one `<failure>` whose `message` is the first
/// failure (`line:col: message`) and whose text is every failure as `talkflow test` prints it; an unreadable one
/// holds an `<error>`. A transcript with warnings (`text_cut_by_comment`) holds them, as printed, in a
/// `<system-out>`, whatever its verdict: they fail nothing, so they are no `<failure>`. Text is escaped, and
/// characters XML 1.0 cannot carry become U+FFFD.
public enum TranscriptJUnit {
    /// The XML document for these results.
    public static func xml(_ results: [TranscriptResult]) -> String {
        var suites: [(name: String, results: [TranscriptResult])] = []
        for result in results {
            let suite = result.coverage?.flow ?? "transcripts"
            if let index = suites.firstIndex(where: { $0.name == suite }) {
                suites[index].results.append(result)
            } else {
                suites.append((suite, [result]))
            }
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"talkflow test\"" + counts(results) + ">\n"
        for suite in suites {
            out += "  <testsuite name=\"\(escape(suite.name))\"" + counts(suite.results) + ">\n"
            for result in suite.results {
                out += "    <testcase name=\"\(escape(result.name))\" classname=\"\(escape(result.path))\" "
                out += "file=\"\(escape(result.path))\" time=\"\(seconds(result.seconds))\""
                let warnings =
                    result.warnings.isEmpty
                    ? "" : "      <system-out>\(escape(result.renderedWarnings()))</system-out>\n"
                switch result.status {
                case .passed:
                    out += warnings.isEmpty ? "/>\n" : ">\n" + warnings + "    </testcase>\n"
                case .failed:
                    out += ">\n      <failure message=\"\(escape(firstMessage(result)))\" type=\"transcript\">"
                    out += escape(result.renderedFailures()) + "</failure>\n" + warnings + "    </testcase>\n"
                case .unreadable:
                    out += ">\n      <error message=\"\(escape(firstMessage(result)))\" type=\"unreadable\">"
                    out += escape(result.renderedFailures()) + "</error>\n" + warnings + "    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func counts(_ results: [TranscriptResult]) -> String {
        let failures = results.count(where: { $0.status == .failed })
        let errors = results.count(where: { $0.status == .unreadable })
        let time = results.reduce(0) { $0 + $1.seconds }
        return " tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(time))\""
    }

    static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// The first failure as `path:line:col: message`, or why the file could not be read.
    static func firstMessage(_ result: TranscriptResult) -> String {
        for file in result.failures {
            if let first = file.diagnostics.first {
                return "\(file.path):\(first.range.start.line):\(first.range.start.column): \(first.message)"
            }
        }
        return result.unreadableReason ?? "failed"
    }

    /// Escapes XML's special characters (quotes too, for attributes) and replaces characters XML 1.0 forbids,
    /// after showing the text as the terminal shows it (`VisibleText`: a CI dashboard renders the report, and a
    /// U+202E in a name must not reverse it); tabs and line breaks stay.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in VisibleText.of(text, keeping: ["\t", "\n", "\r"]).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                let allowed = (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}
