import FlowCompiler
import FlowRuntime
import Foundation
import Testing

// Files from contacts: only PDF, JPEG/JPG and PNG (by MIME type); anything else is refused politely, naming
// what is accepted. Each contact may send 50 MiB (52,428,800 bytes) per calendar month of the flow's time zone;
// past it the bot refuses and names the date the allowance resets.

/// Open every day all day, so that a file can go to the agent at any instant of a test.
private let allDay = """
    settings:
      time_zone: America/Bogota
      business_hours:
        monday: ["00:00-24:00"]
        tuesday: ["00:00-24:00"]
        wednesday: ["00:00-24:00"]
        thursday: ["00:00-24:00"]
        friday: ["00:00-24:00"]
        saturday: ["00:00-24:00"]
        sunday: ["00:00-24:00"]
      keywords:
        - words: [menu, inicio]
          goto: ir_al_menu
        - words: [asesor, agente]
          goto: ir_al_asesor
      revocation:
        words: [revocar]
        text: "Registramos la revocatoria de tu autorizacion."
    """

/// A contact with an agent, so that accepted files are relayed.
private func chatWithAgent(language: String = "es", at start: Int64 = Fixture.mondayMorning) throws -> Chat {
    var chat = Chat(
        try Fixture.interpreter(language: language, settings: allDay, steps: Fixture.simpleMenu + Fixture.handoff),
        at: start)
    chat.type("hola", after: 0)
    chat.tap("consentimiento.accept", after: 0)
    chat.tap("hablar", after: 0)
    chat.event(.agentAssigned("ana"), after: 0)
    return chat
}

private let refusal = "Solo podemos recibir archivos PDF, JPG, JPEG o PNG. Envíalo en uno de esos formatos, por favor."

@Test(arguments: [
    "application/pdf", "image/jpeg", "image/jpg", "image/png", "IMAGE/PNG", "application/pdf; name=x.pdf",
    "Image/JPEG; q=1",
])
func acceptedTypesReachTheAgent(_ mime: String) throws {
    var chat = try chatWithAgent()
    let file = Event.Attachment(mimeType: mime, size: 1000)
    // The agent and the log (the thread the agent API shows) get the type as judged: lower case, without
    // parameters, the type that decided it was accepted.
    let judged = mime.lowercased().split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
    let relayed = Event.Attachment(mimeType: judged, size: 1000)
    #expect(
        chat.event(.attachment(file)) == [
            .logContactMessage(.attachment(relayed)), .relayToAgent(agent: "ana", message: .attachment(relayed)),
        ])
    #expect(chat.session.attachmentBytes == 1000)
}

/// A refused file is a message from the contact: at a waiting step it starts the inactivity deadline again,
/// for a refused type and past the allowance alike.
@Test(arguments: [("image/gif", Int64(1000)), ("image/png", Int64(52_428_801))])
func aRefusedFileRestartsTheInactivityTimer(_ mime: String, _ size: Int64) throws {
    var chat = Chat(
        try Fixture.interpreter(settings: allDay, steps: Fixture.simpleMenu + Fixture.handoff),
        at: Fixture.mondayMorning)
    chat.type("hola", after: 0)
    chat.tap("consentimiento.accept", after: 0)
    let effects = chat.event(.attachment(Event.Attachment(mimeType: mime, size: size)), after: 540)
    #expect(effects.last == .scheduleInactivityTimer(at: chat.now + 1800))
    #expect(chat.session.inactivityDeadline == chat.now + 1800)
    #expect(chat.session.status == .waiting)
}

@Test(arguments: [
    "image/gif", "image/webp", "image/heic", "video/mp4", "audio/ogg", "application/zip", "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "",
])
func otherTypesAreRefusedNamingTheAcceptedOnes(_ mime: String) throws {
    var chat = try chatWithAgent()
    let file = Event.Attachment(mimeType: mime, size: 1000, fileName: "archivo")
    #expect(
        chat.event(.attachment(file)) == [.logContactMessage(.attachment(file)), .send(.text(refusal), from: .bot)])
    // A refused file does not count against the allowance.
    #expect(chat.session.attachmentBytes == 0)
}

@Test func theRefusalIsInTheFlowsLanguage() throws {
    var chat = try chatWithAgent(language: "en")
    #expect(
        chat.send("video/mp4", size: 10).texts == [
            "We can only receive PDF, JPG, JPEG or PNG files. Please send it in one of those formats."
        ])
}

@Test func fiftyMebibytesAMonthAndNotOneByteMore() throws {
    #expect(Interpreter.monthlyAttachmentAllowance == 52_428_800)
    var chat = try chatWithAgent()
    chat.send("application/pdf", size: 52_428_800 - 1000)
    #expect(
        chat.send("image/png", size: 1000).contains(
            .relayToAgent(agent: "ana", message: .attachment(Event.Attachment(mimeType: "image/png", size: 1000)))))
    #expect(chat.session.attachmentBytes == 52_428_800)
    let effects = chat.send("image/png", size: 1)
    #expect(
        effects.texts == [
            "Alcanzaste el límite de 50 MB en archivos de este mes. Podrás enviar más archivos a partir del 1 de "
                + "diciembre de 2026."
        ])
    #expect(!effects.contains { if case .relayToAgent = $0 { return true } else { return false } })
    #expect(chat.session.attachmentBytes == 52_428_800)
}

@Test func oneFileLargerThanTheAllowanceIsRefused() throws {
    var chat = try chatWithAgent()
    #expect(chat.send("application/pdf", size: 52_428_801).texts.first?.hasPrefix("Alcanzaste el límite") == true)
    #expect(chat.session.attachmentBytes == 0)
    // A smaller file still fits.
    #expect(chat.send("application/pdf", size: 52_428_800).texts.isEmpty)
}

/// A file of Int64.max bytes after another one (a transcript may write such a size) is over the allowance; the
/// month's sum must not overflow.
@Test func aFileOfTheLargestSizeAfterAnotherIsRefused() throws {
    var chat = try chatWithAgent()
    chat.send("application/pdf", size: 1000)
    #expect(chat.send("application/pdf", size: .max).texts.first?.hasPrefix("Alcanzaste el límite") == true)
    #expect(chat.session.attachmentBytes == 1000)
}

@Test func theMonthIsTheFlowsNotUTCs() throws {
    // Saturday 2026-02-28 18:00 in Bogota (23:00 UTC): 40 MiB.
    var chat = try chatWithAgent(at: 1_772_319_600)
    chat.send("application/pdf", size: 40 * 1_048_576, after: 0)
    // 2026-02-28 23:00 in Bogota is already March 1st in UTC, but still February here: 20 MiB more do not fit,
    // and the allowance resets on March 1st.
    let late = chat.event(
        .attachment(Event.Attachment(mimeType: "application/pdf", size: 20 * 1_048_576)), at: 1_772_337_600)
    #expect(
        late.texts == [
            "Alcanzaste el límite de 50 MB en archivos de este mes. Podrás enviar más archivos a partir del 1 de "
                + "marzo de 2026."
        ])
    // 2026-03-01 00:30 in Bogota: a new month.
    let march = chat.event(
        .attachment(Event.Attachment(mimeType: "application/pdf", size: 20 * 1_048_576)), at: 1_772_343_000)
    #expect(march.texts.isEmpty)
    #expect(chat.session.attachmentBytes == 20 * 1_048_576)
    #expect(chat.session.attachmentMonth == 202_603)
}

@Test func decemberResetsOnTheFirstOfJanuary() throws {
    // 2026-12-31 23:30 in Bogota (2027-01-01 04:30 UTC).
    var chat = try chatWithAgent(at: 1_798_777_800)
    chat.send("application/pdf", size: 52_428_800, after: 0)
    #expect(
        chat.send("application/pdf", size: 1, after: 60).texts.first?.hasSuffix("a partir del 1 de enero de 2027.")
            == true)
}

@Test func theResetDateInEnglish() throws {
    var chat = try chatWithAgent(language: "en")
    chat.send("application/pdf", size: 52_428_800)
    #expect(
        chat.send("image/jpeg", size: 1).texts == [
            "You have reached this month's 50 MB limit for files. You can send files again from December 1, 2026."
        ])
}
