import Crypto
import FlowCompiler
import FlowLanguage
import Foundation

/// Runs a compiled flow: `session + event → session + effects`, with no I/O and no clock.
///
/// Everything that needs the outside world is an effect (send a message, record consent, ask the shared
/// rotation for an agent, set a timer) and everything the outside world answers is an event. The same
/// session and event always give the same result, so the REPL, the transcript tests and the server all
/// drive this one type. Docs/runtime.md describes the semantics.
public struct Interpreter: Sendable {
    public let machine: StateMachine
    public let calendar: BusinessCalendar
    let defaults: LanguageDefaults
    let stateNames: [String]
    let keywordTargets: [String: Int32]
    let revocationWords: Set<String>
    /// The labels of the templates' opt-out buttons (`opt_out`), normalized as typed text is compared (a tap on
    /// one comes as the text of its label).
    let optOutWords: Set<String>
    /// Per state: normalized menu keys → option index (empty for other states).
    let menuKeys: [[String: Int32]]
    /// Per state: reply id → option index, for menus.
    let menuReplyIDs: [[String: Int32]]
    let askPatterns: [SharedRegex?]
    let matchPatterns: [Int32: SharedRegex]
    let policyVersion: String
    /// The general consent step a handoff asks again when the contact's accepted policy version is not the
    /// flow's: the first one on the way from the start (breadth first, keywords and revocation included), the
    /// one a contact normally accepts. `nil` without a policy or without a general consent step to reach.
    let consentAskedAgain: Int32?
    /// Per state: a step that runs only under consent of the flow's current policy version, without waiting for the
    /// contact: a `handoff`, a `template` and a `set` reading `contact.*` (the steps the compiler's consent proof
    /// gates, questions aside). Entered under another version, the current policy is asked for first.
    let gatedByConsent: [Bool]
    /// Menu and consent messages, reply ids and evidence hashes that do not depend on the session.
    let tables: PromptTables
    /// Each template's body (by index into `machine.templates`), parsed once for fitting parameters to it.
    let fillings: [TemplateBodyFilling]

    /// Files the service accepts from contacts, by MIME type.
    public static let acceptedMimeTypes: Set<String> = ["application/pdf", "image/jpeg", "image/jpg", "image/png"]
    /// The monthly allowance of attachment bytes per contact: 50 MB (50 × 1024 × 1024 bytes).
    public static let monthlyAttachmentAllowance: Int64 = 50 * 1024 * 1024
    /// Free-form messages may be sent up to 24 hours after the contact's last message.
    public static let serviceWindowSeconds: Int64 = 24 * 60 * 60

    public init(machine: StateMachine) {
        self.machine = machine
        calendar = BusinessCalendar(settings: machine.settings)
        defaults = LanguageDefaults.of(FlowLanguageCode(rawValue: machine.language) ?? .es)
        stateNames = machine.states.map { machine.strings[Int($0.name)] }
        var keywords: [String: Int32] = [:]
        for k in machine.keywords where keywords[machine.strings[Int(k.word)]] == nil {
            keywords[machine.strings[Int(k.word)]] = k.target
        }
        keywordTargets = keywords
        revocationWords = Set(machine.revocation?.words.map { machine.strings[Int($0)] } ?? [])
        let labels = machine.templates.compactMap { $0.optOut.map { machine.strings[Int($0)] } }
        optOutWords = Set(labels.map(TextMatching.normalize))
        var keys: [[String: Int32]] = []
        var replies: [[String: Int32]] = []
        var patterns: [SharedRegex?] = []
        var matches: [Int32: SharedRegex] = [:]
        func collect(_ c: MachineCondition) {
            switch c {
            case .compare(_, let op, let text, _, _, _):
                if op == "matches", let text, matches[text] == nil {
                    matches[text] = SharedRegex(machine.strings[Int(text)])
                }
            case .all(let items), .any(let items): items.forEach(collect)
            case .not(let inner): collect(inner)
            case .businessHours, .consentGiven: break
            }
        }
        for state in machine.states {
            var stateKeys: [String: Int32] = [:]
            var stateReplies: [String: Int32] = [:]
            var pattern: SharedRegex?
            switch state.payload {
            case .menu(let menu):
                for (i, option) in menu.options.enumerated() {
                    stateReplies[machine.strings[Int(option.id)]] = Int32(i)
                    for key in option.keys where stateKeys[machine.strings[Int(key)]] == nil {
                        stateKeys[machine.strings[Int(key)]] = Int32(i)
                    }
                }
            case .ask(let ask):
                pattern = ask.validation.pattern.flatMap { SharedRegex(machine.strings[Int($0)]) }
            case .branch(let branch):
                branch.cases.forEach(collect)
            default:
                break
            }
            keys.append(stateKeys)
            replies.append(stateReplies)
            patterns.append(pattern)
        }
        menuKeys = keys
        menuReplyIDs = replies
        askPatterns = patterns
        matchPatterns = matches
        policyVersion = machine.policy?.version ?? ""
        consentAskedAgain = machine.policy == nil ? nil : Self.firstGeneralConsent(machine)
        gatedByConsent = machine.states.map { Self.isGatedByConsent($0.payload, machine) }
        tables = PromptTables(machine: machine)
        fillings = machine.templates.map {
            TemplateBodyFilling(
                body: machine.strings.indices.contains(Int($0.body)) ? machine.strings[Int($0.body)] : "")
        }
    }

    /// The general consent step nearest the start, breadth first along every way a conversation moves: each
    /// step's transitions and, from every step that waits for the contact (consent steps excepted), the keywords'
    /// targets and the revocation's `next`: the edges the compiler's consent proof follows. A consent reached
    /// from the start only by a keyword is still found.
    static func firstGeneralConsent(_ machine: StateMachine) -> Int32? {
        guard machine.states.indices.contains(Int(machine.start)) else { return nil }
        var seen = [Bool](repeating: false, count: machine.states.count)
        var queue: [Int32] = []
        func visit(_ state: Int32) {
            guard machine.states.indices.contains(Int(state)), !seen[Int(state)] else { return }
            seen[Int(state)] = true
            queue.append(state)
        }
        visit(machine.start)
        // The keyword and revocation targets are the same from every waiting step: followed once, from the first.
        let global = machine.keywords.map(\.target) + (machine.revocation.map { [$0.target] } ?? [])
        var globalFollowed = false
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            let payload = machine.states[Int(state)].payload
            if case .consent(let consent) = payload {
                if !consent.sensitive { return state }
            } else if machine.states[Int(state)].waits, !globalFollowed {
                globalFollowed = true
                global.forEach(visit)
            }
            machine.transitions(of: state).forEach { visit($0.target) }
        }
        return nil
    }

    /// Whether entering a step of this payload needs consent of the current policy version (see `gatedByConsent`).
    static func isGatedByConsent(_ payload: StatePayload, _ machine: StateMachine) -> Bool {
        switch payload {
        case .handoff, .template: return true
        case .set(let set):
            return set.assignments.contains { assignment in
                guard machine.texts.indices.contains(Int(assignment.value)) else { return false }
                return machine.texts[Int(assignment.value)].pieces.contains { piece in
                    guard case .variable(let v) = piece, machine.variables.indices.contains(Int(v)) else {
                        return false
                    }
                    return machine.variables[Int(v)].hasPrefix("contact.")
                }
            }
        default: return false
        }
    }

    /// The step id of a state.
    public func name(of state: Int32) -> String { stateNames[Int(state)] }

    /// One step, returning the new session and the effects in order.
    public func step(_ session: Session, _ event: Event) -> (Session, [Effect]) {
        var s = session
        var effects: [Effect] = []
        step(&s, event, into: &effects)
        return (s, effects)
    }

    /// One step in place: the allocation-free form the server and the benchmark use.
    public func step(_ s: inout Session, _ event: Event, into fx: inout [Effect]) {
        let now = event.at
        if event.isFromContact {
            let consented = hasConsent(s)
            s.lastContactMessageAt = now
            let optingOut = isOptOut(event.kind, at: s)
            // Consent given to another policy version (the flow was reloaded with a new one mid-conversation)
            // covers no data now. The answer to a question for personal data or a file is not taken: the current
            // policy is asked for, and an acceptance asks the question again (as a handoff is gated). A message to
            // an agent, or an answer to a sensitive-data question (whose separate consent was given under the old
            // version), starts the conversation over, so the new policy is asked for first.
            if consentOfAnotherVersion(s), s.status != .new, s.status != .closed,
                awaitsData(s), !optingOut, !isKeywordOrRevocation(event.kind, at: s)
            {
                if s.status == .waiting, let consent = consentAskedAgain,
                    case .ask(let ask) = machine.states[Int(s.state)].payload, !ask.sensitive
                {
                    s.pendingStep = stateNames[Int(s.state)]
                    go(&s, to: consent, now: now, into: &fx)
                    return
                }
                if s.status == .queued || s.status == .withAgent { fx.append(.endHandoff(agent: s.agent)) }
                close(&s, .policyChanged, now: now, into: &fx)
            }
            if s.status == .new || s.status == .closed {
                // A revocation word revokes whenever it is written, also as the first message of a
                // conversation (which is otherwise not read): the conversation starts at the revocation.
                if case .text(let text, let messageID) = event.kind, machine.revocation != nil,
                    s.consent.acceptedVersion != nil || s.consent.optIn,
                    revocationWords.contains(InputText.normalize(text))
                {
                    startConversation(&s, now: now, into: &fx, enteringStart: false)
                    revoke(&s, words: text, messageID: messageID, sentAt: event.sentAt, now: now, into: &fx)
                    return
                }
                // So does a template's opt-out: the conversation it opens only confirms it, and closes.
                if optingOut {
                    startConversation(&s, now: now, into: &fx, enteringStart: false)
                    optOut(&s, messageID: event.kind.messageID, now: now, into: &fx)
                    close(&s, .end, now: now, into: &fx)
                    return
                }
                // A revocation word with nothing to revoke opens the conversation as any first message does, and is
                // held: an acceptance written before it (a tap on an older request) and delivered after it is
                // revoked by it.
                if case .text(let text, let messageID) = event.kind, let sentAt = event.sentAt,
                    revocationWords.contains(InputText.normalize(text))
                {
                    s.heldRevocation = Session.HeldRevocation(
                        words: text, messageID: messageID, sentAt: sentAt, applied: false)
                }
                startConversation(&s, now: now, into: &fx)
                return
            }
            // Nothing the contact wrote before accepting consent is kept (habeas-data checklist item 14).
            if consented {
                switch event.kind {
                case .text(let text, _): fx.append(.logContactMessage(.text(text)))
                case .attachment(let a, _):
                    // Logged with the type as judged, as it is relayed: the thread shows what decided.
                    fx.append(.logContactMessage(.attachment(a.withJudgedMimeType)))
                case .reply(let id, _): fx.append(.logContactMessage(.text(id)))
                case .unreadable(let type, let content, _):
                    fx.append(.logContactMessage(.text(Self.unreadableNote(type, content))))
                default: break
                }
            }
            if optingOut {
                optOut(&s, messageID: event.kind.messageID, now: now, into: &fx)
                // The contact wrote: a waiting step's inactivity deadline starts again; nothing else moves. At a
                // consent request a reload changed (`neverConsent`), the current one is sent: the one on the
                // contact's screen is no longer the flow's, and no later answer to it may count.
                if event.neverConsent, s.status == .waiting,
                    case .consent(let consent) = machine.states[Int(s.state)].payload
                {
                    if s.awaitingOptIn, let optIn = consent.optIn {
                        promptOptIn(&s, optIn, now: now, into: &fx)
                    } else {
                        promptConsent(&s, consent, now: now, into: &fx)
                    }
                }
                if s.status == .waiting { wait(&s, now: now, into: &fx) }
                return
            }
        }
        switch event.kind {
        case .text(let text, let messageID):
            contactText(
                &s, text, messageID: messageID, neverConsent: event.forwarded || event.neverConsent,
                sentAt: event.sentAt, now: now, into: &fx)
        case .reply(let id, let messageID):
            contactReply(
                &s, id, messageID: messageID, neverConsent: event.neverConsent, sentAt: event.sentAt, now: now,
                into: &fx)
        case .attachment(let attachment, let messageID):
            contactAttachment(&s, attachment, messageID: messageID, now: now, into: &fx)
        case .unreadable(let type, let content, let messageID):
            contactUnreadable(&s, Self.unreadableNote(type, content), messageID: messageID, now: now, into: &fx)
        case .agentAssigned(let agent):
            guard s.status == .queued else { return }
            s.status = .withAgent
            s.agent = agent
        case .agentMessage(let text):
            guard s.status == .withAgent || s.status == .queued, let agent = s.agent else { return }
            if EmojiScanner.containsEmoji(text) {
                fx.append(.agentMessageRefused(reason: "emoji are not allowed in messages to contacts"))
                return
            }
            send(&s, .text(text), from: .agent(agent), now: now, into: &fx)
        case .agentClosed:
            guard s.status == .withAgent || s.status == .queued else { return }
            s.agent = nil
            s.queue = nil
            s.status = .waiting
            if let target = machine.target(of: s.state, on: .afterAgent) {
                go(&s, to: target, now: now, into: &fx)
            } else {
                close(&s, .agentClosed, now: now, into: &fx)
            }
        case .marketingStopped(let optInVersion):
            guard s.consent.optIn else { return }
            withdrawOptIn(&s, version: optInVersion ?? policyVersion, messageID: nil, now: now, into: &fx)
        case .inactivityTimeout:
            guard s.status == .waiting, let deadline = s.inactivityDeadline, now >= deadline else { return }
            s.inactivityDeadline = nil
            if let text = machine.settings.inactivityText {
                send(&s, .text(render(text, s)), from: .bot, now: now, into: &fx)
            }
            close(&s, .inactivity, now: now, into: &fx)
        }
    }

    // MARK: Opt-out

    /// Whether a contact with the opt-in stops promotions with a template's opt-out button: its label as text
    /// (a tap on it comes as its label's text, or the contact typed it). A revocation word is the revocation's,
    /// which withdraws the opt-in too.
    func isOptOut(_ kind: Event.Kind, at s: Session) -> Bool {
        guard s.consent.optIn, !optOutWords.isEmpty, case .text(let text, _) = kind else { return false }
        let normalized = InputText.normalize(text)
        return optOutWords.contains(normalized) && !revocationWords.contains(normalized)
    }

    /// Withdraws the opt-in at the contact's request and confirms it; the general consent stays.
    func optOut(_ s: inout Session, messageID: String?, now: Int64, into fx: inout [Effect]) {
        withdrawOptIn(
            &s, version: s.consent.acceptedVersion ?? policyVersion, messageID: messageID, now: now, into: &fx)
        send(&s, .text(defaults.optOutConfirmation), from: .bot, now: now, into: &fx)
    }

    /// Records `opt_in_withdrawn` and clears the opt-in. Nothing was shown: no text, hash, URL or language to
    /// record, as for a revocation; `version` is the policy version the opt-in rode on.
    func withdrawOptIn(_ s: inout Session, version: String, messageID: String?, now: Int64, into fx: inout [Effect]) {
        s.consent.optIn = false
        let marketing = machine.policy?.purposes.filter(\.marketing).map { str($0.id) } ?? []
        fx.append(
            .recordConsent(
                ConsentEvidence(
                    flow: machine.flow, step: "", policyVersion: version, policyURL: nil, choice: "opt_in_withdrawn",
                    shownTexts: [], textSHA256: nil, purposesAccepted: [], purposesDeclined: marketing,
                    sensitive: false, at: now, replyMessageID: messageID, language: nil)))
    }

    // MARK: Conversation lifecycle

    /// Whether the contact typed a revocation word or a keyword at a step that waits: a revocation or a jump,
    /// never an answer (both are checked before the answer), so no data is given.
    func isKeywordOrRevocation(_ kind: Event.Kind, at s: Session) -> Bool {
        guard s.status == .waiting, case .text(let text, _) = kind else { return false }
        let normalized = InputText.normalize(text)
        return keywordTargets[normalized] != nil || revocationWords.contains(normalized)
    }

    /// Whether what the contact sends now would be personal data: an answer to a question for personal or
    /// sensitive data, a phone number, an e-mail address or a file, or a message to an agent.
    func awaitsData(_ s: Session) -> Bool {
        if s.status == .queued || s.status == .withAgent { return true }
        guard case .ask(let ask) = machine.states[Int(s.state)].payload else { return false }
        return ask.personalData || ask.sensitive || InputType(rawValue: ask.input)?.isPersonalData == true
    }

    func hasConsent(_ s: Session) -> Bool {
        s.consent.covers(policyVersion)
    }

    /// Whether the contact's consent was given to another policy version than the flow's (a flow reloaded with
    /// a new version): it covers no data step now, though the contact did consent once.
    func consentOfAnotherVersion(_ s: Session) -> Bool {
        s.consent.acceptedVersion != nil && !hasConsent(s)
    }

    /// Starts a new conversation at a given state instead of the flow's start (transcript fixtures, the REPL).
    public func start(_ s: inout Session, at state: Int32, now: Int64, into fx: inout [Effect]) {
        startConversation(&s, now: now, into: &fx, state: state)
    }

    func startConversation(
        _ s: inout Session, now: Int64, into fx: inout [Effect], state: Int32? = nil, enteringStart: Bool = true
    ) {
        let name = s.variables.first ?? nil
        let phone = s.variables.count > 1 ? s.variables[1] : nil
        // A conversation started at a given state (fixtures, the REPL) keeps the variables preset for it.
        if state == nil { s.variables = [name, phone] }
        s.status = .waiting
        s.awaitingOptIn = false
        s.optInAsked = nil
        s.pendingStep = nil
        s.attempts = 0
        s.queue = nil
        s.agent = nil
        s.startedAt = now
        s.endedAt = nil
        s.handoffAt = nil
        s.consent.sensitive = false
        fx.append(.conversationStarted)
        if enteringStart { go(&s, to: state ?? machine.start, now: now, into: &fx, offeringOptIn: false) }
    }

    func close(_ s: inout Session, _ reason: CloseReason, now: Int64, into fx: inout [Effect]) {
        if s.inactivityDeadline != nil { fx.append(.cancelInactivityTimer) }
        s.closeConversation(at: now)
        fx.append(.closeConversation(reason))
    }

    /// Waits for the contact at the current state: schedules the inactivity timer.
    func wait(_ s: inout Session, now: Int64, into fx: inout [Effect]) {
        s.status = .waiting
        let deadline = now + Int64(machine.settings.inactivitySeconds)
        s.inactivityDeadline = deadline
        fx.append(.scheduleInactivityTimer(at: deadline))
    }

    // MARK: Entering states

    /// Enters `target` and runs every step that does not wait, until one waits or the conversation ends.
    /// `offeringOptIn`: a consent step whose consent is in force still asks its opt-in question of a contact who
    /// has not opted in, when the flow leads there during the conversation (a "receive promotions" option), once
    /// per conversation; not on a conversation's first pass, which would ask it every time the contact writes.
    func go(_ s: inout Session, to target: Int32, now: Int64, into fx: inout [Effect], offeringOptIn: Bool = true) {
        var next: Int32? = target
        var budget = machine.states.count + 1
        while var current = next {
            budget -= 1
            guard budget >= 0, current >= 0, Int(current) < machine.states.count else {
                close(&s, .error, now: now, into: &fx)
                return
            }
            // A handoff gives the contact's data to a person, a template or a `set` of `contact.*` uses it: under
            // a policy version the contact has not accepted, the current one is asked for first, and an
            // acceptance goes on to this step. A flow with a policy but no general consent to ask never runs it
            // under the old version: the conversation closes, as at a question for personal data.
            if gatedByConsent[Int(current)], machine.policy != nil, consentOfAnotherVersion(s) {
                guard let consent = consentAskedAgain else {
                    close(&s, .policyChanged, now: now, into: &fx)
                    return
                }
                s.pendingStep = stateNames[Int(current)]
                current = consent
            }
            s.state = current
            s.attempts = 0
            s.awaitingOptIn = false
            fx.append(.stepEntered(stateNames[Int(current)]))
            switch machine.states[Int(current)].payload {
            case .consent(let consent):
                if consent.sensitive ? s.consent.sensitive : hasConsent(s) {
                    if offeringOptIn, !consent.sensitive, !s.consent.optIn, s.optInAsked != true,
                        let optIn = consent.optIn
                    {
                        s.awaitingOptIn = true
                        promptOptIn(&s, optIn, now: now, into: &fx)
                        wait(&s, now: now, into: &fx)
                        return
                    }
                    next = machine.target(of: current, on: .accept)
                    continue
                }
                promptConsent(&s, consent, now: now, into: &fx)
                wait(&s, now: now, into: &fx)
                return
            case .message(let message):
                send(&s, .text(render(message.text, s)), from: .bot, now: now, into: &fx)
                if let a = message.attachment {
                    send(
                        &s,
                        .attachment(
                            url: str(a.url), fileName: a.filename.map(str),
                            caption: a.caption.flatMap { renderUnlessBlank($0, s, limit: WhatsAppTextLimit.caption) },
                            fileExtension: str(a.fileExtension)), from: .bot, now: now, into: &fx)
                }
                next = machine.target(of: current, on: .next)
            case .menu(let menu):
                showMenu(&s, menu, now: now, into: &fx)
                wait(&s, now: now, into: &fx)
                return
            case .ask(let ask):
                send(&s, .text(render(ask.text, s)), from: .bot, now: now, into: &fx)
                wait(&s, now: now, into: &fx)
                return
            case .branch(let branch):
                next = machine.target(of: current, on: .branchDefault)
                for (i, condition) in branch.cases.enumerated() where holds(condition, s, now: now) {
                    next = machine.target(of: current, on: .branchCase, index: Int32(i))
                    break
                }
            case .set(let set):
                for assignment in set.assignments {
                    assign(&s, assignment.variable, render(assignment.value, s))
                }
                next = machine.target(of: current, on: .next)
            case .handoff(let handoff):
                if calendar.isOpen(at: now) {
                    send(&s, .text(render(handoff.text, s)), from: .bot, now: now, into: &fx)
                    requestHandoff(&s, handoff, now: now, into: &fx)
                    return
                }
                if let closed = handoff.closedText {
                    send(&s, .text(render(closed, s)), from: .bot, now: now, into: &fx)
                }
                if let closedTarget = machine.target(of: current, on: .closedHours) {
                    next = closedTarget
                    continue
                }
                requestHandoff(&s, handoff, now: now, into: &fx)
                return
            case .template(let payload):
                sendTemplate(&s, payload, now: now, into: &fx)
                next = machine.target(of: current, on: .next)
            case .end(let end):
                if let text = end.text { send(&s, .text(render(text, s)), from: .bot, now: now, into: &fx) }
                close(&s, .end, now: now, into: &fx)
                return
            }
            if next == nil {
                close(&s, .error, now: now, into: &fx)
                return
            }
        }
    }

    func requestHandoff(_ s: inout Session, _ handoff: HandoffPayload, now: Int64, into fx: inout [Effect]) {
        if s.inactivityDeadline != nil {
            s.inactivityDeadline = nil
            fx.append(.cancelInactivityTimer)
        }
        s.status = .queued
        s.queue = handoff.queue
        s.handoffAt = now
        let queue =
            machine.queues.indices.contains(Int(handoff.queue)) ? str(machine.queues[Int(handoff.queue)].name) : ""
        fx.append(.requestHandoff(queue: queue))
    }

    func sendTemplate(_ s: inout Session, _ payload: TemplatePayload, now: Int64, into fx: inout [Effect]) {
        guard machine.templates.indices.contains(Int(payload.template)) else { return }
        let template = machine.templates[Int(payload.template)]
        let name = str(template.name)
        if template.category == "marketing" && !s.consent.optIn {
            fx.append(.templateRefused(name: name, reason: "the contact did not opt in to promotional messages"))
            return
        }
        // A filled value may hold what Meta refuses (a multi-line answer): normalized, not refused; one left
        // blank (a name made only of emoji, stripped) would be refused by Meta, so it is not sent.
        var parameters: [String] = []
        parameters.reserveCapacity(payload.parameters.count)
        for (index, parameter) in payload.parameters.enumerated() {
            let value = TemplateParameterText.normalized(render(parameter, s))
            if TemplateParameterText.problem(in: value) == .blank {
                fx.append(
                    .templateRefused(
                        name: name,
                        reason: "parameter \(index + 1) ({{\(index + 1)}}) is empty once filled in; Meta refuses a "
                            + "template parameter without text"))
                return
            }
            parameters.append(value)
        }
        // Meta refuses a body longer than it takes once filled in (132005): the values are cut to fit instead.
        parameters = fillings[Int(payload.template)].fitting(parameters)
        // Templates are the one kind of message allowed outside the 24-hour window.
        fx.append(
            .send(
                .template(
                    name: name, language: str(template.language), parameters: parameters,
                    headerType: template.headerType, headerLink: template.headerLink.map(str)), from: .bot))
    }

    // MARK: Consent

    /// Shows the consent request: reply buttons `<step>.accept` and `<step>.decline`.
    func promptConsent(_ s: inout Session, _ consent: ConsentPayload, now: Int64, into fx: inout [Effect]) {
        guard let message = consentPrompt(s, consent) else { return }
        send(&s, message, from: .bot, now: now, into: &fx)
    }

    /// Asks the opt-in question: reply buttons `<step>.opt_in.accept` and `<step>.opt_in.decline`.
    func promptOptIn(_ s: inout Session, _ optIn: OptInPayload, now: Int64, into fx: inout [Effect]) {
        s.optInAsked = true
        guard let message = optInPrompt(s, optIn) else { return }
        send(&s, message, from: .bot, now: now, into: &fx)
    }

    /// The consent request of the step `s` is at, as it is sent.
    func consentPrompt(_ s: Session, _ consent: ConsentPayload) -> OutboundMessage? {
        guard let c = tables.consents[Int(s.state)] else { return nil }
        return c.prompt
            ?? PromptTables.buttons(
                renderBody(consent.text, s), c.acceptID, str(consent.acceptTitle), c.declineID,
                str(consent.declineTitle))
    }

    /// The opt-in question of the step `s` is at, as it is sent.
    func optInPrompt(_ s: Session, _ optIn: OptInPayload) -> OutboundMessage? {
        guard let c = tables.consents[Int(s.state)] else { return nil }
        return c.optInPrompt
            ?? PromptTables.buttons(
                renderBody(optIn.text, s), c.optInAcceptID, str(optIn.acceptTitle), c.optInDeclineID,
                str(optIn.declineTitle))
    }

    /// The question a session waiting at a consent step is answering, as this flow sends it now: the opt-in
    /// question while it is asked, else the consent request; `nil` elsewhere. A channel compares it with the
    /// message a tapped button belongs to: a request another version of the flow showed otherwise is no
    /// decision on this one (`Event.neverConsent`).
    public func pendingConsentQuestion(_ s: Session) -> OutboundMessage? {
        guard s.status == .waiting, machine.states.indices.contains(Int(s.state)),
            case .consent(let consent) = machine.states[Int(s.state)].payload
        else { return nil }
        if s.awaitingOptIn, let optIn = consent.optIn { return optInPrompt(s, optIn) }
        return consentPrompt(s, consent)
    }

    /// Whether `normalized` is one of the (normalized) words.
    func isOne(of words: [Int32], _ normalized: String?) -> Bool {
        guard let normalized else { return false }
        for word in words where str(word) == normalized { return true }
        return false
    }

    /// Whether typed text is an answer of the question asked at a consent step: at the opt-in question, one of
    /// its two labels (a tap and a typed label are the same answer, as at a menu); otherwise a decline word.
    /// Such a text answers even when it is also a revocation word.
    func answersQuestionAsked(_ s: Session, _ consent: ConsentPayload, _ normalized: String) -> Bool {
        guard s.awaitingOptIn else { return isOne(of: consent.declineWords, normalized) }
        guard let c = tables.consents[Int(s.state)] else { return false }
        return normalized == c.optInAcceptKey || normalized == c.optInDeclineKey
    }

    /// A contact's answer at a consent step: only the accept reply id or an exact accept word accepts.
    /// `sentAt`: when the contact wrote the answer, by WhatsApp's clock, if known.
    func consentAnswer(
        _ s: inout Session, _ consent: ConsentPayload, replyID: String?, normalized: String?, messageID: String?,
        sentAt: Int64? = nil, now: Int64, into fx: inout [Effect]
    ) {
        guard let c = tables.consents[Int(s.state)] else {
            close(&s, .error, now: now, into: &fx)
            return
        }
        let stateName = name(of: s.state)
        // A reload while the opt-in question was asked: without an opt-in now the acceptance goes on; under
        // another policy version it asked no opt-in of the new one, which is asked for first (then the opt-in).
        if s.awaitingOptIn, consent.optIn == nil || !s.consent.covers(policyVersion) {
            s.awaitingOptIn = false
            if s.consent.covers(policyVersion), let target = afterAcceptance(&s) {
                go(&s, to: target, now: now, into: &fx)
            } else {
                promptConsent(&s, consent, now: now, into: &fx)
                wait(&s, now: now, into: &fx)
            }
            return
        }
        if s.awaitingOptIn, let optIn = consent.optIn {
            let accepted = replyID == c.optInAcceptID || normalized == c.optInAcceptKey
            let declined = replyID == c.optInDeclineID || normalized == c.optInDeclineKey
            guard accepted || declined else {
                promptOptIn(&s, optIn, now: now, into: &fx)
                wait(&s, now: now, into: &fx)
                return
            }
            s.consent.optIn = accepted
            let shown =
                c.optInShown
                ?? ShownTexts([
                    renderBody(optIn.text, s), str(optIn.acceptTitle),
                    str(optIn.declineTitle),
                ])
            fx.append(
                .recordConsent(
                    evidence(
                        step: stateName, choice: accepted ? "opt_in_accepted" : "opt_in_declined", shown: shown,
                        accepted: accepted ? [c.optInPurpose] : [], declined: accepted ? [] : [c.optInPurpose],
                        sensitive: false, messageID: messageID, now: now)))
            s.awaitingOptIn = false
            if let target = afterAcceptance(&s) { go(&s, to: target, now: now, into: &fx) }
            return
        }
        let accepted = replyID == c.acceptID || isOne(of: consent.acceptWords, normalized)
        let declined = replyID == c.declineID || isOne(of: consent.declineWords, normalized)
        guard accepted != declined else {
            // Anything else (other text, a file, a sticker) is never consent: show the request again.
            promptConsent(&s, consent, now: now, into: &fx)
            wait(&s, now: now, into: &fx)
            return
        }
        let shown =
            c.shown
            ?? ShownTexts([
                renderBody(consent.text, s), str(consent.acceptTitle),
                str(consent.declineTitle),
            ])
        fx.append(
            .recordConsent(
                evidence(
                    step: stateName, choice: accepted ? "accepted" : "declined", shown: shown,
                    accepted: accepted ? c.purposes : [], declined: accepted ? [] : c.purposes,
                    sensitive: consent.sensitive, messageID: messageID, now: now)))
        if consent.sensitive {
            s.consent.sensitive = accepted
        } else if accepted {
            s.consent.acceptedVersion = policyVersion
            // Written before a revocation word already received (WhatsApp delivered it late): the acceptance is
            // the contact's and is recorded, and so is the revocation that followed it by the contact's clock.
            if let held = s.heldRevocation, let sentAt, sentAt < held.sentAt {
                revoke(&s, words: held.words, messageID: held.messageID, held: held, now: now, into: &fx)
                return
            }
            // A decision written after the word supersedes it: an acceptance older than both, delivered later
            // still, is the contact's, then revoked, then accepted again, which leaves consent in force.
            s.heldRevocation = nil
        } else if s.consent.acceptedVersion == policyVersion {
            // A decline of the very version accepted before is the latest decision on it: consent is no longer
            // in force (the ledger's fold reads it the same way).
            s.consent.acceptedVersion = nil
        }
        // The opt-in question follows an acceptance only for a contact without the opt-in who was not asked it in
        // this conversation: a re-acceptance under a new policy version minutes after a "No, gracias" does not
        // ask again (never twice in one conversation, as on a later pass through the step).
        if accepted, !consent.sensitive, let optIn = consent.optIn, !s.consent.optIn, s.optInAsked != true {
            s.awaitingOptIn = true
            promptOptIn(&s, optIn, now: now, into: &fx)
            wait(&s, now: now, into: &fx)
            return
        }
        if consent.sensitive || !accepted { s.pendingStep = nil }
        if let target = accepted ? afterAcceptance(&s) : machine.target(of: s.state, on: .decline) {
            go(&s, to: target, now: now, into: &fx)
        } else {
            close(&s, .error, now: now, into: &fx)
        }
    }

    /// Where an accepted consent goes: the step that asked it again (a handoff, a template, a `set` of
    /// `contact.*`, a question), if any (taken once), else `accept.next`. The step is found by its id in the flow
    /// as it is now (a reload may have renumbered, changed or removed it): a step of that id that is no longer one
    /// of those (or a question for sensitive data), or none, goes to `accept.next`.
    func afterAcceptance(_ s: inout Session) -> Int32? {
        if let pending = s.pendingStep {
            s.pendingStep = nil
            if let index = stateNames.firstIndex(of: pending) {
                switch machine.states[index].payload {
                case .ask(let ask) where !ask.sensitive: return Int32(index)
                default: if gatedByConsent[index] { return Int32(index) }
                }
            }
        }
        return machine.target(of: s.state, on: .accept)
    }

    /// The evidence of a consent decision; the texts and their hash are those the contact was shown.
    func evidence(
        step: String, choice: String, shown: ShownTexts, accepted: [String], declined: [String], sensitive: Bool,
        messageID: String?, now: Int64
    ) -> ConsentEvidence {
        ConsentEvidence(
            flow: machine.flow, step: step, policyVersion: policyVersion, policyURL: machine.policy?.url ?? "",
            choice: choice, shownTexts: shown.texts, textSHA256: shown.sha256, purposesAccepted: accepted,
            purposesDeclined: declined, sensitive: sensitive, at: now, replyMessageID: messageID,
            language: machine.language)
    }

    // MARK: Contact input

    /// `neverConsent`: the text is no answer to a consent or opt-in question (forwarded, or answering a request a
    /// reload changed); there it shows the question again.
    func contactText(
        _ s: inout Session, _ text: String, messageID: String?, neverConsent: Bool, sentAt: Int64? = nil,
        now: Int64, into fx: inout [Effect]
    ) {
        let normalized = InputText.normalize(text)
        let payload = machine.states[Int(s.state)].payload
        // At a consent question a contact with something to revoke (a consent of any version, or the opt-in) may
        // revoke: at the opt-in question that follows an acceptance, at a sensitive consent, at a general consent
        // asked again under a new policy. A word that answers the question asked (a decline word of the consent,
        // or at the opt-in question one of its two labels typed) answers it instead; for a contact with nothing to
        // revoke, a revocation word is an answer like any other (it shows the request).
        if case .consent(let consent) = payload, s.status == .waiting,
            !(revocationWords.contains(normalized) && (s.consent.acceptedVersion != nil || s.consent.optIn)
                && !answersQuestionAsked(s, consent, normalized))
        {
            // A revocation word with nothing to revoke yet is held: an acceptance written before it and delivered
            // after it is revoked by it.
            if let sentAt, !neverConsent, revocationWords.contains(normalized),
                !isOne(of: consent.declineWords, normalized)
            {
                s.heldRevocation = Session.HeldRevocation(
                    words: text, messageID: messageID, sentAt: sentAt, applied: false)
            }
            // A forwarded text is someone else's words: never consent, the request is shown again.
            consentAnswer(
                &s, consent, replyID: nil, normalized: neverConsent ? nil : normalized, messageID: messageID,
                sentAt: sentAt, now: now, into: &fx)
            return
        }
        if revocationWords.contains(normalized) {
            revoke(&s, words: text, messageID: messageID, sentAt: sentAt, now: now, into: &fx)
            return
        }
        if s.status == .queued || s.status == .withAgent {
            fx.append(.relayToAgent(agent: s.agent, message: .text(text)))
            return
        }
        guard s.status == .waiting else { return }
        if let target = keywordTargets[normalized] {
            go(&s, to: target, now: now, into: &fx)
            return
        }
        switch payload {
        case .menu(let menu):
            var choice = menuKeys[Int(s.state)][normalized]
            if choice == nil, let number = Int(normalized), number >= 1, number <= menu.options.count {
                choice = Int32(number - 1)
            }
            if let choice {
                choose(&s, option: choice, now: now, into: &fx)
            } else {
                invalidMenuAnswer(&s, menu, now: now, into: &fx)
            }
        case .ask(let ask):
            let value = AnswerValidation.validate(
                text, input: ask.input, validation: ask.validation, pattern: askPatterns[Int(s.state)],
                defaults: defaults)
            if let value {
                answer(&s, ask, value, now: now, into: &fx)
            } else {
                invalidAskAnswer(&s, ask, now: now, into: &fx)
            }
        default:
            break
        }
    }

    func contactReply(
        _ s: inout Session, _ id: String, messageID: String?, neverConsent: Bool, sentAt: Int64? = nil, now: Int64,
        into fx: inout [Effect]
    ) {
        let payload = machine.states[Int(s.state)].payload
        if case .consent(let consent) = payload, s.status == .waiting {
            consentAnswer(
                &s, consent, replyID: neverConsent ? nil : id, normalized: nil, messageID: messageID, sentAt: sentAt,
                now: now, into: &fx)
            return
        }
        if s.status == .waiting, case .menu = payload, let choice = menuReplyIDs[Int(s.state)][id] {
            choose(&s, option: choice, now: now, into: &fx)
            return
        }
        // A tap on an older message's button is never an answer to a question: ask again.
        if s.status == .waiting, case .ask(let ask) = payload {
            invalidAskAnswer(&s, ask, now: now, into: &fx)
            return
        }
        // Elsewhere (an older menu, a revocation or keyword word as id): read it as the text of its id.
        contactText(&s, id, messageID: messageID, neverConsent: false, sentAt: sentAt, now: now, into: &fx)
    }

    /// How a message the flow cannot read shows in the thread and reaches the agent: its type in brackets,
    /// then its readable content if it has one (`[location] Oficina centro…`).
    public static func unreadableNote(_ type: String, _ content: String? = nil) -> String {
        guard let content, !content.isEmpty else { return "[\(type)]" }
        return "[\(type)] \(content)"
    }

    /// A message the flow cannot read is never an answer: a consent, menu or question asks again, as after a
    /// wrong answer; an agent is told of it.
    func contactUnreadable(_ s: inout Session, _ note: String, messageID: String?, now: Int64, into fx: inout [Effect])
    {
        let payload = machine.states[Int(s.state)].payload
        if case .consent(let consent) = payload, s.status == .waiting {
            consentAnswer(&s, consent, replyID: nil, normalized: nil, messageID: messageID, now: now, into: &fx)
            return
        }
        if s.status == .queued || s.status == .withAgent {
            fx.append(.relayToAgent(agent: s.agent, message: .text(note)))
            return
        }
        guard s.status == .waiting else { return }
        switch payload {
        case .menu(let menu): invalidMenuAnswer(&s, menu, now: now, into: &fx)
        case .ask(let ask): invalidAskAnswer(&s, ask, now: now, into: &fx)
        default: break
        }
    }

    func contactAttachment(
        _ s: inout Session, _ attachment: Event.Attachment, messageID: String?, now: Int64, into fx: inout [Effect]
    ) {
        let payload = machine.states[Int(s.state)].payload
        if case .consent(let consent) = payload, s.status == .waiting {
            // A file is never consent: show the request again, and keep nothing of it.
            consentAnswer(&s, consent, replyID: nil, normalized: nil, messageID: messageID, now: now, into: &fx)
            return
        }
        let mime = attachment.judgedMimeType
        guard Self.acceptedMimeTypes.contains(mime) else {
            send(&s, .text(defaults.attachmentRefused), from: .bot, now: now, into: &fx)
            // The contact wrote: the inactivity deadline starts again, as after any other message.
            if s.status == .waiting { wait(&s, now: now, into: &fx) }
            return
        }
        let local = calendar.local(now)
        if s.attachmentMonth != local.monthKey {
            s.attachmentMonth = local.monthKey
            s.attachmentBytes = 0
        }
        // A size near Int64.max (a transcript may write one) is over the allowance, not an overflow.
        let (total, overflow) = s.attachmentBytes.addingReportingOverflow(attachment.size)
        guard attachment.size >= 0, !overflow, total <= Self.monthlyAttachmentAllowance else {
            let (year, month) = local.month == 12 ? (local.year + 1, 1) : (local.year, local.month + 1)
            let text = defaults.attachmentLimit.replacingOccurrences(
                of: "%@", with: defaults.resetDate(year: year, month: month))
            send(&s, .text(text), from: .bot, now: now, into: &fx)
            if s.status == .waiting { wait(&s, now: now, into: &fx) }
            return
        }
        s.attachmentBytes += attachment.size
        if s.status == .queued || s.status == .withAgent {
            // The type as judged, without parameters or capitals (`image/JPEG;q=1` is `image/jpeg`).
            fx.append(.relayToAgent(agent: s.agent, message: .attachment(attachment.withJudgedMimeType)))
            return
        }
        guard s.status == .waiting else { return }
        switch payload {
        case .ask(let ask) where ask.input == "document" || ask.input == "image":
            let fits = ask.input == "document" ? mime == "application/pdf" : mime.hasPrefix("image/")
            if fits {
                let ext = mime == "application/pdf" ? "pdf" : (mime == "image/png" ? "png" : "jpg")
                answer(&s, ask, attachment.fileName ?? "\(defaults.unnamedFile).\(ext)", now: now, into: &fx)
            } else {
                invalidAskAnswer(&s, ask, now: now, into: &fx)
            }
        case .ask(let ask):
            invalidAskAnswer(&s, ask, now: now, into: &fx)
        case .menu(let menu):
            invalidMenuAnswer(&s, menu, now: now, into: &fx)
        default:
            break
        }
    }

    func choose(_ s: inout Session, option: Int32, now: Int64, into fx: inout [Effect]) {
        if let target = machine.target(of: s.state, on: .option, index: option) {
            go(&s, to: target, now: now, into: &fx)
        }
    }

    func invalidMenuAnswer(_ s: inout Session, _ menu: MenuPayload, now: Int64, into fx: inout [Effect]) {
        s.attempts += 1
        if s.attempts > menu.retries, let fallback = machine.target(of: s.state, on: .fallback) {
            go(&s, to: fallback, now: now, into: &fx)
            return
        }
        // Without a fallback the menu keeps asking, its count starting over.
        if s.attempts > menu.retries { s.attempts = 0 }
        send(&s, .text(render(menu.invalid, s)), from: .bot, now: now, into: &fx)
        showMenu(&s, menu, now: now, into: &fx)
        wait(&s, now: now, into: &fx)
    }

    func invalidAskAnswer(_ s: inout Session, _ ask: AskPayload, now: Int64, into fx: inout [Effect]) {
        s.attempts += 1
        if s.attempts >= ask.attempts, let fallback = machine.target(of: s.state, on: .fallback) {
            go(&s, to: fallback, now: now, into: &fx)
            return
        }
        if s.attempts >= ask.attempts { s.attempts = 0 }
        send(&s, .text(render(ask.retry, s)), from: .bot, now: now, into: &fx)
        wait(&s, now: now, into: &fx)
    }

    func answer(_ s: inout Session, _ ask: AskPayload, _ value: String, now: Int64, into fx: inout [Effect]) {
        assign(&s, ask.variable, value)
        fx.append(.variableSaved(name: machine.variables[Int(ask.variable)]))
        if let target = machine.target(of: s.state, on: .next) {
            go(&s, to: target, now: now, into: &fx)
        } else {
            close(&s, .error, now: now, into: &fx)
        }
    }

    /// Revokes everything the contact consented to. `sentAt`: when the contact wrote the words, by WhatsApp's
    /// clock (the revocation is then held against an acceptance delivered late). `held`: the revocation is a held
    /// one, taken again after such an acceptance; one already confirmed when it arrived is taken silently, and
    /// the conversation stays at the consent question it showed.
    func revoke(
        _ s: inout Session, words: String, messageID: String?, sentAt: Int64? = nil,
        held: Session.HeldRevocation? = nil, now: Int64, into fx: inout [Effect]
    ) {
        guard let revocation = machine.revocation else { return }
        fx.append(
            .recordRevocation(
                RevocationEvidence(
                    flow: machine.flow, policyVersion: s.consent.acceptedVersion ?? policyVersion, words: words,
                    at: now, messageID: messageID, sentAt: held?.sentAt)))
        if let sentAt = sentAt ?? held?.sentAt {
            s.heldRevocation = Session.HeldRevocation(
                words: words, messageID: messageID, sentAt: sentAt, applied: true)
        }
        if s.inactivityDeadline != nil {
            s.inactivityDeadline = nil
            fx.append(.cancelInactivityTimer)
        }
        if s.status == .queued || s.status == .withAgent {
            fx.append(.endHandoff(agent: s.agent))
            s.agent = nil
            s.queue = nil
        }
        s.consent = Session.Consent()
        s.pendingStep = nil
        // A contact who accepts again is asked the opt-in question again, as a new contact is.
        s.optInAsked = nil
        s.awaitingOptIn = false
        let name = s.variables.first ?? nil
        let phone = s.variables.count > 1 ? s.variables[1] : nil
        s.variables = [name, phone]
        s.status = .waiting
        if let held, held.applied {
            wait(&s, now: now, into: &fx)
            return
        }
        send(&s, .text(render(revocation.text, s)), from: .bot, now: now, into: &fx)
        go(&s, to: revocation.target, now: now, into: &fx)
    }

    // MARK: Output

    func showMenu(_ s: inout Session, _ menu: MenuPayload, now: Int64, into fx: inout [Effect]) {
        if let message = tables.menus[Int(s.state)] {
            send(&s, message, from: .bot, now: now, into: &fx)
            return
        }
        let header = menu.header.flatMap { renderUnlessBlank($0, s, limit: WhatsAppTextLimit.headerOrFooter) }
        let footer = menu.footer.flatMap { renderUnlessBlank($0, s, limit: WhatsAppTextLimit.headerOrFooter) }
        let body = renderBody(menu.text, s)
        let message = PromptTables.menu(machine, menu, body: body, header: header, footer: footer)
        send(&s, message, from: .bot, now: now, into: &fx)
    }

    /// Sends a free-form message, unless the 24-hour window since the contact's last message has closed. A text
    /// that filled-in values made longer than WhatsApp takes goes as several messages (`TextMessageSplitting`),
    /// rather than as one Meta would refuse.
    func send(_ s: inout Session, _ message: OutboundMessage, from sender: Sender, now: Int64, into fx: inout [Effect])
    {
        // A text that filled-in values left blank (an answer made only of emoji, stripped): Meta refuses it, and
        // there is nothing to say.
        if case .text(let body) = message, body.allSatisfy(\.isWhitespace) { return }
        if case .text(let body) = message, !WhatsAppTextLimit.fits(body, within: WhatsAppTextLimit.textMessage) {
            for part in TextMessageSplitting.parts(of: body) {
                sendWhole(&s, .text(part), from: sender, now: now, into: &fx)
            }
            return
        }
        sendWhole(&s, message, from: sender, now: now, into: &fx)
    }

    /// Whether more than the 24-hour window has passed from `last` to `now`, without trapping on times no clock
    /// gives (a damaged store's `Int64.min`): a difference past `Int64`'s range is past the window when `now` is
    /// the later.
    public static func windowClosed(since last: Int64, at now: Int64) -> Bool {
        let (elapsed, overflow) = now.subtractingReportingOverflow(last)
        return overflow ? now > last : elapsed > serviceWindowSeconds
    }

    /// Sends one message as it is, unless the 24-hour window has closed.
    func sendWhole(
        _ s: inout Session, _ message: OutboundMessage, from sender: Sender, now: Int64, into fx: inout [Effect]
    ) {
        if let last = s.lastContactMessageAt, Self.windowClosed(since: last, at: now) {
            fx.append(.windowClosed(message, from: sender))
        } else {
            fx.append(.send(message, from: sender))
        }
    }

    @inline(__always) func str(_ index: Int32) -> String { machine.strings[Int(index)] }

    func assign(_ s: inout Session, _ variable: Int32, _ value: String) {
        let i = Int(variable)
        if s.variables.count <= i {
            s.variables.append(contentsOf: repeatElement(nil, count: i + 1 - s.variables.count))
        }
        s.variables[i] = value
    }

    /// The text with its placeholders filled in; values are stripped of emoji (the no-emoji policy covers
    /// text built from what contacts typed, and their WhatsApp profile names).
    func render(_ index: Int32, _ s: Session) -> String {
        let text = machine.texts[Int(index)]
        if text.pieces.count == 1, case .literal(let literal) = text.pieces[0] { return str(literal) }
        var out = ""
        for piece in text.pieces {
            switch piece {
            case .literal(let literal): out += str(literal)
            case .variable(let v):
                if Int(v) < s.variables.count, let value = s.variables[Int(v)] { out += Self.withoutEmoji(value) }
            }
        }
        return out
    }

    /// The text filled in, made to fit WhatsApp's `limit` for its field by cutting the filled-in values
    /// (`FilledTextFitting`), never the words the flow's author wrote.
    func render(_ index: Int32, _ s: Session, limit: Int) -> String {
        let whole = render(index, s)
        if WhatsAppTextLimit.fits(whole, within: limit) { return whole }
        let pieces = machine.texts[Int(index)].pieces.map { piece -> FilledTextFitting.Piece in
            switch piece {
            case .literal(let literal): return .literal(str(literal))
            case .variable(let v):
                let value = Int(v) < s.variables.count ? s.variables[Int(v)] : nil
                return .value(value.map(Self.withoutEmoji) ?? "")
            }
        }
        return FilledTextFitting.fitted(pieces, limit: limit)
    }

    /// A header, footer or caption filled in and fitted, or `nil` when the filled-in values left it blank: WhatsApp
    /// refuses a blank one, and the message goes without it.
    func renderUnlessBlank(_ index: Int32, _ s: Session, limit: Int) -> String? {
        let text = render(index, s, limit: limit)
        return text.allSatisfy(\.isWhitespace) ? nil : text
    }

    /// The body of a menu, consent or opt-in question filled in and fitted; `…` when the filled-in values left it
    /// blank, since WhatsApp refuses an interactive message without a body and its options must still be shown.
    func renderBody(_ index: Int32, _ s: Session) -> String {
        let text = render(index, s, limit: WhatsAppTextLimit.interactiveBody)
        return text.allSatisfy(\.isWhitespace) ? "…" : text
    }

    /// A value with its emoji removed and, when something was removed, the spaces left at its ends trimmed
    /// ("Laura 🙂" reads "Laura").
    static func withoutEmoji(_ value: String) -> String {
        let stripped = EmojiScanner.strip(value)
        guard stripped.utf8.count != value.utf8.count else { return value }
        return stripped.trimmingCharacters(in: .whitespaces)
    }

    // MARK: Conditions

    func holds(_ condition: MachineCondition, _ s: Session, now: Int64) -> Bool {
        switch condition {
        case .businessHours(let open): return calendar.isOpen(at: now) == open
        case .consentGiven(let given): return hasConsent(s) == given
        case .all(let items): return items.allSatisfy { holds($0, s, now: now) }
        case .any(let items): return items.contains { holds($0, s, now: now) }
        case .not(let inner): return !holds(inner, s, now: now)
        case .compare(let variable, let op, let text, let texts, let number, let flag):
            let value = Int(variable) < s.variables.count ? s.variables[Int(variable)] : nil
            switch op {
            case "is_set": return ((value.map { !$0.isEmpty }) ?? false) == (flag ?? true)
            case "equals": return value.map { TextMatching.normalize($0) == str(text ?? 0) } ?? false
            case "not_equals": return value.map { TextMatching.normalize($0) != str(text ?? 0) } ?? true
            case "contains": return value.map { TextMatching.normalize($0).contains(str(text ?? 0)) } ?? false
            case "in":
                return value.map { v in (texts ?? []).contains { str($0) == TextMatching.normalize(v) } } ?? false
            case "matches":
                guard let value, let text, let regex = matchPatterns[text] else { return false }
                return regex.matches(value)
            default:
                guard let value, let stored = AnswerValidation.number(value), let number,
                    let order = DecimalNumber.compare(stored, with: number)
                else {
                    return false
                }
                switch op {
                case "less_than": return order < 0
                case "greater_than": return order > 0
                case "at_least": return order >= 0
                case "at_most": return order <= 0
                default: return false
                }
            }
        }
    }
}
