import Storage
import Testing

/// The report's time to attend in business hours: each answered conversation's wait, from the start of the wait
/// to the first reply, measured by the calendar's open seconds; none without an answer (agentapi3 #4).
@Test func theBusinessHoursMeanMeasuresEachWaitByTheCalendar() {
    var first = LoggedConversation(startedAt: 1_000)
    first.handoffRequested(at: 1_100)
    first.assigned("ana", at: 1_100)
    first.replySent(by: "ana", at: 1_500)
    var second = LoggedConversation(startedAt: 2_000)
    second.assigned("ana", at: 2_000)
    second.replySent(by: "ana", at: 2_300)
    var silent = LoggedConversation(startedAt: 3_000)
    silent.assigned("ana", at: 3_000)
    let (agents, totals) = AgentReport.reports([first, second, silent]) { start, end in
        // A calendar open for the first half of every wait.
        (end - start) / 2
    }
    #expect(agents.first?.averageSecondsToAttend == 350)
    #expect(agents.first?.averageBusinessSecondsToAttend == 175)
    #expect(totals.averageBusinessSecondsToAttend == 175)
    #expect(AgentReport.reports([first]).totals.averageBusinessSecondsToAttend == nil)
}
