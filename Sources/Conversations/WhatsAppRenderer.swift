import FlowLanguage
import FlowRuntime

/// Shows a conversation as a person sees it in WhatsApp, in plain text lines, so that someone testing a flow
/// in a terminal (`talkflow repl`) reads the same bubbles, buttons and lists a contact would get, plus muted
/// notes for what a contact never sees but a tester must (consent recorded, handoff, window closed).
///
/// Pure: effects in, lines out. Colours, prompts and terminals belong to the caller.
public enum WhatsAppRenderer {
    /// One thing to show: a message bubble from someone, or a tester's note.
    public struct Block: Sendable, Hashable {
        /// Who a block comes from, which decides its prefix.
        public enum Kind: Sendable, Hashable {
            /// A message the contact receives, from the bot or an agent.
            case message(Sender)
            /// Something the contact does not see: a fact for the tester, written `· …`.
            case note
        }

        public var kind: Kind
        /// The block's lines, without prefixes; a message may contain empty lines (paragraphs).
        public var lines: [String]

        public init(kind: Kind, lines: [String]) {
            self.kind = kind
            self.lines = lines
        }
    }

    /// The lines of one outbound message: text as written; buttons under the body; a list with its button
    /// label and its rows opened and numbered (a menu accepts the number typed); a file with its name and
    /// caption; a template with its name, language and parameters. A header is shown `*bold*` and a footer
    /// `_italic_`, the way WhatsApp users write bold and italic.
    public static func lines(_ message: OutboundMessage) -> [String] {
        switch message {
        case .text(let text):
            return paragraphLines(text)
        case .buttons(let body, let header, let footer, let buttons):
            var out = framed(body: body, header: header, footer: footer)
            out.append(buttons.map { "[ \($0.title) ]" }.joined(separator: "  "))
            return out
        case .list(let body, let header, let footer, let button, let rows):
            var out = framed(body: body, header: header, footer: footer)
            out.append("≡ \(button)")
            let width = String(rows.count).count
            for (index, row) in rows.enumerated() {
                let number = String(index + 1)
                let padding = String(repeating: " ", count: width - number.count)
                out.append("  \(padding)\(number). \(row.title)")
                if let description = row.description, !description.isEmpty {
                    out.append("  \(String(repeating: " ", count: width + 2))\(description)")
                }
            }
            return out
        case .attachment(let url, let fileName, let caption, let fileExtension):
            var out = ["[\(fileExtension.lowercased())] \(fileName ?? Self.fileName(fromURL: url))"]
            if let caption, !caption.isEmpty { out += paragraphLines(caption) }
            return out
        case .template(let name, let language, let parameters, let headerType, let headerLink):
            var out = ["[template \(name), \(language)]"]
            if let headerType {
                out.append("  header: \(headerType)\(headerLink.map { " \($0)" } ?? "")")
            }
            for (index, parameter) in parameters.enumerated() {
                out.append("  {{\(index + 1)}} \(parameter)")
            }
            return out
        }
    }

    /// The note for an effect a tester should see, or `nil` for bookkeeping (steps entered, timers, the
    /// conversation log). `assignedAgent` completes a handoff request with the agent the rotation chose.
    public static func note(_ effect: Effect, assignedAgent: String? = nil) -> [String]? {
        switch effect {
        case .send:
            return nil
        case .windowClosed(let message, let sender):
            let from = name(of: sender)
            // The held message as a bubble would show it, indented: its first line after `<from> › `, the next
            // ones lined up under it.
            let under = String(repeating: " ", count: from.count + 3)
            return ["· not sent: outside the 24-hour window; an approved template is required"]
                + lines(message).enumerated().map { index, line in
                    line.isEmpty ? "" : "  " + (index == 0 ? "\(from) › " : under) + line
                }
        case .templateRefused(let name, let reason):
            return ["· template \(name) not sent: \(reason)"]
        case .agentMessageRefused(let reason):
            return ["· not sent: \(reason)"]
        case .recordConsent(let evidence):
            return ["· \(consentNote(evidence))"]
        case .recordRevocation(let evidence):
            return ["· consent revoked (policy \(evidence.policyVersion))"]
        case .requestHandoff(let queue):
            guard let assignedAgent else { return ["· handoff requested: \(queue) (no agent assigned)"] }
            return ["· handoff requested: \(queue) → \(assignedAgent)"]
        case .relayToAgent(let agent, let message):
            let what: String
            switch message {
            case .text: what = "message"
            case .attachment(let attachment): what = "file \(attachment.fileName ?? attachment.mimeType)"
            }
            return [agent.map { "· \(what) relayed to \($0)" } ?? "· \(what) kept for the queue (no agent yet)"]
        case .endHandoff(let agent):
            return ["· handoff ended\(agent.map { " (\($0))" } ?? "")"]
        case .closeConversation(let reason):
            return ["· conversation closed (\(reason.rawValue))"]
        case .variableSaved(let name):
            return ["· saved \(name)"]
        case .scheduleInactivityTimer, .cancelInactivityTimer, .conversationStarted, .stepEntered,
            .logContactMessage:
            return nil
        }
    }

    /// The note for what the contact sent, when typing could not have sent it: a forwarded text (its later lines
    /// indented under the first) or a message the flow cannot read, shown as the thread keeps it (`[order]`).
    /// `nil` for other inputs, which show as typed.
    public static func note(sentByContact input: TranscriptInput) -> [String]? {
        switch input {
        case .forwarded(let text):
            return paragraphLines(text).enumerated().map { index, line in
                index == 0 ? "· forwarded by the contact: \(line)" : line.isEmpty ? "" : "  " + line
            }
        case .unreadable(let type):
            return ["· unreadable message from the contact: \(Interpreter.unreadableNote(type))"]
        default:
            return nil
        }
    }

    /// The blocks for the effects of one event, in order: each sent message a bubble, each visible effect a
    /// note. Adjacent notes are merged into one block.
    public static func blocks(_ effects: [Effect], assignedAgent: String? = nil) -> [Block] {
        var out: [Block] = []
        for effect in effects {
            if case .send(let message, let sender) = effect {
                out.append(Block(kind: .message(sender), lines: lines(message)))
            } else if let note = note(effect, assignedAgent: assignedAgent) {
                if let last = out.last, last.kind == .note {
                    out[out.count - 1].lines += note
                } else {
                    out.append(Block(kind: .note, lines: note))
                }
            }
        }
        return out
    }

    /// A block as plain text: a message's first line after `bot › ` (or `<agent> › `), its other lines indented
    /// to line up under it, empty lines left empty; a note's lines as they are. Ends with a newline.
    public static func plain(_ block: Block) -> String {
        switch block.kind {
        case .note:
            return block.lines.map { $0 + "\n" }.joined()
        case .message(let sender):
            let prefix = "\(name(of: sender)) › "
            let indent = String(repeating: " ", count: prefix.count)
            var out = ""
            for (index, line) in block.lines.enumerated() {
                if line.isEmpty {
                    out += "\n"
                } else {
                    out += (index == 0 ? prefix : indent) + line + "\n"
                }
            }
            return out
        }
    }

    /// The name shown before a message: `bot` or the agent's name.
    public static func name(of sender: Sender) -> String {
        switch sender {
        case .bot: return "bot"
        case .agent(let agent): return agent
        }
    }

    /// What a consent record means, in a few words.
    static func consentNote(_ evidence: ConsentEvidence) -> String {
        switch evidence.choice {
        case "opt_in_accepted": return "promotional messages accepted"
        case "opt_in_declined": return "promotional messages declined"
        case "opt_in_withdrawn": return "promotional messages stopped (opt-in withdrawn)"
        default:
            let kind = evidence.sensitive ? "sensitive-data consent" : "consent"
            return "\(kind) \(evidence.choice) (policy \(evidence.policyVersion))"
        }
    }

    /// A body with its optional header (bold) and footer (italic).
    static func framed(body: String, header: String?, footer: String?) -> [String] {
        var out: [String] = []
        if let header, !header.isEmpty { out.append("*\(header)*") }
        out += paragraphLines(body)
        if let footer, !footer.isEmpty { out.append("_\(footer)_") }
        return out
    }

    /// A text split at its line breaks, as WhatsApp wraps nothing else.
    static func paragraphLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The name of a file sent without one, as WhatsApp shows it: the URL's (`URLFileName`), or else the URL.
    static func fileName(fromURL url: String) -> String {
        URLFileName.of(url) ?? url
    }
}
