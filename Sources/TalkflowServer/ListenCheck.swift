import NIOCore
import NIOPosix

/// Whether the configured address can be listened on, asked before anything is opened: a server that cannot
/// listen must not first create and migrate a new store file it will never use. The address is bound and let go
/// at once (another process may still take it before the server binds; the server then reports it as before).
public enum ListenCheck {
    /// Throws what binding `host:port` throws (`IOError` with `EADDRINUSE` or `EADDRNOTAVAIL`,
    /// `SocketAddressError`). Port 0 (any free port) is bound too: it still tells a host no name server knows, or
    /// an address that is not this machine's.
    public static func check(host: String, port: Int) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port).get()
        try await channel.close()
    }
}
