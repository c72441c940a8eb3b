import FlowRuntime
import Foundation
import Storage
import Testing

@testable import TalkflowServer

/// Data subjects' requests (Ley 1581 arts. 14 and 15): deadlines in Colombian business days, and cases that are
/// opened, extended once and answered, in a real SQLite store, never deleted.
@Suite("Data subjects' requests", .hangGuard) struct DataRequestTests {
    /// Unix seconds of a Bogotá local time (UTC−5).
    private func bogota(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, _ second: Int = 0)
        -> Int64
    {
        Int64(LocalTime.days(year: year, month: month, day: day)) * 86_400
            + Int64(hour * 3600 + minute * 60 + second) + 5 * 3600
    }

    /// Friday 4 December 2026: the term starts on Monday the 7th, skips the 8th (a holiday) and the weekends, and
    /// the 25th; it ends at 23:59:59 of its last business day.
    @Test func termsCountColombianBusinessDaysFromTheNextDay() {
        let received = bogota(2026, 12, 4, 10)
        let access = DataRequestDeadlines.due(.access, receivedAt: received)
        #expect(access.due == bogota(2026, 12, 21, 23, 59, 59))
        #expect(access.flagDue == nil)
        let claim = DataRequestDeadlines.due(.claim, receivedAt: received)
        #expect(claim.due == bogota(2026, 12, 29, 23, 59, 59))
        #expect(claim.flagDue == bogota(2026, 12, 9, 23, 59, 59))
        // The extension counts from the day of the first deadline: +5 and +8 business days.
        #expect(DataRequestDeadlines.extended(.access, due: access.due) == bogota(2026, 12, 29, 23, 59, 59))
        // Past New Year's Day and the Epiphany (6 January 2027, a Wednesday, observed on Monday the 11th).
        #expect(DataRequestDeadlines.extended(.claim, due: claim.due) == bogota(2027, 1, 12, 23, 59, 59))
        // 22:00 in Bogotá is already the next day in UTC; the day that counts is Bogotá's.
        #expect(DataRequestDeadlines.due(.access, receivedAt: bogota(2026, 12, 4, 22)).due == access.due)
        // A request on a Saturday counts from Monday, like one on Friday.
        #expect(DataRequestDeadlines.due(.access, receivedAt: bogota(2026, 12, 5, 9)).due == access.due)
    }

    /// One rule for the CLI and the agent API: an extension is told between the receipt and the deadline, once,
    /// and never after the answer; an answer is not dated before the receipt, and may come late.
    @Test func extensionsAndAnswersFollowOneRule() throws {
        let received = bogota(2026, 12, 4, 10)
        let due = DataRequestDeadlines.due(.access, receivedAt: received).due
        var request = DataRequest(
            id: 3, tenant: "ventas", contact: "573001112233", kind: .access, receivedAt: received, dueAt: due)
        #expect(try DataRequestDeadlines.extendedDeadline(of: request, toldAt: due) == bogota(2026, 12, 29, 23, 59, 59))
        #expect(throws: DataRequestDeadlines.Refusal.pastDeadline(dueAt: due)) {
            try DataRequestDeadlines.extendedDeadline(of: request, toldAt: due + 1)
        }
        #expect(throws: DataRequestDeadlines.Refusal.noticeBeforeReceipt(receivedAt: received)) {
            try DataRequestDeadlines.extendedDeadline(of: request, toldAt: received - 1)
        }
        #expect(
            DataRequestDeadlines.Refusal.pastDeadline(dueAt: due).message(id: 3)
                == "data request 3 was due at 2026-12-21T23:59:59-05:00; an extension must be told before the deadline")
        try DataRequestDeadlines.checkAnswer(of: request, at: due + 86_400)
        #expect(throws: DataRequestDeadlines.Refusal.answerBeforeReceipt(receivedAt: received)) {
            try DataRequestDeadlines.checkAnswer(of: request, at: received - 1)
        }
        request.extendedAt = received + 60
        #expect(throws: DataRequestDeadlines.Refusal.alreadyExtended) {
            try DataRequestDeadlines.extendedDeadline(of: request, toldAt: received + 120)
        }
        request.answeredAt = received + 120
        #expect(throws: DataRequestDeadlines.Refusal.alreadyAnswered) {
            try DataRequestDeadlines.extendedDeadline(of: request, toldAt: received + 180)
        }
        #expect(throws: DataRequestDeadlines.Refusal.alreadyAnswered) {
            try DataRequestDeadlines.checkAnswer(of: request, at: received + 180)
        }
    }

    @Test func reportsShowColombianTimeAndWhetherTheDeadlinePassed() {
        let request = DataRequest(
            id: 7, tenant: "ventas", contact: "573001112233", kind: .claim, receivedAt: bogota(2026, 12, 4, 10),
            dueAt: bogota(2026, 12, 29, 23, 59, 59), flagDueAt: bogota(2026, 12, 9, 23, 59, 59))
        let open = DataRequestReport(request, now: bogota(2026, 12, 29, 23, 59, 59))
        #expect(open.status == "open")
        #expect(open.receivedAt == "2026-12-04T10:00:00-05:00")
        #expect(open.dueAt == "2026-12-29T23:59:59-05:00")
        #expect(DataRequestReport(request, now: bogota(2026, 12, 30, 0)).status == "overdue")
        var answered = request
        answered.answeredAt = bogota(2027, 1, 5, 9)
        #expect(DataRequestReport(answered, now: bogota(2027, 2, 1, 0)).status == "answered")
    }
}
