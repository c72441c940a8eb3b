import Foundation
import Hummingbird
import Storage

/// Data subjects' requests in the agent API (Ley 1581 arts. 14 and 15): the agent who receives one in a
/// conversation opens the case; admins list, extend, erase under and answer them. The same cases as `talkflow data-request`.
extension AgentRoutes {
    /// The bodies as refusals show them.
    static let openExample = #"{"contact": "573001112233", "kind": "claim", "subject": "..."}"#
    static let answerExample = #"{"answer": "..."}"#

    struct DataRequestList: Encodable {
        var dataRequests: [DataRequestReport]

        enum CodingKeys: String, CodingKey { case dataRequests = "data_requests" }
    }

    /// `GET …/data-requests?open=`: the tenant's cases, oldest first (admins); `true` only those not answered
    /// yet, `false` only the answered ones, absent (or empty) all.
    func dataRequests(_ caller: AgentAuthentication.Caller, _ request: Request) async throws -> Response {
        try caller.requireAdmin()
        let open: Bool?
        switch try request.uri.queryParameters.single("open") {
        case nil, "": open = nil
        case "true": open = true
        case "false": open = false
        case let other?: throw AgentAPIError.badRequest("'open' is true or false, not '\(other)'")
        }
        let now = processing.clock()
        let cases = try await store.dataRequests(tenant: caller.tenant.id, open: open)
        return AgentAPI.json(DataRequestList(dataRequests: cases.map { DataRequestReport($0, now: now) }))
    }

    /// `POST …/data-requests` `{"contact", "kind", "subject"}`: opens a case received now (any agent of the
    /// tenant: requests reach whoever talks with the contact). 201 with the case.
    func openDataRequest(_ caller: AgentAuthentication.Caller, _ request: Request, _ context: BasicRequestContext)
        async throws -> Response
    {
        let body = try await Self.fields(request, example: Self.openExample)
        let named = try body.string("contact")
        let kind = try body.choice("kind", DataRequest.Kind.self)
        let subject = try body.optionalString("subject")
        let contact: String
        do {
            contact = try DataRequestContact.normalized(named, name: "'contact'")
        } catch {
            throw AgentAPIError.badRequest(error.message)
        }
        let now = processing.clock()
        let (due, flagDue) = DataRequestDeadlines.due(kind, receivedAt: now)
        let opened = try await store.openDataRequest(
            tenant: caller.tenant.id, contact: contact, kind: kind, receivedAt: now, dueAt: due,
            flagDueAt: flagDue, subject: DataRequest.nonBlank(subject), recordedAt: now)
        context.logger.info(
            "data request opened",
            metadata: [
                "tenant": "\(caller.tenant.id)", "agent": "\(caller.name)", "kind": "\(kind.rawValue)",
                "data_request": "\(opened.id)",
            ])
        var response = AgentAPI.json(DataRequestReport(opened, now: now))
        response.status = .created
        return response
    }

    /// `POST …/data-requests/{id}/extend`: the contact was told the answer needs more time (admins, once).
    func extendDataRequest(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) async throws
        -> Response
    {
        try caller.requireAdmin()
        let current = try await dataRequest(caller, context)
        let now = processing.clock()
        let due = try Self.refusing(current) { () throws(DataRequestDeadlines.Refusal) in
            try DataRequestDeadlines.extendedDeadline(of: current, toldAt: now)
        }
        guard let extended = try await store.extendDataRequest(id: current.id, at: now, dueAt: due) else {
            throw Self.changedMeanwhile(current)
        }
        return AgentAPI.json(DataRequestReport(extended, now: now))
    }

    /// `POST …/data-requests/{id}/answer` `{"answer"}`: records the answer (admins, once).
    func answerDataRequest(_ caller: AgentAuthentication.Caller, _ request: Request, _ context: BasicRequestContext)
        async throws -> Response
    {
        try caller.requireAdmin()
        let current = try await dataRequest(caller, context)
        let answer = try await Self.fields(request, example: Self.answerExample).optionalString("answer")
        let now = processing.clock()
        try Self.refusing(current) { () throws(DataRequestDeadlines.Refusal) in
            try DataRequestDeadlines.checkAnswer(of: current, at: now)
        }
        guard
            let answered = try await store.answerDataRequest(
                id: current.id, at: now, answer: DataRequest.nonBlank(answer))
        else {
            throw Self.changedMeanwhile(current)
        }
        return AgentAPI.json(DataRequestReport(answered, now: now))
    }

    /// `POST …/data-requests/{id}/erase`: erases the contact's conversation data under an open claim (admins,
    /// once); consent evidence is kept. 409 when the case or the conversation does not allow it.
    func eraseDataRequest(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) async throws
        -> Response
    {
        try caller.requireAdmin()
        let current = try await dataRequest(caller, context)
        let now = processing.clock()
        do {
            try DataErasure.check(current)
        } catch {
            throw AgentAPIError(status: .conflict, code: error.code, message: error.message(id: current.id))
        }
        try Self.refusing(current) { () throws(DataRequestDeadlines.Refusal) in
            try DataRequestDeadlines.checkErasure(of: current, at: now)
        }
        let erasure: DataErasure
        do {
            guard let erased = try await store.eraseContactData(id: current.id, at: now) else {
                throw Self.changedMeanwhile(current)
            }
            erasure = erased
        } catch let refusal as DataErasure.Refusal {
            throw AgentAPIError(status: .conflict, code: refusal.code, message: refusal.message(id: current.id))
        }
        context.logger.info(
            "contact data erased under a claim",
            metadata: [
                "tenant": "\(caller.tenant.id)", "agent": "\(caller.name)", "data_request": "\(current.id)",
                "log_lines": "\(erasure.logLines)",
            ])
        return AgentAPI.json(DataErasureReport(erasure, now: now))
    }

    /// `POST …/data-requests/{id}/revoke`: records, under an open claim, the contact's revocation of consent made
    /// outside the chat (admins); 409 when the case or the conversation does not allow it
    /// (`DataRequestRevocation`).
    func revokeUnderDataRequest(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) async throws
        -> Response
    {
        try caller.requireAdmin()
        let current = try await dataRequest(caller, context)
        let now = processing.clock()
        let revocation: DataRequestRevocation
        do {
            revocation = try await DataRequestRevocation.record(current, in: store, at: now)
        } catch let refusal as DataRequestRevocation.Refusal {
            throw AgentAPIError(status: .conflict, code: refusal.code, message: refusal.message(id: current.id))
        }
        context.logger.info(
            "consent revoked under a claim",
            metadata: [
                "tenant": "\(caller.tenant.id)", "agent": "\(caller.name)", "data_request": "\(current.id)",
            ])
        return AgentAPI.json(DataRequestRevocationReport(revocation, now: now))
    }

    /// The tenant's case named by the path (`{id}` percent-decoded, then ASCII digits); another tenant's case, or
    /// an `{id}` that is not a number, is as unknown as a missing one.
    func dataRequest(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) async throws
        -> DataRequest
    {
        guard let id = WholeNumber.parse(try Self.parameter("id", context), as: Int64.self),
            let found = try await store.dataRequest(id: id), found.tenant == caller.tenant.id
        else {
            throw AgentAPIError(status: .notFound, code: "not_found", message: "no such data request")
        }
        return found
    }

    /// Runs a deadline rule; a refusal is 409 with its code and sentence.
    @discardableResult
    static func refusing<Value>(_ request: DataRequest, _ rule: () throws(DataRequestDeadlines.Refusal) -> Value)
        throws -> Value
    {
        do {
            return try rule()
        } catch {
            throw AgentAPIError(status: .conflict, code: error.code, message: error.message(id: request.id))
        }
    }

    /// Another call extended or answered the case between its read and its write.
    static func changedMeanwhile(_ request: DataRequest) -> AgentAPIError {
        AgentAPIError(
            status: .conflict, code: "data_request_closed",
            message: "data request \(request.id) changed meanwhile; nothing was recorded")
    }
}
