import Foundation

/// The text of a flow shipped in the repository's `Flows/` folder, found from this file's place.
enum ShippedFlow {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Flows")

    /// `Flows/<name>`'s text (empty when it cannot be read, so that a test comparing output fails visibly).
    static func text(_ name: String) -> String {
        (try? String(contentsOf: folder.appending(path: name), encoding: .utf8)) ?? ""
    }

    /// The default flow's text.
    static let defaultFlow = text("default.yaml")
}
