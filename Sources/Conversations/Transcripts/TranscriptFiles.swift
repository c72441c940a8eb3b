import FlowDiagnostics
import Foundation

/// Finds transcript files: a named file is taken whatever its name; a named folder is searched recursively
/// for files ending in `.test.yaml` (or `.test.yml`), skipping entries whose name starts with `.`. Files come
/// out in command-line order, each folder's sorted by path, byte by byte, so runs are repeatable.
public enum TranscriptFiles {
    /// One path to run, or a named path that gave nothing to run.
    public enum Entry: Sendable, Hashable {
        case file(String)
        /// The path is missing, or a folder without transcripts; `message` says which.
        case problem(path: String, message: String)
    }

    /// Whether a file found in a folder is a transcript.
    public static func isTranscriptName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".test.yaml") || name.hasSuffix(".test.yml"))
    }

    /// The transcripts of the paths, in order.
    public static func find(_ paths: [String]) -> [Entry] {
        var entries: [Entry] = []
        for path in paths {
            var info = stat()
            guard SystemPath.stat(path, &info) == 0 else {
                entries.append(.problem(path: path, message: FileKind.describe(errno, path: path)))
                continue
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                entries.append(.file(path))
                continue
            }
            var found: [Entry] = []
            var visited: Set<FolderIdentity> = []
            walk(path, into: &found, visited: &visited)
            if found.isEmpty {
                entries.append(.problem(path: path, message: "no transcript files (*.test.yaml) in this folder"))
            }
            entries += found.sorted { SystemPath.precedes($0.path, $1.path) }
        }
        return entries
    }

    /// Collects the transcripts under `folder`; a folder reached twice through links is entered once. A folder
    /// that cannot be listed, and an entry that cannot be looked at (a path longer than the system allows, no
    /// permission), are problems, never skipped: they may hold transcripts. A link that points nowhere is
    /// skipped unless it is named like a transcript.
    private static func walk(_ folder: String, into found: inout [Entry], visited: inout Set<FolderIdentity>) {
        if let identity = FolderIdentity(path: folder) {
            guard visited.insert(identity).inserted else { return }
        }
        let names: [String]
        switch SystemPath.names(inFolder: folder) {
        case .success(let listed): names = listed
        case .failure(let code):
            found.append(.problem(path: folder, message: FileKind.describe(code.code.rawValue)))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let child = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var info = stat()
            guard SystemPath.stat(child, &info) == 0 else {
                let code = errno
                // As for flows: a link that points nowhere (dangling, a loop) is skipped unless named like one.
                if !FileKind.pointsNowhere(code) || isTranscriptName(name) {
                    found.append(.problem(path: child, message: FileKind.describe(code, path: child)))
                }
                continue
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                walk(child, into: &found, visited: &visited)
            } else if isTranscriptName(name) {
                found.append(.file(child))
            }
        }
    }

}

extension TranscriptFiles.Entry {
    /// The path of the file or of the problem, for sorting.
    var path: String {
        switch self {
        case .file(let path), .problem(let path, _): path
        }
    }
}
