import Foundation

/// Prints a compiled machine as JSON (for tools; see `Schemas/machine.schema.json`), or as a diagram a tenant
/// can read: Graphviz DOT or Mermaid, with step ids and kinds on nodes, option titles on edges, the consent
/// steps marked, and global keywords drawn from a separate "any waiting step" node.
public enum MachineRenderer {
    public static func json(_ machine: StateMachine) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(machine) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A labelled edge of the diagram.
    struct DiagramEdge {
        var from: Int
        var to: Int
        var label: String
    }

    static func edges(_ machine: StateMachine) -> [DiagramEdge] {
        var out: [DiagramEdge] = []
        for (i, state) in machine.states.enumerated() {
            for t in machine.transitions(of: Int32(i)) {
                out.append(DiagramEdge(from: i, to: Int(t.target), label: label(t, state: state, machine: machine)))
            }
        }
        return out
    }

    static func label(_ t: Transition, state: MachineState, machine: StateMachine) -> String {
        let s = machine.strings
        switch (t.trigger, state.payload) {
        case (.option, .menu(let menu)) where Int(t.index) < menu.options.count:
            return s[Int(menu.options[Int(t.index)].title)]
        case (.accept, .consent(let c)): return s[Int(c.acceptTitle)]
        case (.decline, .consent(let c)): return s[Int(c.declineTitle)]
        case (.next, _): return ""
        case (.fallback, _): return "fallback"
        case (.branchCase, _): return "case \(t.index + 1)"
        case (.branchDefault, _): return "default"
        case (.closedHours, _): return "outside hours"
        case (.afterAgent, _): return "agent closed"
        default: return t.trigger.rawValue
        }
    }

    static func keywordEdges(_ machine: StateMachine) -> [(words: [String], target: Int)] {
        var byTarget: [Int32: [String]] = [:]
        var order: [Int32] = []
        for k in machine.keywords {
            if byTarget[k.target] == nil { order.append(k.target) }
            byTarget[k.target, default: []].append(machine.strings[Int(k.word)])
        }
        var out = order.map { (words: byTarget[$0] ?? [], target: Int($0)) }
        if let r = machine.revocation {
            out.append((words: r.words.map { machine.strings[Int($0)] }, target: Int(r.target)))
        }
        return out
    }

    public static func dot(_ machine: StateMachine) -> String {
        func quote(_ s: String) -> String {
            "\""
                + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var out = "digraph \(quote(machine.flow)) {\n"
        out += "  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        out += "  __start [shape=point];\n  __start -> s\(machine.start);\n"
        for (i, state) in machine.states.enumerated() {
            let name = machine.strings[Int(state.name)]
            var attributes = "label=\(quote("\(name)\n(\(state.kind))"))"
            switch state.payload {
            case .consent:
                attributes += ", shape=doubleoctagon, style=\"filled\", fillcolor=\"#e8f4ea\""
            case .end:
                attributes += ", shape=oval"
            case .handoff:
                attributes += ", style=\"rounded,filled\", fillcolor=\"#eef0fb\""
            default:
                break
            }
            out += "  s\(i) [\(attributes)];\n"
        }
        for edge in edges(machine) {
            let label = edge.label.isEmpty ? "" : " [label=\(quote(edge.label))]"
            out += "  s\(edge.from) -> s\(edge.to)\(label);\n"
        }
        let keywords = keywordEdges(machine)
        if !keywords.isEmpty {
            out += "  __keywords [label=\"any waiting step\", shape=note, style=dashed];\n"
            for k in keywords {
                out += "  __keywords -> s\(k.target) [style=dashed, label=\(quote(k.words.joined(separator: ", ")))];\n"
            }
        }
        out += "}\n"
        return out
    }

    public static func mermaid(_ machine: StateMachine) -> String {
        func escape(_ s: String) -> String {
            var out = ""
            for ch in s {
                switch ch {
                case "\"": out += "#quot;"
                case "<": out += "#lt;"
                case ">": out += "#gt;"
                case "|": out += "#124;"
                case "\n": out += " "
                default: out.append(ch)
                }
            }
            return out
        }
        var out = "flowchart TD\n"
        out += "  start((start)) --> s\(machine.start)\n"
        var consentNodes: [String] = []
        for (i, state) in machine.states.enumerated() {
            let label = "\"\(escape(machine.strings[Int(state.name)]))<br/><i>\(state.kind)</i>\""
            switch state.payload {
            case .consent:
                out += "  s\(i){{\(label)}}\n"
                consentNodes.append("s\(i)")
            case .end:
                out += "  s\(i)([\(label)])\n"
            case .branch:
                out += "  s\(i){\(label)}\n"
            default:
                out += "  s\(i)[\(label)]\n"
            }
        }
        for edge in edges(machine) {
            if edge.label.isEmpty {
                out += "  s\(edge.from) --> s\(edge.to)\n"
            } else {
                out += "  s\(edge.from) -->|\"\(escape(edge.label))\"| s\(edge.to)\n"
            }
        }
        let keywords = keywordEdges(machine)
        if !keywords.isEmpty {
            out += "  keywords[/\"any waiting step\"/]\n"
            for k in keywords {
                out += "  keywords -.->|\"\(escape(k.words.joined(separator: ", ")))\"| s\(k.target)\n"
            }
        }
        if !consentNodes.isEmpty {
            out += "  classDef consent fill:#e8f4ea,stroke:#2e7d32,stroke-width:2px\n"
            out += "  class \(consentNodes.joined(separator: ",")) consent\n"
        }
        return out
    }
}
