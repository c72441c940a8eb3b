import Foundation

/// Reads the configuration file and the flow files it names, refusing what is not a regular file (a FIFO would
/// hang start-up) and never reading more than a limit (a mistaken path to a huge file must not exhaust memory).
enum SourceFiles {
    /// What reading gave: the bytes (at most `limit + 1`, so that the loader can report a file too large), or
    /// why the file could not be read, lower-case ("no such file or directory").
    enum Outcome {
        case bytes([UInt8])
        case failure(String)
    }

    static func read(_ path: String, limit: Int) -> Outcome {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            return .failure(describe(error))
        }
        if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
            return .failure(type == .typeDirectory ? "is a folder, not a file" : "is not a regular file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure("permission denied") }
        defer { try? handle.close() }
        do {
            return .bytes([UInt8](try handle.read(upToCount: limit + 1) ?? Data()))
        } catch {
            return .failure(describe(error))
        }
    }

    /// `path` as seen from the folder of `base` (a file path): unchanged when absolute.
    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = (base as NSString).deletingLastPathComponent
        return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
    }

    /// The POSIX reason inside a Foundation error when there is one, lower-case; otherwise its description.
    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        var code: Int32?
        if let underlying, underlying.domain == NSPOSIXErrorDomain { code = Int32(underlying.code) }
        if nsError.domain == NSPOSIXErrorDomain { code = Int32(nsError.code) }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { code = ENOENT }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoPermissionError { code = EACCES }
        guard let code else { return nsError.localizedDescription }
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
