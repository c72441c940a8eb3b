import Foundation

/// What reading a file under a size limit gave.
public enum BoundedRead: Sendable, Equatable {
    case bytes([UInt8])
    /// The file is larger than the limit; it was not read.
    case tooLarge(size: Int)
    /// The file could not be read; the message says why, lower-case ("no such file or directory").
    case failure(String)
}

/// Reads the files a user names (flows, consent locks, transcripts, the server's configuration) without ever
/// blocking or exhausting memory on a hostile path: the one reader of the command line and the server.
///
/// The file is opened non-blocking (so a FIFO cannot hang the open), then `fstat` on the open descriptor
/// checks that it is a regular file and not larger than the limit before a single byte is read; checking
/// the descriptor rather than the path leaves no window in which the file could be swapped. At most
/// `limit + 1` bytes are read, so a file that grows after the check is still caught.
public enum BoundedFileReader {
    /// Reads the file at `path` (its bytes kept, `SystemPath`) if it is a regular file of at most `limit` bytes.
    public static func read(_ path: String, limit: Int) -> BoundedRead {
        var info = stat()
        // stat first only for a precise message: opening a socket fails with an unhelpful error.
        if SystemPath.stat(path, &info) == 0, let kind = FileKind.irregular(info) {
            return .failure("not a regular file (\(kind))")
        }
        let descriptor = SystemPath.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(FileKind.describe(errno)) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard fstat(descriptor, &info) == 0 else { return .failure(FileKind.describe(errno)) }
        if let kind = FileKind.irregular(info) { return .failure("not a regular file (\(kind))") }
        if Int(info.st_size) > limit { return .tooLarge(size: Int(info.st_size)) }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            if data.count > limit { return .tooLarge(size: data.count) }
            return .bytes([UInt8](data))
        } catch {
            return .failure(FileKind.describe(error))
        }
    }
}
