import Conversations
import FlowDiagnostics
import Foundation
import Testing

/// A ` #` after a transcript's text written without quotes starts a YAML comment and cuts the text, as in flows:
/// `contact: Laura # Gómez` sends `Laura`. `talkflow test` warns `text_cut_by_comment` at the `#`, with lint's
/// quoting help, and the warning fails nothing (contract3 #5).
@Suite struct TranscriptCommentCutTests {
    /// A transcript of the default flow up to the name question, then `steps` (list items, indented by 2).
    static func transcript(_ steps: String) -> String {
        "flow: default.yaml\nexhaustive: false\nsteps:\n  - contact: hola\n  - tap: Acepto\n  - contact: compra\n"
            + steps
    }

    @Test func aCutContactTextPassesWithAWarningAtTheComment() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            Self.transcript(
                "  - contact: Laura # Gómez\n  - bot: \"Gracias, Laura. Te comunicamos con un asesor de ventas.\"\n"))
        #expect(result.status == .passed)
        #expect(result.allFailures.isEmpty)
        #expect(
            result.warnings.map { "\($0.range.start.line):\($0.range.start.column) \($0.severity) \($0.id)" } == [
                "7:20 warning text_cut_by_comment"
            ])
        let warning = try #require(result.warnings.first)
        #expect(
            warning.message
                == "' #' in 'contact' starts a YAML comment, so the flow receives only 'Laura', without '# Gómez'")
        #expect(
            warning.suggestion
                == "if the '#' belongs to the text, quote the whole text, \"Laura # Gómez\", or write it as a block "
                + "scalar (>-); put a comment meant for the file on a line of its own")
        let report = result.renderedReport()
        #expect(report.hasPrefix("\(result.path):7:20: warning: ' #' in 'contact' starts a YAML comment"))
        #expect(report.contains("  - contact: Laura # Gómez\n"))
    }

    @Test func quotedTextsAndCommentsOnTheirOwnLinesAreNotWarned() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            Self.transcript(
                "  # the name, quoted because of its '#'\n  - contact: \"Laura # Gómez\"\n"
                    + "  - bot: \"Gracias, Laura # Gómez. Te comunicamos con un asesor de ventas.\"\n"))
        #expect(result.status == .passed)
        #expect(result.warnings.isEmpty)
    }

    /// A cut input makes a later expectation fail: the warning comes first in the report, in file order, and
    /// explains the mismatch; a cut expectation is warned of too.
    @Test func aFailedTranscriptShowsTheWarningBeforeTheMismatch() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            Self.transcript(
                "  - contact: Laura # Gómez\n"
                    + "  - bot: \"Gracias, Laura # Gómez. Te comunicamos con un asesor de ventas.\"\n"
                    + "  - bot: Un asesor de ventas # te atenderá\n"))
        #expect(result.status == .failed)
        #expect(result.warnings.map(\.range.start.line) == [7, 9])
        #expect(
            result.warnings.last?.message
                == "' #' in 'bot' starts a YAML comment, so the transcript expects only 'Un asesor de ventas', "
                + "without '# te atenderá'")
        let headers = result.renderedReport().split(separator: "\n").filter { $0.hasPrefix(result.path) }
        #expect(
            headers.map { String($0.dropFirst(result.path.count).prefix(while: { $0 != " " })) } == [
                ":7:20:", ":8:5:", ":9:5:", ":9:30:",
            ])
    }

    @Test func theJUnitReportCarriesTheWarningsInSystemOut() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            Self.transcript(
                "  - contact: Laura # Gómez\n  - bot: \"Gracias, Laura. Te comunicamos con un asesor de ventas.\"\n"))
        let xml = TranscriptJUnit.xml([result])
        #expect(xml.contains("failures=\"0\""))
        #expect(!xml.contains("<failure"))
        #expect(xml.contains("<system-out>\(TranscriptJUnit.escape(result.renderedWarnings()))</system-out>"))
        #expect(result.renderedWarnings().contains("warning: ' #' in 'contact' starts a YAML comment"))
    }
}
