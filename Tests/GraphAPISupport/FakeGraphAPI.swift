import Foundation
import Hummingbird
import Logging

/// A fake of Meta's Graph API: a real HTTP server on 127.0.0.1 (Hummingbird) that records every request and
/// answers like Meta, including Meta's error bodies, so clients are tested over real HTTP with no mocks.
///
/// - `POST /{version}/{phone-number-id}/messages` answers `{"messaging_product":"whatsapp","contacts":[…],
///   "messages":[{"id":"wamid.FAKE…"}]}` (templates add `"message_status":"accepted"`), or `{"success":true}` to a
///   mark-as-read body; a body that is not JSON gets Meta's `(#100)` error.
/// - `GET /{version}/{media-id}` answers what `addMedia` registered, or Meta's unknown-object error.
/// - `failNext` programs the answers to the next requests (any endpoint), in order: rate limit, window closed,
///   invalid parameter, server errors, an expired token, a slow answer, an answer held until `releaseHeld()`.
/// - With `requireToken`, any other bearer token gets Meta's code-190 answer.
///
/// Shared by the test targets of the WhatsApp Cloud client and of the server (target `GraphAPITestSupport`). Use it through
/// `FakeGraphAPI.run { fake in … }`, which starts it on a free port and stops it afterwards.
public actor FakeGraphAPI {
    /// One request as the fake received it.
    public struct RecordedRequest: Sendable {
        public var method: String
        /// The path, without the query (`/v23.0/106540352242922/messages`).
        public var path: String
        public var query: String?
        /// Header values by lower-cased name.
        public var headers: [String: String]
        public var body: [UInt8]

        /// The body as text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// A programmed answer.
    public enum Failure: Sendable {
        /// 130429, HTTP 400: throughput limit hit.
        case rateLimit
        /// 131056, HTTP 400: too many messages to the same contact.
        case pairRateLimit
        /// 131047, HTTP 400: more than 24 hours since the contact's last message.
        case windowClosed
        /// 100, HTTP 400: invalid parameter.
        case invalidParameter
        /// 131000, HTTP 500: "Something went wrong".
        case serverError
        /// HTTP 502 with an HTML page, as a proxy in front of Meta answers.
        case badGatewayHTML
        /// 190 (subcode 463), HTTP 401: the access token expired.
        case expiredToken
        /// The normal answer, after waiting this long (to test client timeouts).
        case slow(Duration)
        /// The normal answer, once the test calls `releaseHeld()`: a send kept in flight for as long as a test
        /// needs, whatever the machine's load.
        case held
        /// Any status with any body.
        case custom(status: Int, body: String)
    }

    /// The requests received so far, in order.
    public private(set) var requests: [RecordedRequest] = []
    /// `http://127.0.0.1:<port>`, set once the server listens.
    public private(set) var baseURL = ""
    private var failures: [Failure] = []
    private var media: [String: String] = [:]
    private var requiredToken: String?
    private var sent = 0
    private var heldAnswers: [CheckedContinuation<Void, Never>] = []
    private var released = false

    /// Programs the answers to the next requests, in order; later requests are answered normally.
    public func failNext(_ next: Failure...) { failures.append(contentsOf: next) }

    /// Lets every answer programmed as `held` go, and those held later go at once.
    public func releaseHeld() {
        released = true
        for answer in heldAnswers { answer.resume() }
        heldAnswers = []
    }

    /// Registers the JSON the media endpoint answers for `id`.
    public func addMedia(id: String, json: String) { media[id] = json }

    /// Answers Meta's code-190 error to any request without `Authorization: Bearer <token>`.
    public func requireToken(_ token: String) { requiredToken = token }

    /// The bodies of the message sends received (mark-as-read included), as text.
    public var messageBodies: [String] {
        requests.filter { $0.method == "POST" && $0.path.hasSuffix("/messages") }.map(\.bodyText)
    }

    private func setBaseURL(_ url: String) { baseURL = url }

    /// Starts a fake on a free loopback port, runs `body` with it and stops it.
    public static func run<T: Sendable>(_ body: @Sendable (FakeGraphAPI) async throws -> T) async throws -> T {
        let fake = FakeGraphAPI()
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "fake-graph-api")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                let bytes = try await request.body.collect(upTo: 64 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let recorded = RecordedRequest(
                    method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                    headers: headers, body: Array(bytes.readableBytesView))
                let (status, contentType, answer) = await fake.answer(recorded)
                var responseHeaders = HTTPFields()
                responseHeaders[.contentType] = contentType
                return Response(
                    status: .init(code: status), headers: responseHeaders,
                    body: .init(byteBuffer: ByteBuffer(bytes: Array(answer.utf8))))
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portSink.finish() }
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw FakeGraphAPIError.didNotStart
            }
            await fake.setBaseURL("http://127.0.0.1:\(port)")
            // Held answers are let go however the body ends: a test that failed before releasing them would
            // otherwise leave the server's shutdown waiting for those requests forever, a hang instead of a failure.
            do {
                let result = try await body(fake)
                await fake.releaseHeld()
                group.cancelAll()
                return result
            } catch {
                await fake.releaseHeld()
                group.cancelAll()
                throw error
            }
        }
    }

    /// Records the request and decides the answer: status, content type and body.
    private func answer(_ request: RecordedRequest) async -> (Int, String, String) {
        requests.append(request)
        if let requiredToken, request.headers["authorization"] != "Bearer \(requiredToken)" {
            return Self.error(.expiredToken)
        }
        if !failures.isEmpty {
            let failure = failures.removeFirst()
            if case .slow(let delay) = failure {
                try? await Task.sleep(for: delay)
            } else if case .held = failure {
                if !released { await withCheckedContinuation { heldAnswers.append($0) } }
            } else {
                return Self.error(failure)
            }
        }
        let segments = request.path.split(separator: "/").map(String.init)
        if request.method == "POST", segments.count == 3, segments[2] == "messages" {
            return sendAnswer(request.body)
        }
        if request.method == "GET", segments.count == 2 {
            if let json = media[segments[1]] { return (200, "application/json", json) }
            return (
                400, "application/json",
                #"{"error":{"message":"Unsupported get request. Object with ID '\#(segments[1])' does not exist, "#
                    + #"cannot be loaded due to missing permissions, or does not support this operation.","#
                    + #""type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"AFakeTrace1"}}"#
            )
        }
        return (
            404, "application/json",
            #"{"error":{"message":"Unknown path components","type":"OAuthException","code":2500,"#
                + #""fbtrace_id":"AFakeTrace2"}}"#
        )
    }

    private func sendAnswer(_ body: [UInt8]) -> (Int, String, String) {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            json["messaging_product"] as? String == "whatsapp"
        else {
            return (
                400, "application/json",
                #"{"error":{"message":"(#100) The parameter messaging_product is required.","#
                    + #""type":"OAuthException","code":100,"fbtrace_id":"AFakeTrace3"}}"#
            )
        }
        if json["status"] as? String == "read" { return (200, "application/json", #"{"success":true}"#) }
        sent += 1
        let to = (json["to"] as? String) ?? (json["recipient"] as? String) ?? ""
        let waID = to.hasPrefix("+") ? String(to.dropFirst()) : to
        let status = json["type"] as? String == "template" ? #","message_status":"accepted""# : ""
        let id = "wamid.FAKE\(String(sent, radix: 10))"
        return (
            200, "application/json",
            #"{"messaging_product":"whatsapp","contacts":[{"input":"\#(to)","wa_id":"\#(waID)"}],"#
                + #""messages":[{"id":"\#(id)"\#(status)}]}"#
        )
    }

    private static func error(_ failure: Failure) -> (Int, String, String) {
        switch failure {
        case .rateLimit:
            return (
                400, "application/json",
                #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"#
                    + #""error_data":{"messaging_product":"whatsapp","details":"Message failed to send because "#
                    + #"there were too many messages sent from this phone number in a short period of time"},"#
                    + #""error_subcode":2494055,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"#
            )
        case .pairRateLimit:
            return (
                400, "application/json",
                #"{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","#
                    + #""type":"OAuthException","code":131056,"error_data":{"messaging_product":"whatsapp","#
                    + #""details":"Message failed to send because there were too many messages sent from this "#
                    + #"phone number to the same phone number in a short period of time."},"#
                    + #""fbtrace_id":"AFakeTrace4"}}"#
            )
        case .windowClosed:
            return (
                400, "application/json",
                #"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"#
                    + #""error_data":{"messaging_product":"whatsapp","details":"Message failed to send because "#
                    + #"more than 24 hours have passed since the customer last replied to this number."},"#
                    + #""fbtrace_id":"AFakeTrace5"}}"#
            )
        case .invalidParameter:
            return (
                400, "application/json",
                #"{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"#
                    + #""error_data":{"messaging_product":"whatsapp","details":"Parameter value is not valid"},"#
                    + #""fbtrace_id":"AFakeTrace6"}}"#
            )
        case .serverError:
            return (
                500, "application/json",
                #"{"error":{"message":"(#131000) Something went wrong","type":"OAuthException","code":131000,"#
                    + #""error_data":{"messaging_product":"whatsapp","details":"Something went wrong"},"#
                    + #""fbtrace_id":"AFakeTrace7"}}"#
            )
        case .badGatewayHTML:
            return (502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>")
        case .expiredToken:
            return (
                401, "application/json",
                #"{"error":{"message":"Error validating access token: Session has expired on Friday, "#
                    + #"01-Aug-26 10:00:00 PDT.","type":"OAuthException","code":190,"error_subcode":463,"#
                    + #""fbtrace_id":"AFakeTrace8"}}"#
            )
        case .custom(let status, let body):
            return (status, "application/json", body)
        case .slow, .held:
            return (500, "application/json", "{}")
        }
    }
}

/// The fake could not start its server.
public enum FakeGraphAPIError: Error {
    case didNotStart
}
