import Foundation

/// Facts about files in the words every error line of talkflow uses ("cannot read '<path>': <reason>"), so that
/// `lint`, `test`, `serve` and the store commands explain the same path alike.
public enum FileKind {
    /// The kind of a file that is not a regular one ("a folder", "a FIFO", "a device"…), `nil` for a regular file.
    public static func irregular(_ info: stat) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "an unknown kind of file"
        }
    }

    /// `strerror` with a lower-case start, to fit the messages of talkflow ("no such file or directory").
    /// Whether `stat` failing with `code` means the entry is a link that points nowhere (its target is missing,
    /// or links lead back to it in a loop): the folder walks of `lint` and `test` skip such a link unless it is
    /// named like a file they read, and report any other failure.
    public static func pointsNowhere(_ code: Int32) -> Bool {
        code == ENOENT || code == ENOTDIR || code == ELOOP
    }

    public static func describe(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Why a call on `path` failed with `code`: a path over the system's limit says so with its length, which
    /// `strerror`'s "file name too long" does not (the name is short; the path through its folders is not).
    public static func describe(_ code: Int32, path: String) -> String {
        guard code == ENAMETOOLONG else { return describe(code) }
        return "the path is \(path.utf8.count) bytes, longer than the system allows (\(PATH_MAX) bytes)"
    }

    /// The POSIX reason inside a Foundation error when there is one, lower-case; otherwise its description.
    public static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        var code: Int32?
        if let underlying, underlying.domain == NSPOSIXErrorDomain { code = Int32(underlying.code) }
        if nsError.domain == NSPOSIXErrorDomain { code = Int32(nsError.code) }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError { code = ENOENT }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoPermissionError { code = EACCES }
        guard let code else { return nsError.localizedDescription }
        return describe(code)
    }
}
