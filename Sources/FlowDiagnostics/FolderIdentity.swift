import Foundation

/// A folder's place on disk (device and inode), to notice a folder reached a second time through links: the
/// folder walks of `lint` and `test` enter each folder once, so a link to a folder above cannot loop. (A path
/// with its links resolved is no such key: a link's spelling can differ while the folder is the same.)
public struct FolderIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the folder `info` describes.
    public init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of the folder at `path`, following links; `nil` when it cannot be looked at.
    public init?(path: String) {
        var info = stat()
        guard SystemPath.stat(path, &info) == 0 else { return nil }
        self.init(info)
    }
}
