import AsyncHTTPClient
import FlowRuntime
import Foundation
import GraphAPITestSupport
import Testing
import WhatsAppCloud

/// The Graph API client against the fake Graph API over real HTTP on loopback.
@Suite struct GraphClientTests {
    static let phoneNumberID = "106540352242922"
    static let token = "EAAtoken-tenant-a"

    /// Runs `body` with a fake Graph API and a client pointed at it (its own HTTPClient, shut down afterwards).
    func withClient(
        version: String = "v23.0", timeout: Duration = .seconds(30), maxResponseBytes: Int = 1 << 20,
        _ body: @Sendable (GraphClient, FakeGraphAPI) async throws -> Void
    ) async throws {
        try await FakeGraphAPI.run { fake in
            let http = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: GraphClient.httpClientConfiguration())
            let client = GraphClient(
                httpClient: http,
                configuration: .init(
                    baseURL: await fake.baseURL, apiVersion: version, requestTimeout: timeout,
                    maxResponseBytes: maxResponseBytes))
            do {
                try await body(client, fake)
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    func textBody(_ text: String = "Hola", callbackData: String = "outbox-1") throws -> [UInt8] {
        try OutboundRequest(to: "+573001112233", message: .text(text), callbackData: callbackData).body()
    }

    @Test func sendReturnsTheWamidAndSendsTheExactRequest() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            let result = try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            #expect(result.messageID == "wamid.FAKE1")
            #expect(result.waID == "573001112233")
            let requests = await fake.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.path == "/v23.0/106540352242922/messages")
            #expect(request.headers["authorization"] == "Bearer EAAtoken-tenant-a")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.body == body)
        }
    }

    @Test func templateSendsReportTheMessageStatus() async throws {
        let body = try OutboundRequest(
            to: "573001112233",
            message: .template(
                name: "recordatorio_cita", language: "es", parameters: ["Ana"], headerType: nil, headerLink: nil)
        ).body()
        try await withClient { client, _ in
            let result = try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            #expect(result.messageStatus == "accepted")
        }
    }

    @Test func theVersionIsConfigurable() async throws {
        let body = try textBody()
        try await withClient(version: "v25.0") { client, fake in
            _ = try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            #expect(await fake.requests.first?.path == "/v25.0/106540352242922/messages")
        }
    }

    @Test func idsCannotChangeThePath() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            _ = try? await client.send(body, phoneNumberID: "../../me/accounts?x=", token: Self.token)
            let path = try #require(await fake.requests.first?.path)
            #expect(path == "/v23.0/..%2F..%2Fme%2Faccounts%3Fx%3D/messages")
        }
    }

    /// Each of Meta's error answers comes back as a `GraphError` of the right kind, with Meta's fields.
    @Test(arguments: [
        (FakeGraphAPI.Failure.rateLimit, GraphError.Kind.rateLimited, 130429, 400),
        (.pairRateLimit, .pairRateLimited, 131056, 400),
        (.windowClosed, .windowClosed, 131047, 400),
        (.invalidParameter, .invalidRequest, 100, 400),
        (.serverError, .transient, 131000, 500),
        (.expiredToken, .authentication, 190, 401),
    ])
    func errorAnswersAreClassified(failure: FakeGraphAPI.Failure, kind: GraphError.Kind, code: Int, status: Int)
        async throws
    {
        let body = try textBody()
        try await withClient { client, fake in
            await fake.failNext(failure)
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.kind == kind)
            #expect(error?.code == code)
            #expect(error?.httpStatus == status)
            #expect(error?.fbtraceID != nil)
            // The next send is answered normally.
            let result = try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            #expect(result.messageID == "wamid.FAKE1")
        }
    }

    @Test func rateLimitErrorsCarryMetasDetails() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            await fake.failNext(.rateLimit)
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.subcode == 2_494_055)
            #expect(error?.type == "OAuthException")
            #expect(error?.message == "(#130429) Rate limit hit")
            #expect(error?.details?.hasPrefix("Message failed to send because there were too many") == true)
            #expect(error?.retryAfter(attempt: 1) == .seconds(1))
        }
    }

    @Test func aWrongTokenIsAnAuthenticationError() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            await fake.requireToken(Self.token)
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: "EAAstale")
            }
            #expect(error?.kind == .authentication)
            #expect(error?.subcode == 463)
            _ = try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
        }
    }

    /// A token the HTTP client refuses as a header value (a carriage return): its error quotes the header, and
    /// the error talkflow logs must not carry the token.
    @Test func aTokenTheClientRefusesIsNotQuotedInTheError() async throws {
        let body = try textBody()
        try await withClient { client, _ in
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: "EAAsecretTOKEN123\r")
            }
            let text = "\(String(describing: error))"
            #expect(!text.contains("EAAsecretTOKEN123"), "\(text)")
            #expect(text.contains("<access token>"), "\(text)")
        }
    }

    @Test func aProxyErrorPageIsTransientAndNotQuoted() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            await fake.failNext(.badGatewayHTML)
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.kind == .transient)
            #expect(error?.httpStatus == 502)
            #expect(error?.code == nil)
            #expect(error.map { String(describing: $0).contains("html") } == false)
        }
    }

    @Test func aSuccessWithoutAMessageIDIsUnexpected() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            await fake.failNext(.custom(status: 200, body: #"{"messaging_product":"whatsapp"}"#))
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.kind == .unexpectedResponse)
            #expect(error?.kind.isRetryable == false)
        }
    }

    @Test func anAnswerLargerThanTheLimitIsUnexpectedAndNotRetried() async throws {
        let body = try textBody()
        try await withClient(maxResponseBytes: 400) { client, fake in
            await fake.failNext(.custom(status: 200, body: String(repeating: " ", count: 1000) + "{}"))
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.kind == .unexpectedResponse)
            // The connection is usable afterwards.
            let sent = try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            #expect(sent.messageID.hasPrefix("wamid."))
        }
    }

    @Test func aSlowAnswerTimesOutAsTransient() async throws {
        let body = try textBody()
        try await withClient(timeout: .milliseconds(200)) { client, fake in
            // The fake answers a normal success after 5 s: a client that did not time out would succeed, so the
            // error itself shows the timeout (no wall-clock bound, which a loaded machine broke at 4.3 s).
            await fake.failNext(.slow(.seconds(5)))
            let error = await #expect(throws: GraphError.self) {
                try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.kind == .transient)
            #expect(error?.httpStatus == nil)
        }
    }

    @Test func aClosedPortIsTransient() async throws {
        // A port nothing listens on: a fake's, once stopped, on 127.0.0.2. The tests' servers listen on 127.0.0.1
        // only, so another test that takes the freed port meanwhile cannot answer there (it did, with a 4xx).
        let baseURL = try await FakeGraphAPI.run { fake in await fake.baseURL }
            .replacingOccurrences(of: "127.0.0.1", with: "127.0.0.2")
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: GraphClient.httpClientConfiguration())
        let client = GraphClient(
            httpClient: http, configuration: .init(baseURL: baseURL, requestTimeout: .milliseconds(500)))
        let body = try textBody()
        let error = await #expect(throws: GraphError.self) {
            try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token)
        }
        #expect(error?.kind == .transient)
        try await http.shutdown()
    }

    @Test func markReadPostsTheReadBody() async throws {
        try await withClient { client, fake in
            try await client.markRead(
                messageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                phoneNumberID: Self.phoneNumberID, token: Self.token, typingIndicator: true)
            let requests = await fake.requests
            #expect(requests.map(\.path) == ["/v23.0/106540352242922/messages"])
            #expect(
                requests.first?.bodyText
                    == #"{"message_id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","#
                    + #""messaging_product":"whatsapp","status":"read","typing_indicator":{"type":"text"}}"#)
        }
    }

    @Test func markReadOfAnUnknownMessageFails() async throws {
        try await withClient { client, fake in
            await fake.failNext(
                .custom(
                    status: 400,
                    body: #"{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","#
                        + #""code":131009,"fbtrace_id":"AX"}}"#))
            let error = await #expect(throws: GraphError.self) {
                try await client.markRead(messageID: "wamid.nope", phoneNumberID: Self.phoneNumberID, token: Self.token)
            }
            #expect(error?.kind == .invalidRequest)
        }
    }

    @Test func mediaInfoReadsASizeGivenAsAString() async throws {
        try await withClient { client, fake in
            await fake.addMedia(
                id: "1003383421387256",
                json: #"{"messaging_product":"whatsapp","url":"https:\/\/lookaside.fbsbx.com\/whatsapp_business\/"#
                    + #"attachments\/?mid=1003383421387256&ext=1749416383","mime_type":"image\/jpeg","#
                    + #""sha256":"SfInY0gGb5ws6rn1PYgTEdYlT1A6tYbyLYKwWbRPJ08=","file_size":"303833","#
                    + #""id":"1003383421387256"}"#)
            let info = try await client.mediaInfo(
                id: "1003383421387256", token: Self.token, phoneNumberID: Self.phoneNumberID)
            #expect(info.fileSize == 303_833)
            #expect(info.mimeType == "image/jpeg")
            #expect(info.sha256 == "SfInY0gGb5ws6rn1PYgTEdYlT1A6tYbyLYKwWbRPJ08=")
            #expect(info.url.hasPrefix("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid="))
            let request = try #require(await fake.requests.first)
            #expect(request.method == "GET")
            #expect(request.path == "/v23.0/1003383421387256")
            #expect(request.query == "phone_number_id=106540352242922")
            #expect(request.headers["authorization"] == "Bearer EAAtoken-tenant-a")
        }
    }

    @Test func mediaInfoReadsASizeGivenAsANumber() async throws {
        try await withClient { client, fake in
            await fake.addMedia(
                id: "42",
                json: #"{"messaging_product":"whatsapp","url":"https:\/\/lookaside.fbsbx.com\/m\/42","#
                    + #""mime_type":"application\/pdf","sha256":"abc=","file_size":52428800,"id":"42"}"#)
            let info = try await client.mediaInfo(id: "42", token: Self.token)
            #expect(info.fileSize == 52_428_800)
            #expect(info.mimeType == "application/pdf")
            #expect(await fake.requests.first?.query == nil)
        }
    }

    @Test func mediaInfoWithoutASizeIsUnexpected() async throws {
        try await withClient { client, fake in
            await fake.addMedia(id: "7", json: #"{"url":"https:\/\/x\/7","mime_type":"image\/png","id":"7"}"#)
            let error = await #expect(throws: GraphError.self) {
                try await client.mediaInfo(id: "7", token: Self.token)
            }
            #expect(error?.kind == .unexpectedResponse)
        }
    }

    @Test func anUnknownMediaIDIsAnInvalidRequest() async throws {
        try await withClient { client, _ in
            let error = await #expect(throws: GraphError.self) {
                try await client.mediaInfo(id: "999", token: Self.token)
            }
            #expect(error?.kind == .invalidRequest)
            #expect(error?.code == 100)
            #expect(error?.subcode == 33)
        }
    }

    @Test func concurrentSendsAllSucceed() async throws {
        let body = try textBody()
        try await withClient { client, fake in
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await client.send(body, phoneNumberID: Self.phoneNumberID, token: Self.token).messageID
                    }
                }
                var ids = Set<String>()
                for try await id in group { ids.insert(id) }
                #expect(ids.count == 50)
            }
            #expect(await fake.requests.count == 50)
        }
    }
}
