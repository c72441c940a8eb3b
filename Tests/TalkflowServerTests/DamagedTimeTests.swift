import Storage
import Testing

@testable import TalkflowServer

/// Times at the edge of `Int64`, which no clock gives but a damaged or hand-edited store may hold, are read without
/// trapping (hostile2 #1: a session's deadline at `Int64.min` crashed the server at every start, an erased
/// conversation's figure crashed the agent report, a data request's date `data-request list`).
@Suite struct DamagedTimeTests {
    @Test func theAgentReportTakesTimesPastAnyClock() {
        var conversation = LoggedConversation(startedAt: 1_795_880_000)
        conversation.endedAt = .max
        conversation.handoffRequested(at: .min)
        conversation.assigned("ana", at: 1_795_880_010)
        conversation.replySent(by: "ana", at: .max)
        let (agents, totals) = AgentReport.reports([conversation])
        #expect(agents.map(\.agent) == ["ana"])
        #expect(totals.averageDurationSeconds == Double(Int64.max) - 1_795_880_000)
        #expect(totals.averageSecondsToAttend == Double(Int64.max) - Double(Int64.min))
    }

    @Test func colombianDaysAreWithinTheYearsOneTo9999() {
        #expect(ColombianTime.iso8601(.min) == ColombianTime.iso8601(-62_135_596_800))
        #expect(ColombianTime.iso8601(.max) == ColombianTime.iso8601(253_402_300_799))
        #expect(ColombianTime.iso8601(.max).hasPrefix("9999-12-31T"))
    }
}
