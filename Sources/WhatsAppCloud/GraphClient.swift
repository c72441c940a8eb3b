import AsyncHTTPClient
import Logging
import TalkflowJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Talks to Meta's Graph API for one deployment: sends messages, marks messages read and resolves media ids.
/// The access token is passed per call, since every tenant has its own; it is sent only in the `Authorization`
/// header and never logged. Every failure comes back as a `GraphError` whose `kind` says whether to retry, so the
/// outbox worker has one error type to handle: network failures, timeouts and cancellation are `transient`.
public struct GraphClient: Sendable {
    /// Where the API is and how long to wait for it.
    public struct Configuration: Sendable {
        /// Scheme, host and optional port, without a trailing path (`https://graph.facebook.com`; a fake on
        /// loopback in tests).
        public var baseURL: String
        /// The API version path segment (`v23.0`): configurable per deployment, as Meta retires versions.
        public var apiVersion: String
        /// The longest a call may take, connection included; past it the call fails as `transient`.
        public var requestTimeout: Duration
        /// The largest answer read; Meta's answers are a few hundred bytes.
        public var maxResponseBytes: Int

        /// A configuration; the defaults are Meta's production API at v23.0 and a 30-second deadline.
        public init(
            baseURL: String = "https://graph.facebook.com", apiVersion: String = "v23.0",
            requestTimeout: Duration = .seconds(30), maxResponseBytes: Int = 1 << 20
        ) {
            self.baseURL = baseURL
            self.apiVersion = apiVersion
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
        }
    }

    private let httpClient: HTTPClient
    private let configuration: Configuration
    private let logger: Logger

    /// A client over `httpClient` (owned by the caller, who shuts it down; build it with
    /// `httpClientConfiguration()` for a sensible connect timeout and no redirects).
    public init(
        httpClient: HTTPClient, configuration: Configuration = .init(),
        logger: Logger = Logger(label: "talkflow.whatsapp.graph")
    ) {
        self.httpClient = httpClient
        self.configuration = configuration
        self.logger = logger
    }

    /// An `HTTPClient` configuration for the Graph API: a connect timeout, no redirects (the API does not
    /// redirect, and a redirect must not carry the token elsewhere). Every call also has its whole deadline
    /// (`Configuration.requestTimeout`), so an idle-read timeout is off unless `readTimeout` is given: it would
    /// cost two timers per call for nothing the deadline does not already bound.
    public static func httpClientConfiguration(
        connectTimeout: Duration = .seconds(5), readTimeout: Duration? = nil
    ) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(nanoseconds(connectTimeout)),
                read: readTimeout.map { .nanoseconds(nanoseconds($0)) })
        )
        configuration.connectionPool.idleTimeout = .seconds(60)
        // As many HTTP/1.1 connections as the outbox sends at once (Meta's endpoint speaks HTTP/2, one
        // connection for all); requests that wait in the pool's queue cost a timer each.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // talkflow bootstraps no tracer: without one, AsyncHTTPClient skips building a span for every call.
        configuration.tracing.tracer = nil
        return configuration
    }

    /// What Meta answered to an accepted message.
    public struct SendResult: Sendable, Hashable {
        /// The message's wamid: status webhooks refer to it.
        public var messageID: String
        /// `accepted`, `held_for_quality_assessment` or `paused` (templates only).
        public var messageStatus: String?
        /// The contact's WhatsApp id as Meta resolved the number.
        public var waID: String?

        /// Builds a result.
        public init(messageID: String, messageStatus: String? = nil, waID: String? = nil) {
            self.messageID = messageID
            self.messageStatus = messageStatus
            self.waID = waID
        }
    }

    /// What the media endpoint says of a media id.
    public struct MediaInfo: Sendable, Hashable {
        /// The media id asked about.
        public var id: String
        /// A download URL, valid for 5 minutes, fetched with the same bearer token.
        public var url: String
        /// The file's MIME type, as the contact's phone declared it.
        public var mimeType: String
        /// Base64 SHA-256 of the file.
        public var sha256: String?
        /// The size in bytes: what the monthly attachment allowance counts.
        public var fileSize: Int64

        /// Builds a media description.
        public init(id: String, url: String, mimeType: String, sha256: String?, fileSize: Int64) {
            self.id = id
            self.url = url
            self.mimeType = mimeType
            self.sha256 = sha256
            self.fileSize = fileSize
        }
    }

    /// Sends a message body (`OutboundRequest.body()`) from the number `phoneNumberID`. Success means Meta
    /// accepted it, not that it was delivered: statuses follow by webhook.
    public func send(_ body: [UInt8], phoneNumberID: String, token: String) async throws(GraphError) -> SendResult {
        let answer = try await perform(.POST, path: [phoneNumberID, "messages"], body: body, token: token)
        guard let wire = WireSendResult.read(answer), let message = wire.messages.first
        else {
            throw GraphError(kind: .unexpectedResponse, httpStatus: 200, message: "success without a message id")
        }
        return SendResult(messageID: message.id, messageStatus: message.messageStatus, waID: wire.contacts?.first?.waID)
    }

    /// Marks the contact's message `messageID` (and the earlier ones) as read, with the typing indicator if asked.
    public func markRead(
        messageID: String, phoneNumberID: String, token: String, typingIndicator: Bool = false
    ) async throws(GraphError) {
        let body = OutboundRequest.markRead(messageID: messageID, typingIndicator: typingIndicator)
        _ = try await perform(.POST, path: [phoneNumberID, "messages"], body: body, token: token)
    }

    /// Resolves a media id from a webhook: its download URL, type, hash and size. `phoneNumberID`, when given,
    /// makes Meta check the media belongs to that number.
    public func mediaInfo(id: String, token: String, phoneNumberID: String? = nil) async throws(GraphError) -> MediaInfo
    {
        let query = phoneNumberID.map { "phone_number_id=\(Self.percentEncoded($0))" }
        let answer = try await perform(.GET, path: [id], query: query, body: nil, token: token)
        guard let wire = try? JSONDecoder().decode(WireMediaInfo.self, from: Data(answer)) else {
            throw GraphError(kind: .unexpectedResponse, httpStatus: 200, message: "media answer without url or size")
        }
        return MediaInfo(
            id: wire.id ?? id, url: wire.url, mimeType: wire.mimeType, sha256: wire.sha256, fileSize: wire.fileSize)
    }

    private enum Method {
        case GET, POST
    }

    /// `text` without `token`, as written or as Swift escapes it in a description (`\r`, `\"`).
    static func redacting(_ token: String, in text: String) -> String {
        guard !token.isEmpty else { return text }
        let escaped = String(String(reflecting: token).dropFirst().dropLast())
        return text.replacingOccurrences(of: token, with: "<access token>")
            .replacingOccurrences(of: escaped, with: "<access token>")
    }

    /// Performs one call and returns the body of a 2xx answer; anything else becomes a classified `GraphError`.
    private func perform(
        _ method: Method, path: [String], query: String? = nil, body: [UInt8]?, token: String
    ) async throws(GraphError) -> [UInt8] {
        var url = configuration.baseURL
        while url.hasSuffix("/") { url.removeLast() }
        url += "/" + Self.percentEncoded(configuration.apiVersion)
        for segment in path { url += "/" + Self.percentEncoded(segment) }
        if let query { url += "?" + query }

        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        switch method {
        case .GET:
            request.method = .GET
        case .POST:
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body ?? [])
        }
        let endpoint = path.count > 1 ? "messages" : "media"
        let started = ContinuousClock.now
        let status: Int
        let answer: [UInt8]
        do {
            let response = try await httpClient.execute(
                request, timeout: .nanoseconds(Self.nanoseconds(configuration.requestTimeout)), logger: logger)
            status = Int(response.status.code)
            do {
                let buffer = try await response.body.collect(upTo: configuration.maxResponseBytes)
                answer = Array(buffer.readableBytesView)
            } catch {
                logger.debug("graph answer unreadable", metadata: ["endpoint": "\(endpoint)", "status": "\(status)"])
                if (200...299).contains(status) {
                    throw GraphError(kind: .unexpectedResponse, httpStatus: status, message: "unreadable answer")
                }
                throw GraphError(httpStatus: status, body: [])
            }
        } catch let error as GraphError {
            throw error
        } catch {
            // The client's errors may quote the request's headers (a header value it refused): the token never
            // reaches a log line.
            let description = Self.redacting(token, in: "\(error)")
            logger.debug("graph call failed", metadata: ["endpoint": "\(endpoint)", "error": "\(description)"])
            throw GraphError(kind: .transient, message: "request failed: \(description)")
        }
        logger.debug(
            "graph call",
            metadata: [
                "endpoint": "\(endpoint)", "status": "\(status)",
                "ms": "\(Self.nanoseconds(ContinuousClock.now - started) / 1_000_000)",
            ])
        guard (200...299).contains(status) else { throw GraphError(httpStatus: status, body: answer) }
        return answer
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// A path segment or query value with everything but unreserved characters percent-encoded, so an id can
    /// never change the path it is put in.
    static func percentEncoded(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `{"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],"messages":[{"id","message_status"}]}`.
private struct WireSendResult: Decodable {
    struct Contact: Decodable {
        var waID: String?

        private enum CodingKeys: String, CodingKey {
            case waID = "wa_id"
        }
    }

    struct Message: Decodable {
        var id: String
        var messageStatus: String?

        private enum CodingKeys: String, CodingKey {
            case id
            case messageStatus = "message_status"
        }
    }

    var contacts: [Contact]?
    var messages: [Message]

    /// The answer read from a `JSONNode` tree, as `Decodable` reads it (`WebhookTreeReading`), or by `JSONDecoder`
    /// when it is not the plain shape; `nil` when it is not a send result at all.
    static func read(_ answer: [UInt8]) -> WireSendResult? {
        if let tree = JSONNode.parse(answer), let result = try? WireSendResult(tree: tree) { return result }
        return try? JSONDecoder().decode(WireSendResult.self, from: Data(answer))
    }

    private init(contacts: [Contact]?, messages: [Message]) {
        self.contacts = contacts
        self.messages = messages
    }

    private init(tree: JSONNode) throws(TreeMismatch) {
        self.init(
            contacts: try tree.optionalArray("contacts") { (node) throws(TreeMismatch) in
                Contact(waID: try node.optionalString("wa_id"))
            },
            messages: try tree.requiredArray("messages") { (node) throws(TreeMismatch) in
                Message(id: try node.requiredString("id"), messageStatus: try node.optionalString("message_status"))
            })
    }
}

/// `{"url","mime_type","sha256","file_size","id"}`; `file_size` is documented as a string (of digits), some
/// clients type it as a number: both are read.
private struct WireMediaInfo: Decodable {
    var id: String?
    var url: String
    var mimeType: String
    var sha256: String?
    var fileSize: Int64

    private enum CodingKeys: String, CodingKey {
        case id, url, sha256
        case mimeType = "mime_type"
        case fileSize = "file_size"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        url = try c.decode(String.self, forKey: .url)
        mimeType = try c.decode(String.self, forKey: .mimeType)
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        if let text = try? c.decode(String.self, forKey: .fileSize), let size = DigitString.int64(text) {
            fileSize = size
        } else {
            fileSize = try c.decode(Int64.self, forKey: .fileSize)
        }
        guard fileSize >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .fileSize, in: c, debugDescription: "negative size")
        }
    }
}
