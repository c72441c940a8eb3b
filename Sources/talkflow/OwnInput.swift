import FlowCompiler
import FlowDiagnostics
import Foundation

/// A file the running command reads, which a file it writes (`compile -o`, `test --junit`, the REPL's `/save`)
/// must never replace: one mistyped extension (`-o pedido.yaml` for `pedido.json`) would otherwise destroy the
/// flow without a word, the write being atomic and the old file gone.
struct OwnInput: Equatable {
    /// The path as the command was given it.
    let path: String
    /// What the file is to the command, as the refusal says it: "the flow being compiled".
    let role: String

    /// The flow at `flowPath` and the consent lock beside it (read with it, and replaced by no output either),
    /// `being` what is done with the flow ("compiled", "run").
    static func flow(_ flowPath: String, being doing: String, article: String = "the") -> [OwnInput] {
        [
            OwnInput(path: flowPath, role: "\(article) flow being \(doing)"),
            OwnInput(
                path: ConsentLock.path(forFlow: flowPath), role: "the consent lock of \(article) flow being \(doing)"),
        ]
    }

    /// Why writing `destination` (links already followed) would replace one of `inputs`, or `nil`. The same
    /// file is the same device and inode, whatever path or link reaches it; a destination that does not exist
    /// yet is compared by its path, folders resolved (a lock not written yet is still the flow's).
    static func conflict(writing destination: String, inputs: [OwnInput]) -> String? {
        guard !inputs.isEmpty else { return nil }
        var target = stat()
        let exists = SystemPath.stat(destination, &target) == 0
        let place = exists ? nil : canonical(destination)
        for input in inputs {
            var info = stat()
            let same: Bool
            if exists {
                same =
                    SystemPath.stat(input.path, &info) == 0 && info.st_dev == target.st_dev
                    && info.st_ino == target.st_ino
            } else {
                same = canonical(input.path) == place
            }
            if same { return "it is \(input.role); choose another file" }
        }
        return nil
    }

    /// `path` absolute, its folder's links and `.`/`..` resolved when the folder exists.
    private static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let folder = SystemPath.folder(of: absolute)
        let name = (absolute as NSString).lastPathComponent
        if let resolved = SystemPath.realpath(folder) {
            return (resolved == "/" ? "" : resolved) + "/" + name
        }
        return (absolute as NSString).standardizingPath
    }
}
