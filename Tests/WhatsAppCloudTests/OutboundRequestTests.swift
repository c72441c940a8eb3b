import FlowRuntime
import Foundation
import Testing

@testable import WhatsAppCloud

/// The exact JSON bodies sent to `POST /{version}/{phone-number-id}/messages`.
@Suite struct OutboundRequestTests {
    func body(_ message: OutboundMessage, to: String = "573001112233", callbackData: String? = "outbox-42")
        throws -> String
    {
        String(
            decoding: try OutboundRequest(to: to, message: message, callbackData: callbackData).body(), as: UTF8.self)
    }

    @Test func plainText() throws {
        #expect(
            try body(.text("Hola, ¿en qué te ayudo?"))
                == #"{"biz_opaque_callback_data":"outbox-42","messaging_product":"whatsapp","#
                + #""recipient_type":"individual","text":{"body":"Hola, ¿en qué te ayudo?"},"to":"+573001112233","#
                + #""type":"text"}"#)
    }

    @Test func textWithALinkAsksForAPreview() throws {
        #expect(
            try body(.text("Consulta: HTTPS://example.com/tasas"), callbackData: nil)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","#
                + #""text":{"body":"Consulta: HTTPS://example.com/tasas","preview_url":true},"to":"+573001112233","#
                + #""type":"text"}"#)
    }

    @Test(arguments: [
        ("ver http://a.co", true), ("HtTpS://a.co", true), ("ñhttp://x", true), ("xhttps://y", true),
        ("https:/a", false), ("http", false), ("httpx://a", false), ("", false), ("ftp://a", false),
        ("hhttp://a", true),
    ])
    func aPreviewIsAskedOnlyForALink(text: String, preview: Bool) throws {
        #expect(try body(.text(text), callbackData: nil).contains(#""preview_url":true"#) == preview)
    }

    @Test func textEscapesOnlyWhatJSONRequires() throws {
        let encoded = try body(.text("línea 1\nlínea \"2\"\t\\ fin\u{1}"), callbackData: nil)
        #expect(encoded.contains(#""body":"línea 1\nlínea \"2\"\t\\ fin\u0001""#))
        let decoded = try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: Any]
        #expect((decoded?["text"] as? [String: Any])?["body"] as? String == "línea 1\nlínea \"2\"\t\\ fin\u{1}")
    }

    @Test func replyButtons() throws {
        let message = OutboundMessage.buttons(
            body: "¿Acepta?", header: "Autorización", footer: "Ley 1581",
            buttons: [.init(id: "consent.accept", title: "Acepto"), .init(id: "consent.decline", title: "No acepto")])
        #expect(
            try body(message)
                == #"{"biz_opaque_callback_data":"outbox-42","interactive":{"action":{"buttons":["#
                + #"{"reply":{"id":"consent.accept","title":"Acepto"},"type":"reply"},"#
                + #"{"reply":{"id":"consent.decline","title":"No acepto"},"type":"reply"}]},"#
                + #""body":{"text":"¿Acepta?"},"footer":{"text":"Ley 1581"},"#
                + #""header":{"text":"Autorización","type":"text"},"type":"button"},"messaging_product":"whatsapp","#
                + #""recipient_type":"individual","to":"+573001112233","type":"interactive"}"#)
    }

    @Test func buttonsWithoutHeaderOrFooter() throws {
        let message = OutboundMessage.buttons(
            body: "Elija", header: nil, footer: "", buttons: [.init(id: "a", title: "A")])
        #expect(
            try body(message, callbackData: nil)
                == #"{"interactive":{"action":{"buttons":[{"reply":{"id":"a","title":"A"},"type":"reply"}]},"#
                + #""body":{"text":"Elija"},"type":"button"},"messaging_product":"whatsapp","#
                + #""recipient_type":"individual","to":"+573001112233","type":"interactive"}"#)
    }

    @Test func listWithOneSection() throws {
        let message = OutboundMessage.list(
            body: "Elija una opción", header: "Menú", footer: "Banco", button: "Ver opciones",
            rows: [
                .init(id: "pay_balance", title: "Saldo", description: "Consultar saldo"),
                .init(id: "pay_card", title: "Tarjeta", description: nil),
            ])
        #expect(
            try body(message)
                == #"{"biz_opaque_callback_data":"outbox-42","interactive":{"action":{"button":"Ver opciones","#
                + #""sections":[{"rows":[{"description":"Consultar saldo","id":"pay_balance","title":"Saldo"},"#
                + #"{"id":"pay_card","title":"Tarjeta"}]}]},"body":{"text":"Elija una opción"},"#
                + #""footer":{"text":"Banco"},"header":{"text":"Menú","type":"text"},"type":"list"},"#
                + #""messaging_product":"whatsapp","recipient_type":"individual","to":"+573001112233","#
                + #""type":"interactive"}"#)
    }

    @Test(arguments: ["jpg", "jpeg", "png", "JPG"])
    func imagesByLink(ext: String) throws {
        let message = OutboundMessage.attachment(
            url: "https://cdn.example.com/tarifas.\(ext)", fileName: "tarifas.\(ext)", caption: "Tarifas 2026",
            fileExtension: ext)
        #expect(
            try body(message, callbackData: nil)
                == #"{"image":{"caption":"Tarifas 2026","link":"https://cdn.example.com/tarifas.\#(ext)"},"#
                + #""messaging_product":"whatsapp","recipient_type":"individual","to":"+573001112233","#
                + #""type":"image"}"#)
    }

    @Test func documentByLinkWithFileNameAndCaption() throws {
        let message = OutboundMessage.attachment(
            url: "https://cdn.example.com/docs/f.pdf?v=2", fileName: "factura.pdf", caption: "Su factura",
            fileExtension: "pdf")
        #expect(
            try body(message)
                == #"{"biz_opaque_callback_data":"outbox-42","document":{"caption":"Su factura","#
                + #""filename":"factura.pdf","link":"https://cdn.example.com/docs/f.pdf?v=2"},"#
                + #""messaging_product":"whatsapp","recipient_type":"individual","to":"+573001112233","#
                + #""type":"document"}"#)
    }

    /// Without a file name, a document is named as the URL names it, without query or fragment and with its
    /// percent-encoding decoded, as the contact should read it.
    @Test(
        arguments: [
            ("https://cdn.example.com/docs/politica.pdf?v=2#p1", "politica.pdf"),
            ("https://cdn.example.com/docs/cat%C3%A1logo.pdf?v=2", "catálogo.pdf"),
        ])
    func documentNamedAfterItsURL(_ url: String, _ name: String) throws {
        let message = OutboundMessage.attachment(url: url, fileName: nil, caption: nil, fileExtension: "pdf")
        #expect(
            try body(message, callbackData: nil)
                == #"{"document":{"filename":"\#(name)","link":"\#(url)"},"#
                + #""messaging_product":"whatsapp","recipient_type":"individual","to":"+573001112233","#
                + #""type":"document"}"#)
    }

    @Test func templateWithDocumentHeaderAndParameters() throws {
        let message = OutboundMessage.template(
            name: "recordatorio_cita", language: "es", parameters: ["Ana", "lunes 8:00"], headerType: "document",
            headerLink: "https://cdn.example.com/cita.pdf")
        #expect(
            try body(message)
                == #"{"biz_opaque_callback_data":"outbox-42","messaging_product":"whatsapp","#
                + #""recipient_type":"individual","template":{"components":[{"parameters":[{"document":"#
                + #"{"filename":"cita.pdf","link":"https://cdn.example.com/cita.pdf"},"type":"document"}],"#
                + #""type":"header"},"#
                + #"{"parameters":[{"text":"Ana","type":"text"},{"text":"lunes 8:00","type":"text"}],"type":"body"}],"#
                + #""language":{"code":"es"},"name":"recordatorio_cita"},"to":"+573001112233","type":"template"}"#)
    }

    /// A document header is named as a document attachment without `filename` is: the link's last path segment,
    /// percent-decoded; without it the contact would see an unnamed file.
    @Test func aTemplateDocumentHeaderIsNamedByItsLink() throws {
        let message = OutboundMessage.template(
            name: "aviso_pedido", language: "es", parameters: [], headerType: "document",
            headerLink: "https://cdn.example.com/docs/gu%C3%ADa%20de%20env%C3%ADo.pdf?v=2")
        #expect(
            try body(message, callbackData: nil)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","template":{"components":["#
                + #"{"parameters":[{"document":{"filename":"guía de envío.pdf","#
                + #""link":"https://cdn.example.com/docs/gu%C3%ADa%20de%20env%C3%ADo.pdf?v=2"},"type":"document"}],"#
                + #""type":"header"}],"language":{"code":"es"},"name":"aviso_pedido"},"to":"+573001112233","#
                + #""type":"template"}"#)
    }

    @Test func templateWithImageHeader() throws {
        let message = OutboundMessage.template(
            name: "promo", language: "es_CO", parameters: [], headerType: "image",
            headerLink: "https://cdn.example.com/p.jpg")
        #expect(
            try body(message, callbackData: nil)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","template":{"components":["#
                + #"{"parameters":[{"image":{"link":"https://cdn.example.com/p.jpg"},"type":"image"}],"#
                + #""type":"header"}],"language":{"code":"es_CO"},"name":"promo"},"to":"+573001112233","#
                + #""type":"template"}"#)
    }

    @Test func templateWithoutParametersHasNoComponents() throws {
        let message = OutboundMessage.template(
            name: "hello_world", language: "en_US", parameters: [], headerType: nil, headerLink: nil)
        #expect(
            try body(message, callbackData: nil)
                == #"{"messaging_product":"whatsapp","recipient_type":"individual","#
                + #""template":{"language":{"code":"en_US"},"name":"hello_world"},"to":"+573001112233","#
                + #""type":"template"}"#)
    }

    @Test func aTemplateHeaderWithoutLinkIsRefused() {
        let message = OutboundMessage.template(
            name: "t", language: "es", parameters: [], headerType: "image", headerLink: nil)
        #expect(throws: OutboundRequestError.self) { try body(message) }
    }

    @Test(arguments: [
        ("573001112233", #""to":"+573001112233""#), ("+573001112233", #""to":"+573001112233""#),
        (" +16505551234 ", #""to":"+16505551234""#),
        ("CO.13491208655302741918", #""recipient":"CO.13491208655302741918""#),
        // A parent id, and the form of Meta's own examples: Meta judges its ids.
        ("US.ENT.11815799212886844830", #""recipient":"US.ENT.11815799212886844830""#),
        ("user.9373795779eb4ad6a1d2f3", #""recipient":"user.9373795779eb4ad6a1d2f3""#),
    ])
    func recipients(recipient: String, field: String) throws {
        let encoded = try body(.text("x"), to: recipient, callbackData: nil)
        #expect(encoded.contains(field))
        #expect(encoded.contains(#""to""#) != encoded.contains(#""recipient""#))
    }

    @Test(arguments: ["", "+", "57 300 111", "abc", ".co123", "CO.", "+57-300", "CO.12#4", "CO.1 2", "CO.\u{0}1"])
    func badRecipientsAreRefused(recipient: String) {
        #expect(throws: OutboundRequestError.self) { try body(.text("x"), to: recipient) }
    }

    @Test func aReplyQuotesTheContactsMessage() throws {
        let request = OutboundRequest(to: "573001112233", message: .text("Listo"), replyTo: "wamid.IN1")
        #expect(
            String(decoding: try request.body(), as: UTF8.self)
                == #"{"context":{"message_id":"wamid.IN1"},"messaging_product":"whatsapp","#
                + #""recipient_type":"individual","text":{"body":"Listo"},"to":"+573001112233","type":"text"}"#)
    }

    @Test func markRead() {
        #expect(
            String(decoding: OutboundRequest.markRead(messageID: "wamid.IN1"), as: UTF8.self)
                == #"{"message_id":"wamid.IN1","messaging_product":"whatsapp","status":"read"}"#)
        #expect(
            String(decoding: OutboundRequest.markRead(messageID: "wamid.IN1", typingIndicator: true), as: UTF8.self)
                == #"{"message_id":"wamid.IN1","messaging_product":"whatsapp","status":"read","#
                + #""typing_indicator":{"type":"text"}}"#)
    }

    /// Same request, same bytes, every time; and the bytes are JSON any parser reads back.
    @Test func encodingIsDeterministicAndValidJSON() throws {
        let message = OutboundMessage.list(
            body: "b", header: nil, footer: nil, button: "B",
            rows: (0..<10).map { .init(id: "r\($0)", title: "T\($0)", description: "d") })
        let request = OutboundRequest(to: "573001112233", message: message, callbackData: "o")
        let first = try request.body()
        for _ in 0..<20 { #expect(try request.body() == first) }
        let object = try JSONSerialization.jsonObject(with: Data(first))
        let sorted = try JSONSerialization.data(
            withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(Array(sorted) == first)
    }
}

/// Request bodies' objects keep their members in an array: written with sorted keys whatever the order they
/// were set in, a key set again keeps its last value, and setting `nil` removes it.
@Test func jsonObjectsWriteSortedKeysAndKeepTheLastValueOfAKey() {
    var object: JSONObject = ["type": .string("text"), "body": .string("hola"), "b": .int(1)]
    object["b"] = .int(2)
    object["a"] = .bool(true)
    object["type"] = nil
    object["missing"] = nil
    let nested = JSONValue.object(["z": .object(object), "list": .array([.object(["y": .int(1), "x": .int(0)])])])
    #expect(
        String(decoding: nested.bytes, as: UTF8.self) == #"{"list":[{"x":0,"y":1}],"z":{"a":true,"b":2,"body":"hola"}}"#
    )
    #expect(object["b"] == .int(2))
    #expect(object["type"] == nil)
}
