import FlowCompiler
import FlowDiagnostics
import Foundation
import Testing

// wait_free_cycle follows the edges the bot takes without waiting, including the two of waiting steps: an
// accepted consent is skipped to `accept.next`, and a handoff outside business hours goes to `closed.next`.

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

private func minimal(_ edits: [(String, String)]) throws -> [Diagnostic] {
    var text = try String(contentsOf: fixtures.appending(path: "valid_minimal/flow.yaml"), encoding: .utf8)
    for (old, new) in edits {
        #expect(text.contains(old), "the fixture must contain \(old)")
        text = text.replacingOccurrences(of: old, with: new)
    }
    return FlowChecker.check(text).diagnostics.filter { $0.id == "wait_free_cycle" }
}

@Test func aCycleThroughAnAcceptedConsentIsWaitFree() throws {
    let diagnostics = try minimal([
        ("accept: { title: Acepto, next: menu }", "accept: { title: Acepto, next: info }"),
        (
            "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: despedida",
            "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: consentimiento"
        ),
    ])
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.message.contains("consent 'consentimiento' is skipped once accepted") == true)
}

@Test func aCycleThroughAHandoffsClosedHoursIsWaitFree() throws {
    let diagnostics = try minimal([
        (
            "      text: \"Estamos fuera de horario; te escribimos el proximo dia habil.\"",
            "      text: \"Estamos fuera de horario; te escribimos el proximo dia habil.\"\n      next: info"
        ),
        (
            "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: despedida",
            "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: asesor"
        ),
    ])
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.message.contains("handoff 'asesor' goes straight to 'closed.next'") == true)
}

@Test func aCycleThroughTheDeclineOrAfterTheAgentWaits() throws {
    // Declining asks again next time; after the agent closes, the agent was waited for.
    #expect(
        try minimal([
            ("decline: { title: No acepto, next: info }", "decline: { title: No acepto, next: info }"),
            (
                "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: despedida",
                "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: consentimiento"
            ),
        ]).isEmpty)
    #expect(
        try minimal([
            (
                "    text: \"Gracias {{nombre}}, ya te atiende un asesor.\"",
                "    text: \"Gracias {{nombre}}, ya te atiende un asesor.\"\n    next: info"
            ),
            (
                "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: despedida",
                "    text: \"Atendemos de lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00.\"\n    next: asesor"
            ),
        ]).isEmpty)
}
