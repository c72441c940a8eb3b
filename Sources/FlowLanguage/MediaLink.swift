import FlowDiagnostics

/// A link WhatsApp fetches a file from: a message attachment's `url`, a template header's `link`. Both are sent to
/// Meta as written, so both are held to what Meta can fetch, in one place so that they cannot disagree.
enum MediaLink {
    /// Reports `link` when it is no https URL (Meta fetches media only over https; a bare file name or a relative
    /// path names nothing it can reach), when it has no host (`https:///a.pdf`), or when it holds a space or an invisible character: no part of a link,
    /// and in its last segment it would reach the contact in the file's name (U+202E reverses the text and
    /// disguises it). `name` says which key it is, e.g. "'url' of the attachment".
    static func check(_ link: Located<String>, named name: String, sink: DiagnosticSink) {
        if !link.value.lowercased().hasPrefix("https://") {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "\(name) must be an https URL (https://…), found '\(link.value)'", at: link.range))
        } else if link.value.dropFirst("https://".count).prefix(while: { !"/?#".contains($0) }).isEmpty {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "\(name) has no host: write the server after 'https://' (https://example.co/…), found "
                        + "'\(link.value)'", at: link.range))
        } else if let odd = link.value.unicodeScalars.first(where: URLFileName.isInvisible) {
            sink.add(
                SchemaRules.invalidValue.diagnostic(
                    "\(name) contains \(URLFileName.describe(odd)); write it percent-encoded or leave it out",
                    at: link.range))
        }
    }
}
