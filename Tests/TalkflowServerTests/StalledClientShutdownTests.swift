import AsyncHTTPClient
import Foundation
import GraphAPITestSupport
import NIOCore
import Testing

@testable import TalkflowServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real `talkflow serve`, with an agent's event stream (and a long thread) open to clients that stay
/// connected with a tiny receive buffer and never read, while megabytes of events are produced: SIGTERM makes
/// it exit with status 0 within the drain limit (it waited for those clients as long as they stalled), and a new
/// server on the same store starts at once (the sender lock was released).
@Suite("Shutdown with stalled clients", .hangGuard) struct StalledClientShutdownTests {
    static let contact = "573001112244"

    @Test func sigtermExitsWithinTheDrainLimitWhileClientsStopReading() async throws {
        let binary = try #require(ServeProcess.binary, "the talkflow executable was not found next to the tests")
        let folder = try TestFolder()
        defer { folder.remove() }
        try await FakeGraphAPI.run { fake in
            let config = try Self.writeConfig(in: folder, graphAPIURL: await fake.baseURL)
            let server = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 1)
            let client = HTTPClient.shared
            try await Self.handOff(Self.contact, server: server, client: client)

            let port = try #require(Int(server.base.split(separator: ":").last ?? ""))
            let api = "/api/v1/tenants/tienda"
            // Ana's stream: read up to `: connected` (the server has subscribed it), then never again.
            let stream = try StalledClient(
                port: port,
                request: "GET \(api)/agents/ana/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-ana\r\n\r\n")
            defer { stream.close() }
            #expect(stream.read(until: ": connected"))

            // 300 messages of 4,000 emoji (16 KB each once in the stream), 60 to a webhook: about 5 MB of
            // `message` events, more than the socket buffers and the channel's own buffer hold.
            let text = String(repeating: #"\ud83d\ude00"#, count: 4000)
            for batch in 0..<5 {
                let messages = (0..<60).map { index in
                    #"{"from":"\#(Self.contact)","id":"wamid.F\#(batch).\#(index)","timestamp":"1750000000","#
                        + #""text":{"body":"\#(text)"},"type":"text"}"#
                }
                let body = EndToEnd.webhook(from: Self.contact, message: messages.joined(separator: ","))
                let status = try await CrashTests.post(body, to: server.base, client: client, timeout: .seconds(60))
                #expect(status == 200)
            }
            // The thread of those messages is as long: an admin who asked for it and reads nothing either.
            let path = "\(api)/conversations/\(Self.contact)/messages?limit=500"
            let thread = try StalledClient(
                port: port, request: "GET \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-jefa\r\n\r\n")
            defer { thread.close() }
            try await Task.sleep(for: .seconds(1))

            let signaled = ContinuousClock.now
            await server.terminate()
            let took = ContinuousClock.now - signaled
            #expect(!server.signaled, "killed after 10 s: SIGTERM did not stop the server")
            #expect(server.exitStatus == 0)
            // The drain limit, and room for the rest of the shutdown on a busy machine.
            #expect(took < .seconds(3) + .seconds(3), "exited after \(took)")

            // The store's sender lock is free: a new server on it starts.
            let second = try await ServeProcess.start(binary: binary, config: config, folder: folder, run: 2)
            let health = try await client.execute(
                HTTPClientRequest(url: second.base + "/healthz"), timeout: .seconds(5))
            #expect(health.status == .ok)
            await second.terminate()
            #expect(second.exitStatus == 0)
        }
    }

    /// `ServeProcess.writeConfig`'s tenant, with the agent ana and the admin jefa (keys `key-ana`, `key-jefa`).
    static func writeConfig(in folder: TestFolder, graphAPIURL: String) throws -> String {
        let config = try ServeProcess.writeConfig(in: folder, graphAPIURL: graphAPIURL)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        let agents = """
                agents:
                  - id: ana
                    key_sha256: "\(AgentServer.hash("key-ana"))"
                  - id: jefa
                    key_sha256: "\(AgentServer.hash("key-jefa"))"
                    admin: true
                queues:
                  ventas: [ana]

            """
        let withAgents = text.replacingOccurrences(
            of: "    flow: flows/default.yaml\n", with: "    flow: flows/default.yaml\n" + agents)
        #expect(withAgents != text)
        try withAgents.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// Walks `contact` through consent into the sales handoff (to ana, the tenant's only agent who is not an
    /// admin), and waits until the admin's list shows it with her.
    static func handOff(_ contact: String, server: ServeProcess, client: HTTPClient) async throws {
        let messages = [
            EndToEnd.text("hola", from: contact, id: "wamid.H1"),
            EndToEnd.buttonReply(
                "consentimiento.accept", title: "Acepto", from: contact, id: "wamid.H2", context: "wamid.X"),
            EndToEnd.text("agente", from: contact, id: "wamid.H3"),
        ]
        for message in messages {
            #expect(try await CrashTests.post(message, to: server.base, client: client) == 200)
        }
        var request = HTTPClientRequest(url: server.base + "/api/v1/tenants/tienda/conversations")
        request.headers.add(name: "Authorization", value: "Bearer key-jefa")
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let response = try await client.execute(request, timeout: .seconds(5))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            if body.contains(#""agent":"ana""#), body.contains(#""status":"with_agent""#) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the contact was not handed off to ana")
    }
}

/// A TCP client with a 4 KiB receive buffer that sends one request and then reads nothing (unless told), as a
/// frozen console tab or a proxy that stopped reading does.
final class StalledClient: Sendable {
    let descriptor: Int32

    init(port: Int, request: String) throws {
        #if canImport(Glibc)
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var size: Int32 = 4096
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CancellationError() }
        let bytes = Array(request.utf8)
        guard send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw CancellationError() }
    }

    /// Reads until `marker` has arrived (or five seconds pass without a byte); whether it did.
    func read(until marker: String) -> Bool {
        var received = ""
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(marker) {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return false }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return true
    }

    func close() {
        #if canImport(Glibc)
            _ = Glibc.close(descriptor)
        #else
            _ = Darwin.close(descriptor)
        #endif
    }
}
