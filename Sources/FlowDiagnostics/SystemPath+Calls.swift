import Foundation

/// The system calls talkflow makes on paths from the user, each given the path's own bytes (`SystemPath`), so
/// that a name that is not UTF-8 opens the file it names. Same results and `errno` as the calls they wrap.
extension SystemPath {
    public static func stat(_ path: String, _ info: inout Foundation.stat) -> Int32 {
        withCString(path) { statFile($0, &info) }
    }

    public static func lstat(_ path: String, _ info: inout Foundation.stat) -> Int32 {
        withCString(path) { statLink($0, &info) }
    }

    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        withCString(path) { Glibc.open($0, flags, mode) }
    }

    public static func rename(_ from: String, _ to: String) -> Int32 {
        withCString(from) { source in withCString(to) { Glibc.rename(source, $0) } }
    }

    @discardableResult
    public static func unlink(_ path: String) -> Int32 {
        withCString(path) { Glibc.unlink($0) }
    }

    /// The path with every link and `.`/`..` resolved, `nil` (with `errno`) when some part does not exist.
    public static func realpath(_ path: String) -> String? {
        guard let resolved = withCString(path, { Glibc.realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return decode(cString: resolved)
    }

    /// The target a symbolic link holds, `nil` (with `errno`) when `path` is not a link or cannot be read.
    public static func readlink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = withCString(path) { Glibc.readlink($0, &buffer, buffer.count - 1) }
        guard count > 0 else { return nil }
        return decode(buffer[..<count].map { UInt8(bitPattern: $0) })
    }

    /// The names in a folder, `.` and `..` left out, each with its bytes kept; the `errno` when the folder
    /// cannot be listed. (Foundation's listing turns a name that is not UTF-8 into one that names nothing.)
    public static func names(inFolder path: String) -> Result<[String], POSIXError> {
        guard let stream = withCString(path, { opendir($0) }) else {
            return .failure(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { return .failure(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)) }
                return .success(names)
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { decode(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
    }
}

// Outside the extension, where `stat` names the call and not the type or the wrapper.
private func statFile(_ path: UnsafePointer<CChar>, _ info: inout stat) -> Int32 { stat(path, &info) }
private func statLink(_ path: UnsafePointer<CChar>, _ info: inout stat) -> Int32 { lstat(path, &info) }
