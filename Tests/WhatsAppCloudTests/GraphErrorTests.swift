import Testing
import WhatsAppCloud

/// Classification of Meta's error codes (whatsapp-cloud-api.md §12) and the retry schedule.
@Suite struct GraphErrorTests {
    static let table: [(Int, GraphError.Kind)] = [
        (4, .rateLimited), (80007, .rateLimited), (130429, .rateLimited),
        (131056, .pairRateLimited),
        (1, .transient), (2, .transient), (131000, .transient), (131016, .transient), (131057, .transient),
        (133004, .transient),
        (131047, .windowClosed),
        (100, .invalidRequest), (131008, .invalidRequest), (131009, .invalidRequest), (131021, .invalidRequest),
        (131051, .invalidRequest), (131052, .invalidRequest), (131053, .invalidRequest), (132000, .invalidRequest),
        (132001, .invalidRequest), (132005, .invalidRequest), (132007, .invalidRequest), (132012, .invalidRequest),
        (0, .authentication), (190, .authentication),
        (3, .permission), (10, .permission), (200, .permission), (250, .permission), (299, .permission),
        (131005, .permission),
        (368, .blocked(.accountRestricted)), (131031, .blocked(.accountRestricted)),
        (131042, .blocked(.paymentIssue)), (131048, .blocked(.spamRateLimit)),
        (131049, .blocked(.ecosystemEngagement)), (131050, .blocked(.marketingOptOut)),
        (131026, .blocked(.undeliverable)), (132015, .blocked(.templatePaused)),
        (132016, .blocked(.templateDisabled)), (130472, .blocked(.experiment)),
    ]

    /// The code decides, whatever the HTTP status (Meta: branch on the code, not the status).
    @Test(arguments: table)
    func codesAreClassifiedByTheTable(code: Int, kind: GraphError.Kind) {
        #expect(GraphError.classify(code: code, httpStatus: 400) == kind)
        #expect(GraphError.classify(code: code, httpStatus: 500) == kind)
        #expect(GraphError.classify(code: code, httpStatus: nil) == kind)
        #expect(WebhookError(code: code, title: "t").kind == kind)
    }

    @Test func unknownCodesGoByHTTPStatus() {
        #expect(GraphError.classify(code: 987_654, httpStatus: 500) == .transient)
        #expect(GraphError.classify(code: 987_654, httpStatus: 503) == .transient)
        #expect(GraphError.classify(code: 987_654, httpStatus: 400) == .invalidRequest)
        #expect(GraphError.classify(code: 987_654, httpStatus: 404) == .invalidRequest)
        #expect(GraphError.classify(code: 987_654, httpStatus: 429) == .rateLimited)
        #expect(GraphError.classify(code: 987_654, httpStatus: nil) == .invalidRequest)
        #expect(GraphError.classify(code: nil, httpStatus: 502) == .transient)
        #expect(GraphError.classify(code: 300, httpStatus: 400) == .invalidRequest)
        #expect(GraphError.classify(code: 987_654, httpStatus: 400, isTransient: true) == .transient)
    }

    @Test func onlyRateLimitsAndTransientErrorsAreRetried() {
        for (code, kind) in Self.table {
            let expected = [.rateLimited, .pairRateLimited, .transient].contains(kind)
            #expect(kind.isRetryable == expected, "code \(code)")
            let error = GraphError(kind: kind, httpStatus: 400, code: code, message: "m")
            #expect((error.retryAfter(attempt: 1) != nil) == expected, "code \(code)")
        }
        #expect(!GraphError.Kind.unexpectedResponse.isRetryable)
    }

    @Test func metasErrorBodyIsRead() {
        let body = Array(
            (#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"#
                + #""error_data":{"messaging_product":"whatsapp","details":"Message failed to send because there "#
                + #"were too many messages sent from this phone number in a short period of time"},"#
                + #""error_subcode":2494055,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"#).utf8)
        let error = GraphError(httpStatus: 400, body: body)
        #expect(
            error
                == GraphError(
                    kind: .rateLimited, httpStatus: 400, code: 130429, subcode: 2_494_055, type: "OAuthException",
                    message: "(#130429) Rate limit hit",
                    details: "Message failed to send because there were too many messages sent from this phone "
                        + "number in a short period of time",
                    fbtraceID: "Az8or2yhqkZfEZ-_4Qn_Bam"))
        #expect(String(describing: error).hasPrefix("graph error 130429 (rate_limited, HTTP 400, subcode 2494055, "))
    }

    @Test func aMinimalErrorBodyIsRead() {
        let error = GraphError(httpStatus: 401, body: Array(#"{"error":{"code":190}}"#.utf8))
        #expect(error.kind == .authentication)
        #expect(error.message == "HTTP 401")
        #expect(error.details == nil)
    }

    @Test func transientHintOfAnUnknownCode() {
        let body = Array(#"{"error":{"message":"Temporary","code":424242,"is_transient":true}}"#.utf8)
        #expect(GraphError(httpStatus: 400, body: body).kind == .transient)
    }

    @Test(arguments: ["", "<html>502</html>", "{}", #"{"error":"string"}"#, #"{"error":{"code":"190"}}"#, "[1]"])
    func anythingElseIsClassifiedByStatus(body: String) {
        #expect(GraphError(httpStatus: 503, body: Array(body.utf8)).kind == .transient)
        let error = GraphError(httpStatus: 400, body: Array(body.utf8))
        #expect(error.kind == .invalidRequest)
        #expect(error.code == nil)
        #expect(error.message == "HTTP 400 without a Graph API error body")
    }

    func schedule(_ kind: GraphError.Kind, code: Int?, attempts: ClosedRange<Int> = 1...8) -> [Int64?] {
        let error = GraphError(kind: kind, code: code, message: "m")
        return attempts.map { error.retryAfter(attempt: $0)?.components.seconds }
    }

    @Test func throughputLimitsBackOffExponentiallyToAMinute() {
        #expect(schedule(.rateLimited, code: 130429) == [1, 2, 4, 8, 16, 32, 60, 60])
    }

    @Test func callLimitsBackOffFromAMinuteToAnHour() {
        #expect(schedule(.rateLimited, code: 80007) == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(schedule(.rateLimited, code: 4, attempts: 1...1) == [60])
    }

    @Test func pairRateLimitWaitsFourToTheN() {
        #expect(schedule(.pairRateLimited, code: 131056) == [1, 4, 16, 64, 256, 1024, 3600, 3600])
    }

    @Test func transientErrorsBackOffToFiveMinutes() {
        #expect(schedule(.transient, code: 131000) == [1, 2, 4, 8, 16, 32, 64, 128])
        #expect(schedule(.transient, code: nil, attempts: 9...12) == [256, 300, 300, 300])
        #expect(schedule(.transient, code: 131057, attempts: 1...4) == [60, 120, 240, 300])
    }

    @Test func hugeAttemptNumbersDoNotOverflow() {
        let error = GraphError(kind: .pairRateLimited, code: 131056, message: "m")
        #expect(error.retryAfter(attempt: Int.max) == .seconds(3600))
        #expect(error.retryAfter(attempt: 0) == .seconds(1))
        #expect(error.retryAfter(attempt: -5) == .seconds(1))
    }
}
