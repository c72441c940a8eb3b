import FlowDiagnostics
import Foundation

/// Where the files a configuration names are: its flows, relative to the configuration's folder. (They are read
/// with `BoundedFileReader`, as the command line reads them.)
enum SourceFiles {
    /// `path` as seen from the folder of `base` (a file path): unchanged when absolute.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = SystemPath.folder(of: base)
        return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
    }
}
