import FlowDiagnostics
import FlowLanguage
import FlowRuntime
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Storage
import Synchronization

/// The agent API under `/api/v1/tenants/{tenant}/`: list conversations, read a thread, reply, close,
/// reassign, export a contact's consent, and an agent's Server-Sent Events stream. Every request carries an
/// agent's key (`Authorization: Bearer KEY`, see `AgentAuthentication`); admin agents see and act on every
/// conversation of their tenant, other agents only on those assigned to them. Actions run as store
/// transactions (`ConversationStore.update`) through the interpreter, so the flow's rules (no emoji, the
/// 24-hour window) hold for agents too. A contact in a path may be either of the contact's ids (the phone
/// number of a conversation first known by its business-scoped user id): the store's aliases, within the tenant,
/// name the conversation. Schemas/agent-api.openapi.yaml describes it.
struct AgentRoutes: Sendable {
    let registry: TenantRegistry
    let processing: ConversationProcessing
    /// How often an idle event stream gets a keep-alive comment.
    var keepAlive: Duration = .seconds(15)
    /// The bytes of events an event stream may have waiting for its client before it is ended.
    var eventBacklogLimit = EventStreamBacklog.defaultLimit

    static let prefix = "api/v1/tenants/:tenant"

    var authentication: AgentAuthentication { AgentAuthentication(registry: registry) }
    var store: any ConversationStore { processing.store }

    /// One route of the API: its method, its path under `prefix`, and what it does for an authenticated caller.
    struct Route: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var action:
            @Sendable (AgentRoutes, AgentAuthentication.Caller, Request, BasicRequestContext) async throws
                -> Response

        init(
            _ method: HTTPRequest.Method, _ path: String,
            _ action:
                @escaping @Sendable (AgentRoutes, AgentAuthentication.Caller, Request, BasicRequestContext)
                async throws -> Response
        ) {
            self.method = method
            self.path = path
            self.action = action
        }
    }

    /// Every route of the API, the one table both the router and `APIFallback` (405 and its `Allow`) read.
    static let routes: [Route] = [
        Route(.get, "conversations") { routes, caller, request, _ in try await routes.list(caller, request) },
        Route(.get, "conversations/:contact/messages") { try await $0.thread($1, $2, $3) },
        Route(.post, "conversations/:contact/messages") { try await $0.reply($1, $2, $3) },
        Route(.post, "conversations/:contact/close") { routes, caller, _, context in
            try await routes.close(caller, context)
        },
        Route(.post, "conversations/:contact/reassign") { try await $0.reassign($1, $2, $3) },
        Route(.get, "contacts/:contact/consent") { routes, caller, _, context in
            try await routes.consent(caller, context)
        },
        Route(.get, "agents/:agent/events") { routes, caller, _, context in try routes.events(caller, context) },
        Route(.get, "reports/agents") { routes, caller, request, _ in try await routes.agentReport(caller, request) },
        Route(.get, "data-requests") { routes, caller, request, _ in try await routes.dataRequests(caller, request) },
        Route(.post, "data-requests") { try await $0.openDataRequest($1, $2, $3) },
        Route(.post, "data-requests/:id/extend") { routes, caller, _, context in
            try await routes.extendDataRequest(caller, context)
        },
        Route(.post, "data-requests/:id/answer") { try await $0.answerDataRequest($1, $2, $3) },
        Route(.post, "data-requests/:id/erase") { routes, caller, _, context in
            try await routes.eraseDataRequest(caller, context)
        },
        Route(.post, "data-requests/:id/revoke") { routes, caller, _, context in
            try await routes.revokeUnderDataRequest(caller, context)
        },
    ]

    func register(on router: Router<BasicRequestContext>) {
        let routes = self
        for route in Self.routes {
            router.on("\(Self.prefix)/\(route.path)", method: route.method) { request, context in
                await routes.answer(request, context) { try await route.action(routes, $0, request, context) }
            }
        }
    }

    /// The API's paths and their methods for `APIFallback`: another method on one of them is 405
    /// `method_not_allowed` with `Allow`.
    static var fallbackRoutes: [APIFallback.Route] {
        var paths: [String] = []
        var methods: [String: [HTTPRequest.Method]] = [:]
        for route in routes {
            if methods[route.path] == nil { paths.append(route.path) }
            methods[route.path, default: []].append(route.method)
        }
        return paths.map { path in
            APIFallback.Route(path: "\(prefix)/\(path)", methods: methods[path] ?? []) { allow in
                AgentAPIError(
                    status: .methodNotAllowed, code: "method_not_allowed", message: "this route takes \(allow)"
                ).response
            }
        }
    }

    /// A path (or a method on it) the API does not have.
    static let noSuchRoute = AgentAPIError(
        status: .notFound, code: "no_such_route",
        message: "the agent API has no such route; see Schemas/agent-api.openapi.yaml")

    /// Authenticates, runs `body`, and turns refusals and failures into JSON errors.
    func answer(
        _ request: Request, _ context: BasicRequestContext,
        _ body: (AgentAuthentication.Caller) async throws -> Response
    ) async -> Response {
        do {
            let caller = try authentication.caller(request, tenant: try Self.parameter("tenant", context))
            return try await body(caller)
        } catch let error as AgentAPIError {
            if error.status == .unauthorized { context.logger.warning("agent API request refused: wrong key") }
            return error.response
        } catch {
            context.logger.error("agent API request failed", metadata: ["error": "\(error)"])
            return AgentAPIError(status: .internalServerError, code: "internal", message: "internal error").response
        }
    }

    // MARK: Reading

    func list(_ caller: AgentAuthentication.Caller, _ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = ConversationFilter()
        if let agent = try query.single("agent"), !agent.isEmpty {
            guard caller.isAdmin || agent == caller.name else { throw AgentAPIError.ownOnly("conversations") }
            filter.agent = agent
        }
        if !caller.isAdmin { filter.agent = caller.name }
        // A value given empty counts as not given; in one that is not, every comma-separated item is a status
        // (`with_agent,` is 400, not `with_agent`).
        for value in query.getAll("status") where !value.isEmpty {
            for name in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let status = ConversationStatus(rawValue: String(name)) else {
                    throw AgentAPIError.badRequest(
                        "unknown status '\(name)': use "
                            + ConversationStatus.allCases.map(\.rawValue).joined(separator: ", "))
                }
                filter.statuses.insert(status)
            }
        }
        filter.startedFrom = try Self.time(query.single("from"), name: "from")
        filter.startedBefore = try Self.time(query.single("to"), name: "to")
        filter.limit = try Self.count(query.single("limit"), name: "limit", default: 100, maximum: 1000)
        filter.offset = try Self.count(query.single("offset"), name: "offset", default: 0, maximum: Int.max)
        let conversations = try await store.conversations(tenant: caller.tenant.id, filter: filter)
        var items: [ConversationItem] = []
        items.reserveCapacity(conversations.count)
        for summary in conversations {
            let id = await processing.pseudonyms.id(tenant: summary.tenant, contact: summary.contact)
            items.append(ConversationItem(summary, conversationID: id))
        }
        return AgentAPI.json(ConversationList(conversations: items))
    }

    func thread(_ caller: AgentAuthentication.Caller, _ request: Request, _ context: BasicRequestContext)
        async throws -> Response
    {
        let named = try Self.contact(context)
        // The request's own faults (400) before what the conversation decides (404, 403), as on every route.
        let query = request.uri.queryParameters
        var after: Int64?
        if let text = try query.single("after"), !text.isEmpty {
            guard let value = WholeNumber.parse(text, as: Int64.self) else {
                throw AgentAPIError.badRequest(
                    "'after' must be a sequence number (ASCII digits, a whole number from 0), found '\(text)'")
            }
            after = value
        }
        let limit = try Self.count(query.single("limit"), name: "limit", default: 500, maximum: 5000)
        let contact = try await store.conversationKey(tenant: caller.tenant.id, contact: named)
        let session = try await store.session(tenant: caller.tenant.id, contact: contact)
        guard let session else { throw AgentAPIError.notFound }
        guard caller.isAdmin || session.agent == caller.name else { throw AgentAPIError.notYours }
        let entries = try await store.thread(tenant: caller.tenant.id, contact: contact, after: after, limit: limit)
        let id = await processing.pseudonyms.id(tenant: caller.tenant.id, contact: contact)
        let consent = try await store.consentState(tenant: caller.tenant.id, contact: contact)
        let claim = try await store.claimInProgress(tenant: caller.tenant.id, contact: named)
        return AgentAPI.json(
            ThreadAnswer(
                contact: contact, conversationID: id,
                consent: ConsentSummary(
                    acceptedVersion: consent.acceptedVersion,
                    policyVersion: caller.tenant.flow.interpreter.machine.policy?.version, optIn: consent.optIn),
                claimInProgress: claim, messages: entries.map(ThreadItem.init)))
    }

    /// Per-agent figures of the conversations started in the period (admins only): `AgentReport`.
    func agentReport(_ caller: AgentAuthentication.Caller, _ request: Request) async throws -> Response {
        try caller.requireAdmin()
        let query = request.uri.queryParameters
        let from = try Self.time(query.single("from"), name: "from")
        let to = try Self.time(query.single("to"), name: "to")
        let conversations = try await store.loggedConversations(
            tenant: caller.tenant.id, startedFrom: from, startedBefore: to)
        let calendar = caller.tenant.flow.interpreter.calendar
        let (agents, totals) = AgentReport.reports(conversations) { calendar.openSeconds(from: $0, to: $1) }
        return AgentAPI.json(
            AgentReportAnswer(agents: agents.map(AgentReportItem.init), totals: AgentReportItem(totals)))
    }

    func consent(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) async throws -> Response {
        try caller.requireAdmin()
        // A phone number as people write it is the `wa_id` its digits are, as a data request's contact is: the
        // proof must find what the case is about. The history follows the contact's aliases itself and echoes
        // the id it read, as the CLI's does.
        let contact: String
        do {
            contact = try DataRequestContact.normalized(try Self.contact(context), name: "the path's contact")
        } catch let refusal as DataRequestContact.Refusal {
            throw AgentAPIError.badRequest(refusal.message)
        }
        let history = try await store.consentHistory(tenant: caller.tenant.id, contact: contact)
        return AgentAPI.json(history)
    }

    // MARK: Acting

    /// Why an action's transaction refused to step (thrown from the body: nothing is stored). `unchanged`:
    /// the action would change nothing (a reassignment to the agent the conversation has), so nothing is
    /// written and the answer is the session as it is.
    enum Refusal: Error {
        case notFound, notYours, notWithAgent
        /// The session as it is, and the conversation's key.
        case unchanged(Session, contact: String)
    }

    func reply(_ caller: AgentAuthentication.Caller, _ request: Request, _ context: BasicRequestContext)
        async throws -> Response
    {
        let contact = try Self.contact(context)
        let text = try await Self.fields(request, example: AgentMessageRequest.example).string("text")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AgentAPIError.badRequest("'text' must not be empty")
        }
        // What lint refuses in a bot's text and the template route in a parameter: a control character shows as
        // a box or nothing on the contact's phone, and a text of invisible characters only reads as nothing.
        if let control = ControlCharacters.offsets(in: text, tabs: true).first?.scalar {
            throw AgentAPIError.badRequest(
                "'text' contains the control character \(ControlCharacters.described(control)); the contact's phone "
                    + "would show it as a box or not at all: remove it")
        }
        if text.unicodeScalars.allSatisfy(VisibleText.isInvisible) {
            throw AgentAPIError.badRequest(
                "'text' holds nothing visible, only invisible characters: the contact would read nothing")
        }
        // WhatsApp refuses a text message over 4096 characters: refused here, before anything is queued.
        guard text.count <= WhatsAppTextLimit.textMessage else {
            throw AgentAPIError(
                status: .unprocessableContent, code: "text_too_long",
                message: "'text' has \(text.count) characters; a WhatsApp text message holds at most "
                    + "\(WhatsAppTextLimit.textMessage)")
        }
        let agent = caller.name
        let committed = try await act(caller, contact: contact) { session, _ in
            // Only the agent in the handoff replies, admins included. A conversation no agent has (waiting,
            // queued, closed) is not theirs either: 403 whatever its state, so that its state (409) is told
            // only to whoever may act on it.
            guard session.agent == agent, session.status == .withAgent || session.status == .queued else {
                throw Refusal.notYours
            }
            return [.agentMessage(text)]
        }.committed
        let events = committed.changes.events
        if events.contains(where: { $0.kind == ConversationEvent.agentMessageRefused }) { throw AgentAPIError.emoji }
        if events.contains(where: { $0.kind == ConversationEvent.windowClosed }) {
            throw AgentAPIError.windowClosed
        }
        let answer = await answer(caller, committed)
        context.logger.info("agent reply queued", metadata: answer.logMetadata(agent: agent))
        return AgentAPI.json(answer.body, status: .accepted)
    }

    func close(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) async throws -> Response {
        let contact = try Self.contact(context)
        let agent = caller.name
        let admin = caller.isAdmin
        let acted = try await act(caller, contact: contact, logging: (ConversationEvent.handoffClosed, agent)) {
            session, _ in
            // Ownership before state: an agent learns nothing of a conversation that is not theirs.
            guard admin || session.agent == agent else { throw Refusal.notYours }
            guard session.status == .withAgent || session.status == .queued else { throw Refusal.notWithAgent }
            return [.agentClosed]
        }
        let committed = acted.committed
        // The agent who had it hears it left them (their other consoles, or the agent an admin closed it for);
        // a handoff after theirs (the handoff's `next`) assigns the rotation's next agent, told as any
        // assignment is.
        if let previous = acted.agentBefore {
            processing.agentEvents.publish(
                AgentEvent(
                    .unassignment, tenant: caller.tenant.id, contact: committed.contact, at: processing.clock(),
                    reason: .closed),
                to: previous)
        }
        processing.agentEvents.publish(
            committed, tenant: caller.tenant.id, contact: committed.contact, at: processing.clock(), inbound: false)
        let answer = await answer(caller, committed)
        context.logger.info("conversation closed by an agent", metadata: answer.logMetadata(agent: agent))
        return AgentAPI.json(answer.body)
    }

    /// Reassigns a conversation (admins only). A queued conversation (no agent yet) steps `agentAssigned`,
    /// as the rotation's answer would, but without taking a turn of the rotation (the admin chose the agent);
    /// one already with an agent gets the new agent set on the session directly (the interpreter only assigns
    /// queued conversations), with an `agent_assigned` log line either way, which starts the new agent's first
    /// reply and wait over. The previous agent, if any, gets an `unassignment` event (`reassigned`), then the
    /// new agent an `assignment` event. Reassigning to the agent the conversation has changes nothing (no
    /// line, no event, their first reply kept): 200 with the conversation as it is.
    func reassign(_ caller: AgentAuthentication.Caller, _ request: Request, _ context: BasicRequestContext)
        async throws -> Response
    {
        try caller.requireAdmin()
        let contact = try Self.contact(context)
        let target = try await Self.fields(request, example: ReassignRequest.example).string("agent")
        let tenant = caller.tenant
        let known = Self.agents(of: tenant)
        guard known.contains(target) else {
            throw AgentAPIError(
                status: .unprocessableContent, code: "unknown_agent",
                message: "'\(target)' is neither an agent of the tenant nor of any of its queues")
        }
        let acted = try await act(caller, contact: contact, logging: (ConversationEvent.agentAssigned, target)) {
            session, key in
            switch session.status {
            case .queued:
                return [.agentAssigned(target)]
            case .withAgent where session.agent == target:
                throw Refusal.unchanged(session, contact: key)
            case .withAgent:
                session.agent = target
                return []
            default:
                throw Refusal.notWithAgent
            }
        }
        let committed = acted.committed
        let answer = await answer(caller, committed)
        guard committed.changes.events.contains(where: { $0.kind == ConversationEvent.agentAssigned }) else {
            context.logger.info(
                "conversation already with the agent; nothing changed", metadata: answer.logMetadata(agent: target))
            return AgentAPI.json(answer.body)
        }
        let at = processing.clock()
        if let previous = acted.agentBefore, previous != target {
            processing.agentEvents.publish(
                AgentEvent(.unassignment, tenant: tenant.id, contact: committed.contact, at: at, reason: .reassigned),
                to: previous)
        }
        processing.agentEvents.publish(
            AgentEvent(
                .assignment, tenant: tenant.id, contact: committed.contact, at: at,
                queue: committed.changes.queueName),
            to: target)
        context.logger.info("conversation reassigned", metadata: answer.logMetadata(agent: target))
        return AgentAPI.json(answer.body)
    }

    /// Runs one agent action in a store transaction: `decide` checks the session, given with the conversation's
    /// key (throwing a `Refusal` leaves everything as it was), and names the events to step; the stepper records
    /// their effects. Rings the outbox worker when messages were queued. `Refusal.unchanged` answers the session as it was, with no
    /// changes. The answer also names the agent the conversation had when `decide` saw it (who an action that
    /// ends or moves the handoff takes it from). `named` may be either of the contact's ids: the store finds the conversation inside the
    /// transaction, where a contact without one is refused (404) before anything is stored;
    /// `CommittedChanges.contact` is the conversation's key.
    func act(
        _ caller: AgentAuthentication.Caller, contact named: String,
        logging line: (kind: String, detail: String)? = nil,
        _ decide: @escaping @Sendable (inout Session, _ contact: String) throws -> [Event.Kind]
    ) async throws -> Acted {
        let tenant = caller.tenant
        let before = AgentBefore()
        let at = processing.clock()
        let stepper = ConversationStepper(
            flow: tenant.flow,
            evidence: EvidenceContext(
                channel: InboundProcessor.channel, phoneNumberID: tenant.config.phoneNumberID, receivedAt: at))
        let committed: CommittedChanges
        let refusedAfterCarryOver = Mutex<Refusal?>(nil)
        do {
            committed = try await store.update(tenant: tenant.id, contact: named, at: at) {
                session, transaction in
                guard transaction.hasStoredSession else { throw Refusal.notFound }
                var changes = ConversationChanges()
                // First onto the running flow, as a contact's message would be: a handoff a flow change ended is
                // not the agent's any more (403), rather than a reply accepted and then stepped into nothing. (An
                // outdated consent request is no matter here: an agent acts only on handed-off conversations.)
                let handedOff = session.status == .queued || session.status == .withAgent
                _ = stepper.adopt(&session, into: &changes)
                before.agent.withLock { $0 = session.agent }
                let kinds: [Event.Kind]
                do {
                    kinds = try decide(&session, transaction.contact)
                } catch let refusal as Refusal
                    where handedOff && session.status != .queued && session.status != .withAgent
                {
                    // The flow change ended the handoff: that is kept, as the contact's next message would keep
                    // it (the list, the report and the agent's stream say so), and the action is refused after.
                    refusedAfterCarryOver.withLock { $0 = refusal }
                    stepper.describe(session, in: &changes)
                    return changes
                }
                // The action's own line in the thread (who was assigned, who closed), before what it steps.
                if let line { changes.log(line.kind, detail: line.detail) }
                for kind in kinds {
                    try stepper.step(kind, at: at, session: &session, transaction: transaction, into: &changes)
                }
                if kinds.isEmpty { stepper.describe(session, in: &changes) }
                return changes
            }
        } catch let refusal as Refusal {
            return try Self.refused(refusal)
        }
        if let refusal = refusedAfterCarryOver.withLock({ $0 }) {
            processing.agentEvents.publish(
                committed, tenant: tenant.id, contact: committed.contact, at: at, inbound: false)
            return try Self.refused(refusal)
        }
        if committed.hasWaitingMessages { processing.signal.ring() }
        return Acted(committed: committed, agentBefore: before.agent.withLock { $0 })
    }

    /// The API's answer to a refused action: its error, or the session as it was for an action that changes nothing.
    static func refused(_ refusal: Refusal) throws -> Acted {
        switch refusal {
        case .notFound: throw AgentAPIError.notFound
        case .notYours: throw AgentAPIError.notYours
        case .notWithAgent: throw AgentAPIError.notWithAgent
        case .unchanged(let session, let contact):
            let unchanged = CommittedChanges(
                contact: contact, session: session, changes: ConversationChanges(), outboxIDs: [], ledgerSequences: [])
            return Acted(committed: unchanged, agentBefore: nil)
        }
    }

    /// What `act` committed, and the agent the conversation had before.
    struct Acted {
        var committed: CommittedChanges
        var agentBefore: String?
    }

    /// Carries the agent `decide` saw out of the transaction's body, which may not return it.
    private final class AgentBefore: Sendable {
        let agent = Mutex<String?>(nil)
    }

    /// An action's answer and what its log line says (tenant, conversation id, agent; never the contact).
    struct Answered {
        let body: ActionAnswer
        let tenant: String

        func logMetadata(agent: String) -> Logger.Metadata {
            ["tenant": "\(tenant)", "conversation": "\(body.conversationID)", "agent": "\(agent)"]
        }
    }

    /// The answer names the conversation by its key, whichever of the contact's ids the path gave.
    func answer(_ caller: AgentAuthentication.Caller, _ committed: CommittedChanges) async -> Answered {
        let id = await processing.pseudonyms.id(tenant: caller.tenant.id, contact: committed.contact)
        let body = ActionAnswer(
            contact: committed.contact, conversationID: id,
            status: ConversationStatus(committed.session.status).rawValue,
            agent: committed.session.agent, outboxIDs: committed.outboxIDs)
        return Answered(body: body, tenant: caller.tenant.id)
    }

    // MARK: Events

    /// `text/event-stream` of the agent's `assignment`, `unassignment` and `message` events, with a keep-alive
    /// comment every `keepAlive`; it ends when the client disconnects or the server shuts down. At shutdown the
    /// stream takes no more events and drops those not yet written (events are not stored anyway), then ends;
    /// a client that does not read that end is cut by `ShutdownDrain`, so that it cannot hold the process.
    /// Agents read their own stream; admins may read any agent's of their tenant.
    func events(_ caller: AgentAuthentication.Caller, _ context: BasicRequestContext) throws -> Response {
        let agent = try Self.parameter("agent", context)
        guard caller.isAdmin || agent == caller.name else { throw AgentAPIError.ownOnly("event stream") }
        let tenant = caller.tenant
        let known = Self.agents(of: tenant)
        guard known.contains(agent) else {
            throw AgentAPIError(
                status: .notFound, code: "not_found",
                message: "'\(agent)' is neither an agent of the tenant nor of any of its queues")
        }
        let events = processing.agentEvents.subscribe(tenant: caller.tenant.id, agent: agent)
        let keepAlive = keepAlive
        let backlog = EventStreamBacklog(limit: eventBacklogLimit)
        let logger = context.logger
        let body = ResponseBody { writer in
            let (frames, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
            /// Queues a frame unless the client has fallen behind, which ends the stream.
            @Sendable func queue(_ frame: String) {
                switch backlog.add(frame.utf8.count) {
                case .queued: sink.yield(frame)
                case .fellBehind:
                    sink.finish()
                    logger.notice(
                        "event stream ended: its client fell behind",
                        metadata: ["tenant": "\(tenant.id)", "agent": "\(agent)", "limit_bytes": "\(backlog.limit)"])
                case .dropped: break
                }
            }
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await event in events { queue(event.frame) }
                        sink.finish()
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try await Task.sleep(for: keepAlive)
                            queue(": keep-alive\n\n")
                        }
                    }
                    try await writer.write(ByteBuffer(string: ": connected\n\n"))
                    for await frame in frames {
                        // Shutting down, or fallen behind: what was not written yet is dropped, not drained.
                        if Task.isShuttingDownGracefully || backlog.overflowed { break }
                        try await writer.write(ByteBuffer(string: frame))
                        backlog.remove(frame.utf8.count)
                    }
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                sink.finish()
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Parameters

    static func contact(_ context: BasicRequestContext) throws -> String {
        let contact = try parameter("contact", context)
        guard !contact.isEmpty else {
            throw AgentAPIError.badRequest("missing contact")
        }
        return contact
    }

    /// The path parameter `name`, percent-decoded (`decodedParameter`); 400 when it does not decode.
    static func parameter(_ name: String, _ context: BasicRequestContext) throws(AgentAPIError) -> String {
        guard let value = context.decodedParameter(name) else {
            throw .badRequest("the path's \(name) has an invalid percent escape or is not UTF-8 once decoded")
        }
        return value
    }

    static func time(_ value: String?, name: String) throws -> Int64? {
        guard let value, !value.isEmpty else { return nil }
        guard let time = AgentAPI.unixTime(iso8601: value) else {
            throw AgentAPIError.badRequest("'\(name)' \(timeProblem(value)), found '\(value)'; \(timeForms)")
        }
        return time
    }

    /// The forms a time in a query takes, as an error says them.
    static let timeForms =
        "write YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SS (a fraction of a second allowed) with Z, "
        + "±HH:MM or ±HHMM, e.g. 2026-11-28T10:00:00-05:00"

    /// What is wrong with a time `AgentAPI.unixTime` refused: a day the calendar does not have, a time without
    /// seconds or without a zone (what an HTML `datetime-local` input sends), or another form.
    static func timeProblem(_ value: String) -> String {
        let date = String(value.prefix(10))
        guard date.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil else { return "is not a date or a date-time" }
        if !Durations.isDate(date) { return "names a day the calendar does not have" }
        let rest = value.dropFirst(10)
        if rest.wholeMatch(of: /T[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:?[0-9]{2})?/) != nil {
            return "has no seconds (HH:MM:SS)"
        }
        if rest.wholeMatch(of: /T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?/) != nil {
            return "has no time zone (Z, ±HH:MM or ±HHMM)"
        }
        if rest.wholeMatch(of: /T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})/) != nil {
            return
                "names a time or a zone offset the clock does not have (hours 00 to 23, minutes and seconds 00 to 59)"
        }
        return "is not a date or a date-time of these forms"
    }

    /// The tenant's agents: those of its configuration and those of its flow's queues.
    static func agents(of tenant: Tenant) -> Set<String> {
        Set(tenant.config.agents.map(\.agent)).union(tenant.flow.queues.values.joined())
    }

    static func count(_ value: String?, name: String, default fallback: Int, maximum: Int) throws -> Int {
        guard let value, !value.isEmpty else { return fallback }
        guard let count = WholeNumber.parse(value, as: Int.self), count <= maximum else {
            throw AgentAPIError.badRequest("'\(name)' must be a whole number from 0 to \(maximum) in ASCII digits")
        }
        return count
    }

    /// The largest request body read: a reply of 4096 characters fits, even written as JSON escapes.
    static let bodyLimit = 64 << 10

    /// The request's JSON body read as fields (`RequestFields`), whose faults are each told with `example`, the
    /// body the route takes.
    static func fields(_ request: Request, example: String) async throws -> RequestFields {
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: Self.bodyLimit)
        } catch is NIOTooManyBytesError {
            throw AgentAPIError(
                status: .contentTooLarge, code: "body_too_large",
                message: "the body is larger than \(Self.bodyLimit >> 10) KiB, the most the agent API reads")
        }
        return try RequestFields(bytes, example: example)
    }
}

extension Parameters {
    /// The query parameter `name`, `nil` when absent. Given more than once it is 400 naming it: reading one of
    /// the values (`?limit=3&limit=abc` as 3) would quietly ignore what the caller also asked. Only `status`
    /// may repeat, as a list.
    func single(_ name: String) throws(AgentAPIError) -> String? {
        let values = getAll(name)
        guard values.count < 2 else {
            throw .badRequest("'\(name)' is given \(values.count) times; give it once")
        }
        return values.first
    }
}
