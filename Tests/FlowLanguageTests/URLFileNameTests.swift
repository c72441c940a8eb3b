import FlowDiagnostics
import Testing

@testable import FlowLanguage

@Suite("The file name a URL gives")
struct URLFileNameTests {
    /// The last segment of the path, without query or fragment, percent-decoded as the contact reads it.
    @Test(
        arguments: [
            ("https://example.co/docs/factura.pdf", "factura.pdf"),
            ("https://example.co/docs/factura.pdf?v=2#p1", "factura.pdf"),
            ("https://example.co/docs/cat%C3%A1logo.pdf?v=2", "catálogo.pdf"),
            ("https://example.co/docs/lista%20de%20precios.PDF", "lista de precios.PDF"),
            // Decoded once: an encoded percent sign stays a percent sign.
            ("https://example.co/docs/50%25%20off.pdf", "50% off.pdf"),
            ("https://example.co/docs/doble%2520.pdf", "doble%20.pdf"),
        ])
    func nameOfTheURL(_ url: String, _ name: String) {
        #expect(URLFileName.of(url) == name)
    }

    /// A segment that is not valid percent-encoding of UTF-8 is kept as written.
    @Test(
        arguments: [
            "https://example.co/100%.pdf", "https://example.co/a%zz.pdf", "https://example.co/a%C3.pdf",
            "https://example.co/%FF.pdf",
            // Decoding would give a path separator or a control character: kept as written.
            "https://example.co/a%2Fb.pdf", "https://example.co/a%5Cb.pdf", "https://example.co/a%0Ab.pdf",
            "https://example.co/a%00b.pdf",
            // An emoji, a right-to-left override disguising the extension, a line separator, a zero-width space,
            // a private-use character, or `.` and `..`: no fit name to show a contact.
            "https://example.co/cat%C3%A1logo%F0%9F%98%80.pdf", "https://example.co/invoice%E2%80%AEfdp.pdf",
            "https://example.co/a%E2%80%A8b.pdf", "https://example.co/a%E2%80%8Bb.pdf",
            "https://example.co/a%EE%80%80b.pdf", "https://example.co/%2E%2E", "https://example.co/%2E",
        ])
    func invalidEncodingIsKept(_ url: String) {
        #expect(URLFileName.of(url) == String(url.dropFirst("https://example.co/".count)))
    }

    /// A path that ends with `/` names no file, nor does a URL without a path (its host names a server).
    @Test func aFolderNamesNoFile() {
        #expect(URLFileName.of("https://x.pdf") == nil)
        #expect(URLFileName.of("https://x.co") == nil)
        #expect(URLFileName.of("https://x.co?name=a.pdf") == nil)
        #expect(URLFileName.of("https://example.co/docs/") == nil)
        #expect(URLFileName.of("https://example.co/docs/?v=2") == nil)
    }

    /// Lint reads the file type from the decoded name, as the contact sees it; a `filename` wins over the URL.
    @Test func theFileTypeIsThatOfTheDecodedName() {
        func attachment(_ url: String, filename: String? = nil) -> FlowLanguage.Attachment {
            FlowLanguage.Attachment(
                url: Located(url, range: .fileStart), filename: filename.map { Located($0, range: .fileStart) },
                caption: nil,
                range: .fileStart)
        }
        #expect(attachment("https://example.co/cat%C3%A1logo.PDF?v=2").fileExtension == "pdf")
        #expect(attachment("https://example.co/informe.%70df").fileExtension == "pdf")
        #expect(attachment("https://example.co/informe%2Epdf").fileExtension == "pdf")
        #expect(attachment("https://example.co/100%.png").fileExtension == "png")
        #expect(attachment("https://example.co/docs/").fileExtension == "")
        #expect(attachment("https://example.co/f.exe", filename: "f.pdf").fileExtension == "pdf")
    }
}
