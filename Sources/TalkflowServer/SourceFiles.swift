import FlowDiagnostics
import Foundation

/// Reads the configuration file and the flow files it names, refusing what is not a regular file (a FIFO would
/// hang start-up) and never reading more than a limit (a mistaken path to a huge file must not exhaust memory).
enum SourceFiles {
    /// What reading gave: the bytes, the size of a file over the limit (not read), or why the file could not
    /// be read, lower-case ("no such file or directory").
    enum Outcome {
        case bytes([UInt8])
        case tooLarge(size: Int)
        case failure(String)
    }

    static func read(_ path: String, limit: Int) -> Outcome {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(FileKind.describe(errno)) }
        if let kind = FileKind.irregular(info) { return .failure("not a regular file (\(kind))") }
        if Int(info.st_size) > limit { return .tooLarge(size: Int(info.st_size)) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure("permission denied") }
        defer { try? handle.close() }
        do {
            // A file that grew after the check is still caught: one byte more than the limit is read.
            let bytes = [UInt8](try handle.read(upToCount: limit + 1) ?? Data())
            return bytes.count > limit ? .tooLarge(size: bytes.count) : .bytes(bytes)
        } catch {
            return .failure(FileKind.describe(error))
        }
    }

    /// `path` as seen from the folder of `base` (a file path): unchanged when absolute.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (base as NSString).deletingLastPathComponent
        return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
    }
}
