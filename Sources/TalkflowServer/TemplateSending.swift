import FlowCompiler
import FlowLanguage
import FlowRuntime
import Foundation
import Storage

/// Business-initiated messages: a template the tenant's flow declares (`templates:`), sent to a contact who
/// agreed to receive it, queued in the outbox like any reply (the worker sends it). What `POST
/// /api/v1/tenants/{tenant}/templates/{template}/send` and `talkflow send-template` run.
///
/// Who may receive one, decided from the consent ledger inside the same transaction that queues it:
/// - any template only a contact who accepted the policy version in force (not an earlier one);
/// - a `marketing` template, besides, only a contact whose opt-in to promotional messages is in force.
///
/// The header media, if any, must be a JPEG image or a PDF document (by the link's extension); the number of
/// parameters must be the template's, none may hold an emoji, and none may be what Meta refuses (blank, or with a
/// line break, a tab or more than 4 consecutive spaces: `TemplateParameterText`). A person wrote them, so they
/// are refused rather than changed, as an agent's emoji is. Any refusal queues and sends nothing.
public struct TemplateSender: Sendable {
    /// Why a template was not queued; `description` is the clear refusal shown to the caller.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// The flow declares no template with this key or name.
        case unknownTemplate(String)
        /// No template has this key, and several have it as their name at Meta (in different languages, say):
        /// which one is meant is not guessed. `keys` are theirs, in the order declared.
        case ambiguousTemplate(String, keys: [String])
        /// The contact is not a WhatsApp id (digits only, 6 to 20 of them).
        case invalidContact
        /// The number of parameters differs from the template's.
        case parameterCount(expected: Int, given: Int)
        /// The header media is not a JPEG image or a PDF document.
        case headerMedia(String)
        /// A parameter (numbered from 1, as its `{{N}}`) holds an emoji: no text the business sends may.
        case emoji(parameter: Int)
        /// A parameter (numbered from 1) Meta would refuse: blank, or with a line break, a tab or more than 4
        /// consecutive spaces.
        case invalidParameter(parameter: Int, TemplateParameterText.Problem)
        /// The body would be longer than Meta accepts once the parameters are filled in (error 132005):
        /// `length` characters, `longest` the longest parameter (numbered from 1).
        case bodyTooLong(length: Int, longest: Int)
        /// A marketing template outside Ley 2300's hours; the next window opens at `opens` (Unix seconds).
        case outsidePromotionalHours(opens: Int64)
        /// A marketing template to a contact without an opt-in in force.
        case noOptIn
        /// A utility or authentication template to a contact without consent in force.
        case noConsent

        /// The refusal's code in the admin route's `Error` (the unknown template is a 404 `not_found`).
        public var code: String {
            switch self {
            case .unknownTemplate: return "not_found"
            case .ambiguousTemplate: return "ambiguous_template"
            case .invalidContact: return "invalid_contact"
            case .parameterCount: return "parameter_count"
            case .headerMedia: return "header_media"
            case .emoji: return "emoji_not_allowed"
            case .invalidParameter: return "invalid_parameter"
            case .bodyTooLong: return "text_too_long"
            case .outsidePromotionalHours: return "outside_promotional_hours"
            case .noOptIn: return "no_opt_in"
            case .noConsent: return "no_consent"
            }
        }

        /// The refusal in words, without personal data.
        public var description: String {
            switch self {
            case .unknownTemplate(let name): return "the flow declares no template '\(name)'"
            case .ambiguousTemplate(let name, let keys):
                return "\(keys.count) templates have the name '\(name)' at Meta ("
                    + keys.map { "'\($0)'" }.joined(separator: ", ") + "): name one by its key"
            case .invalidContact: return "'to' must be the contact's WhatsApp id: 6 to 20 digits"
            case .parameterCount(let expected, let given):
                return "the template takes \(expected) parameter(s), \(given) given"
            case .headerMedia(let link):
                return "the template's header media must be a JPEG image or a PDF document, not '\(link)'"
            case .emoji(let parameter):
                return "parameter \(parameter) ({{\(parameter)}}) contains an emoji; messages the business sends "
                    + "may not (Docs/no-emoji.md): remove it"
            case .invalidParameter(let parameter, let problem):
                return "parameter \(parameter) ({{\(parameter)}}) \(problem.found); \(problem.advice)"
            case .bodyTooLong(let length, let longest):
                return "the template's body would have \(length) characters once its parameters are filled in; "
                    + "Meta accepts at most \(WhatsAppTextLimit.templateBody) (error 132005): shorten the parameters "
                    + "(parameter \(longest), {{\(longest)}}, is the longest)"
            case .outsidePromotionalHours(let opens):
                return "marketing messages may be sent Monday to Friday 7:00-19:00 and Saturday 8:00-15:00 "
                    + "(Colombian time), not on Sundays or holidays (Ley 2300 de 2023); the next window opens at "
                    + PromotionalHours.describe(opens)
            case .noOptIn:
                return "the contact has not opted in to promotional messages: a marketing template is not sent"
            case .noConsent:
                return "the contact has not accepted the policy version in force: the template is not sent"
            }
        }
    }

    let store: any ConversationStore
    let signal: OutboxSignal?
    let clock: @Sendable () -> Int64

    /// A sender queuing into `store`'s outbox and ringing `signal` (the worker of this process) after a commit.
    public init(
        store: any ConversationStore, signal: OutboxSignal? = nil,
        clock: @escaping @Sendable () -> Int64 = InboundProcessor.unixTime
    ) {
        self.store = store
        self.signal = signal
        self.clock = clock
    }

    /// Queues `template` (its key in the flow, or its name at Meta when only one template has it) for `contact`
    /// with `parameters`; returns the outbox id (the message's `biz_opaque_callback_data`). Throws a `Refusal`
    /// when it may not be sent.
    public func send(template: String, to contact: String, parameters: [String], tenant: Tenant) async throws
        -> Int64
    {
        guard (6...20).contains(contact.count), contact.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Refusal.invalidContact
        }
        let flow = tenant.flow
        let machine = flow.interpreter.machine
        func string(_ index: Int32) -> String {
            machine.strings.indices.contains(Int(index)) ? machine.strings[Int(index)] : ""
        }
        let declared = try Self.template(named: template, in: machine.templates, string: string)
        guard parameters.count == Int(declared.parameterCount) else {
            throw Refusal.parameterCount(expected: Int(declared.parameterCount), given: parameters.count)
        }
        if let index = parameters.firstIndex(where: EmojiScanner.containsEmoji) {
            throw Refusal.emoji(parameter: index + 1)
        }
        for (index, parameter) in parameters.enumerated() {
            if let problem = TemplateParameterText.problem(in: parameter) {
                throw Refusal.invalidParameter(parameter: index + 1, problem)
            }
        }
        let filledLength = TemplateBodyFilling(body: string(declared.body)).filledLength(with: parameters)
        if filledLength > WhatsAppTextLimit.templateBody {
            let lengths = parameters.map(WhatsAppTextLimit.length(of:))
            let longest = lengths.indices.max { lengths[$0] < lengths[$1] }
            throw Refusal.bodyTooLong(length: filledLength, longest: (longest ?? 0) + 1)
        }
        let headerLink = declared.headerLink.map(string)
        if let type = declared.headerType {
            guard let link = headerLink, Self.isAllowedHeader(type: type, link: link) else {
                throw Refusal.headerMedia(headerLink ?? type)
            }
        }
        let message = OutboundMessage.template(
            name: string(declared.name), language: string(declared.language), parameters: parameters,
            headerType: declared.headerType, headerLink: headerLink)
        let marketing = declared.category == "marketing"
        let stepper = ConversationStepper(
            flow: flow,
            evidence: EvidenceContext(
                channel: InboundProcessor.channel, phoneNumberID: tenant.config.phoneNumberID, receivedAt: clock()))
        let now = clock()
        let committed = try await store.update(tenant: tenant.id, contact: contact, at: now) { session, _ in
            if let refusal = Self.refusal(to: session, marketing: marketing, machine: machine, at: now) {
                throw refusal
            }
            var changes = ConversationChanges()
            changes.send(message, from: .bot)
            stepper.describe(session, in: &changes)
            return changes
        }
        signal?.ring()
        return committed.outboxIDs.first ?? 0
    }

    /// Why the contact of `session` may not receive a template now, if they may not: consent to the policy version
    /// `machine` has in force, and for a `marketing` one an opt-in to a marketing purpose and, with `hours`, Ley
    /// 2300's hours. Asked when a business-initiated template is queued (with the hours) and again just before any
    /// template is sent (without: a flow's `template` step goes at any hour): consent can end while it waits (an
    /// opt-out, a reload under a new policy version).
    static func refusal(
        to session: Session, marketing: Bool, machine: StateMachine, hours: Bool = true, at now: Int64
    ) -> Refusal? {
        // Consent to the policy in force now: one given to an earlier version (or declined for this one) does not
        // cover a message sent under this one.
        guard session.consent.covers(machine.policy?.version) else { return .noConsent }
        guard marketing else { return nil }
        // The contact's opt-in lets marketing through only when the flow asks it for a marketing purpose: a flow
        // keeps one opt-in per contact (`opt_in_purpose_mixed`), and an opt-in to surveys is no yes to promotions.
        guard session.consent.optIn, optInIsForMarketing(machine) else { return .noOptIn }
        guard hours else { return nil }
        // Advertising only in Ley 2300's hours (checked after who may receive it, so a refusal never suggests a
        // time at which it would still be refused). Refused rather than held: a message waiting in the outbox
        // would hold back the conversation's later replies until the window opens.
        let opens = PromotionalHours.firstAllowed(atOrAfter: now)
        return opens != now ? .outsidePromotionalHours(opens: opens) : nil
    }

    /// Whether the template a queued message names (by its name at Meta and language) is a marketing one in
    /// `machine`. One the flow no longer declares (a reload removed it) is judged by consent alone.
    static func isMarketing(name: String, language: String, in machine: StateMachine) -> Bool {
        func string(_ index: Int32) -> String {
            machine.strings.indices.contains(Int(index)) ? machine.strings[Int(index)] : ""
        }
        return machine.templates.contains {
            $0.category == "marketing" && string($0.name) == name && string($0.language) == language
        }
    }

    /// Whether a consent step of `machine` asks for its opt-in to a purpose declared `marketing: true`.
    static func optInIsForMarketing(_ machine: StateMachine) -> Bool {
        let marketing = Set(
            (machine.policy?.purposes ?? []).filter(\.marketing).map { machine.strings[Int($0.id)] })
        return machine.states.contains { state in
            guard case .consent(let consent) = state.payload, let optIn = consent.optIn else { return false }
            return marketing.contains(machine.strings[Int(optIn.purpose)])
        }
    }

    /// The template `name` picks: the one whose key it is (keys are unique), else the one template with that name
    /// at Meta; several with that name are refused rather than one of them guessed.
    static func template(
        named name: String, in templates: [MachineTemplate], string: (Int32) -> String
    ) throws -> MachineTemplate {
        if let byKey = templates.first(where: { string($0.key) == name }) { return byKey }
        let byName = templates.filter { string($0.name) == name }
        guard let only = byName.first else { throw Refusal.unknownTemplate(name) }
        guard byName.count == 1 else { throw Refusal.ambiguousTemplate(name, keys: byName.map { string($0.key) }) }
        return only
    }

    /// JPEG for an image header (`.jpg`, `.jpeg`), PDF for a document header (`.pdf`), by the link's path.
    static func isAllowedHeader(type: String, link: String) -> Bool {
        let path = URLComponents(string: link)?.path ?? link
        let ext = (path as NSString).pathExtension.lowercased()
        switch type {
        case "image": return ext == "jpg" || ext == "jpeg"
        case "document": return ext == "pdf"
        default: return false
        }
    }
}
