import FlowDiagnostics
import Foundation

/// One thing `talkflow lint` was asked to check: a file to read, or a named path that gave nothing to read
/// (missing, a folder without flows), which is reported and makes the run exit 2.
enum FlowInput: Equatable {
    case file(path: String)
    case problem(path: String, message: String)

    /// The path as shown to the user, for sorting and messages.
    var path: String {
        switch self {
        case .file(let path), .problem(let path, _): path
        }
    }
}

/// Turns the paths of the command line into the files to check, so that `talkflow lint flows/` works on a
/// whole repository and always visits files in the same order.
///
/// A named file is taken as is, whatever its name. A named folder is searched recursively for files whose
/// name ends in `.yaml` or `.yml`, skipping every entry whose name starts with `.` (hidden folders and files,
/// `.build*`, `.git`), and its files come out sorted by path, byte by byte. Symbolic links are followed; a
/// folder already visited is not entered again, so a link cycle cannot loop.
enum FlowFinder {
    /// The inputs for the paths, in command-line order, each folder's files sorted.
    static func inputs(for paths: [String]) -> [FlowInput] {
        var inputs: [FlowInput] = []
        for path in paths {
            var info = stat()
            guard SystemPath.stat(path, &info) == 0 else {
                inputs.append(.problem(path: path, message: FileKind.describe(errno, path: path)))
                continue
            }
            guard FileSystem.isDirectory(info) else {
                inputs.append(.file(path: path))
                continue
            }
            var found: [FlowInput] = []
            var visited: Set<FolderIdentity> = []
            walk(path, identity: FolderIdentity(info), into: &found, visited: &visited)
            if found.isEmpty {
                inputs.append(.problem(path: path, message: "no flow files (*.yaml, *.yml) in this folder"))
            }
            inputs += found.sorted { SystemPath.precedes($0.path, $1.path) }
        }
        return inputs
    }

    /// Whether a file name found in a folder is a flow file.
    /// Transcript tests (`*.test.yaml`) live beside the flows they test and are not flows.
    static func isFlowName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
            && !name.hasSuffix(".test.yaml") && !name.hasSuffix(".test.yml")
    }

    /// Collects the flow files under `folder` depth-first; an unlistable folder becomes a problem entry.
    private static func walk(
        _ folder: String, identity: FolderIdentity, into found: inout [FlowInput], visited: inout Set<FolderIdentity>
    ) {
        guard visited.insert(identity).inserted else { return }
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
                // A link that points nowhere (dangling, or a loop of links) is skipped unless it is named like a
                // flow, which was meant to be checked. Any other failure (a path longer than the system allows, no
                // permission to look) hides what the entry is, perhaps a folder of flows: it is reported.
                let code = errno
                if !FileKind.pointsNowhere(code) || isFlowName(name) {
                    found.append(.problem(path: child, message: FileKind.describe(code, path: child)))
                }
                continue
            }
            if FileSystem.isDirectory(info) {
                walk(child, identity: FolderIdentity(info), into: &found, visited: &visited)
            } else if isFlowName(name) {
                found.append(.file(path: child))
            }
        }
    }
}

/// Small wrappers over POSIX file facts, shared by finding and reading.
enum FileSystem {
    /// Writes `text` to `path` through a temporary file in the same folder and a rename, so that a reader never
    /// sees half a machine and a failed write leaves the old file intact. Returns why it failed, or `nil`.
    ///
    /// A rename replaces whatever `path` names, so it is used for regular files only: a symbolic link is
    /// followed (the link stays, its target is written), and a device or a pipe (`/dev/null`, `/dev/stdout`, a
    /// FIFO) is written in place; renaming over one would put a regular file where the device was. A file the
    /// command reads (`sparing`) is never written, through whatever path or link it is named. A replaced file
    /// keeps its mode.
    static func writeAtomically(_ text: String, to given: String, sparing inputs: [OwnInput] = []) -> String? {
        // The system takes a name up to its first NUL: writing would replace another file (the flow itself, for
        // `/save flow.yaml<NUL>.test.yaml`) while the caller names this one.
        if given.utf8.contains(0) { return "the name contains a NUL character, which no file name can" }
        var path = given
        var info = stat()
        if SystemPath.lstat(given, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            if let resolved = SystemPath.realpath(given) {
                path = resolved
            } else {
                // A link to a file not written yet: its target, relative to the link's folder.
                guard let target = SystemPath.readlink(given) else { return FileKind.describe(errno) }
                let folder = SystemPath.folder(of: given)
                path = target.hasPrefix("/") || folder.isEmpty ? target : folder + "/" + target
            }
        }
        if let conflict = OwnInput.conflict(writing: path, inputs: inputs) { return conflict }
        let exists = SystemPath.stat(path, &info) == 0
        if exists, info.st_mode & S_IFMT != S_IFREG {
            if isDirectory(info) { return "is a folder" }
            let descriptor = SystemPath.open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            // Opening a FIFO without blocking fails with ENXIO ("no such device or address") when no program
            // reads it: say that, which is what the user can fix.
            if descriptor < 0, errno == ENXIO, info.st_mode & S_IFMT == S_IFIFO {
                return "it is a FIFO with no reader; start the program that reads it first, or name a regular file"
            }
            guard descriptor >= 0 else { return FileKind.describe(errno) }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
            var failure = writeAll(text, to: descriptor)
            if close(descriptor) != 0, failure == nil { failure = FileKind.describe(errno) }
            return failure
        }
        let temporary = "\(path).talkflow-\(getpid()).tmp"
        let descriptor = SystemPath.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return FileKind.describe(errno) }
        var failure: String?
        if exists {
            // The replaced file keeps its permissions (a 0600 transcript stays private, a group-writable lock
            // group-writable), and its owner and group where the user may give them, as `sed -i` and editors do.
            _ = fchown(descriptor, info.st_uid, info.st_gid)
            if fchmod(descriptor, info.st_mode & 0o777) != 0 { failure = FileKind.describe(errno) }
        }
        if failure == nil { failure = writeAll(text, to: descriptor) }
        if close(descriptor) != 0, failure == nil { failure = FileKind.describe(errno) }
        if failure == nil, SystemPath.rename(temporary, path) != 0 { failure = FileKind.describe(errno) }
        if failure != nil { SystemPath.unlink(temporary) }
        return failure
    }

    /// Writes all of `text` to an open descriptor; returns why it failed, or `nil`.
    private static func writeAll(_ text: String, to descriptor: Int32) -> String? {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno != EINTR { return FileKind.describe(errno) }
            } else {
                bytes = bytes.dropFirst(written)
            }
        }
        return nil
    }

    /// Whether `stat` describes a folder (links already followed).
    static func isDirectory(_ info: stat) -> Bool {
        info.st_mode & S_IFMT == S_IFDIR
    }
}
