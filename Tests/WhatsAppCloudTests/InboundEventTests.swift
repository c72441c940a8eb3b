import FlowRuntime
import Testing
import WhatsAppCloud

/// What each inbound message means to a flow: the interpreter event it becomes, or none.
@Suite struct InboundEventTests {
    func event(_ body: [UInt8], mediaSize: Int64 = 0) throws -> Event.Kind? {
        let updates = try WebhookParser.parse(body)
        guard case .message(let message) = try #require(updates.first) else { throw TestFailure("not a message") }
        return message.event(mediaSize: mediaSize)
    }

    @Test func textIsText() throws {
        #expect(
            try event(Fixture.textBody)
                == .text(
                    "¿Tienen crédito? https://example.com/tasas",
                    messageID: "wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgUM0E0QTY1OTlBRUUwMzgxMDE0NEYA"))
    }

    @Test func aReplyButtonIsItsID() throws {
        let body = Fixture.single(type: "interactive", part: Fixture.buttonReply)
        #expect(try event(body) == .reply(id: "consentimiento.accept", messageID: "wamid.M1"))
    }

    @Test func aListRowIsItsID() throws {
        let body = Fixture.single(type: "interactive", part: Fixture.listReply)
        #expect(try event(body) == .reply(id: "priority_express", messageID: "wamid.M1"))
    }

    /// Read as if typed: at a question, a tapped "Sí" is the answer and a tapped "revocar" revokes (the audit
    /// found both taken as a tap on an older message's button, a wrong answer).
    @Test func aTemplateQuickReplyIsTheTextOfItsPayload() throws {
        let body = Fixture.single(type: "button", part: Fixture.templateButton)
        #expect(try event(body) == .text("CONFIRM_APPT", messageID: "wamid.M1"))
    }

    @Test func aDocumentIsAnAttachmentWithItsNameAndTheResolvedSize() throws {
        let body = Fixture.single(type: "document", part: Fixture.document)
        #expect(
            try event(body, mediaSize: 303_833)
                == .attachment(
                    .init(
                        mimeType: "application/pdf", size: 303_833, fileName: "factura_março.pdf", caption: "Factura",
                        mediaID: "1234567890987654321"),
                    messageID: "wamid.M1"))
    }

    @Test func anImageHasSizeZeroUntilResolved() throws {
        let body = Fixture.single(type: "image", part: Fixture.image)
        // Its caption and media id come along, for the agent.
        #expect(
            try event(body)
                == .attachment(
                    .init(mimeType: "image/jpeg", size: 0, caption: "Mi cédula", mediaID: "1003383421387256"),
                    messageID: "wamid.M1"))
    }

    /// Files of types the flow refuses still reach it, so the contact gets the polite refusal.
    @Test(arguments: [
        ("audio", Fixture.voice, "audio/ogg; codecs=opus", "2234567890987654321", nil),
        ("video", Fixture.video, "video/mp4", "765756756", "caption"),
        ("sticker", Fixture.sticker, "image/webp", "3234567890987654321", nil),
    ])
    func everyMediaTypeIsAnAttachment(type: String, part: String, mime: String, id: String, caption: String?) throws {
        let body = Fixture.single(type: type, part: part)
        #expect(
            try event(body, mediaSize: 10)
                == .attachment(.init(mimeType: mime, size: 10, caption: caption, mediaID: id), messageID: "wamid.M1"))
    }

    /// A shared place is no typed answer (a question for a name must not take coordinates), but the agent of a
    /// handoff reads it: an unreadable event with the place as text.
    @Test func aLocationIsUnreadableWithItsTextRendition() throws {
        #expect(
            try event(Fixture.single(type: "location", part: Fixture.chosenLocation))
                == .unreadable(
                    type: "location",
                    content: "Facebook HQ\n1 Hacker Way, Menlo Park, CA 94025\n37.44221496582,-122.16165924072",
                    messageID: "wamid.M1"))
        #expect(
            try event(Fixture.single(type: "location", part: Fixture.currentLocation))
                == .unreadable(type: "location", content: "4.60971,-74.08175", messageID: "wamid.M1"))
    }

    /// A name or address with a line break keeps to its line, so the place's lines stay name, address, coordinates.
    @Test func aLocationsFieldsKeepToOneLineEach() throws {
        let part = #""location":{"latitude":4.6,"longitude":-74.08,"name":"Linea1\nLinea2","address":"Calle 1\r\n"}"#
        #expect(
            try event(Fixture.single(type: "location", part: part))
                == .unreadable(type: "location", content: "Linea1 Linea2\nCalle 1\n4.6,-74.08", messageID: "wamid.M1"))
    }

    @Test func sharedContactsAreUnreadableWithTheirNamesAndPhones() throws {
        #expect(
            try event(Fixture.single(type: "contacts", part: Fixture.contacts))
                == .unreadable(
                    type: "contacts",
                    content: "Ana Gómez +57 300 111 2233 +57 601 555 0000\nLuis Rojas +573009998877",
                    messageID: "wamid.M1"))
    }

    /// A CR LF is one line break, one space; a line break inside a phone number is a space too, so that a card
    /// stays on its line (a second line would read as a second card).
    @Test func aCarriageReturnLineFeedIsOneSpaceAndAPhoneStaysOnItsCardsLine() throws {
        let place = #""location":{"latitude":4.6,"longitude":-74,"address":"Cra 7 # 1-2\r\nBogot\u00e1"}"#
        #expect(
            try event(Fixture.single(type: "location", part: place))
                == .unreadable(type: "location", content: "Cra 7 # 1-2 Bogotá\n4.6,-74.0", messageID: "wamid.M1"))
        let card = #""contacts":[{"name":{"formatted_name":"Ana\r\nG\u00f3mez"},"phones":[{"phone":"+57 300\n111"}]}]"#
        #expect(
            try event(Fixture.single(type: "contacts", part: card))
                == .unreadable(type: "contacts", content: "Ana Gómez +57 300 111", messageID: "wamid.M1"))
    }

    /// One line per card, the bracket's type heading the first only: a card without phones is its bare name, and
    /// a card with neither name nor phone (only an e-mail address) takes no line.
    @Test func aContactCardWithoutPhonesIsItsNameAndAnEmptyCardTakesNoLine() throws {
        let cards =
            #""contacts":[{"name":{"formatted_name":"Ana G\u00f3mez"},"phones":[{"phone":"+57 300 111 2233"}]},"#
            + #"{"name":{"first_name":"Luis","last_name":"Rojas"}},{"emails":[{"email":"x@example.com"}]}]"#
        #expect(
            try event(Fixture.single(type: "contacts", part: cards))
                == .unreadable(
                    type: "contacts", content: "Ana Gómez +57 300 111 2233\nLuis Rojas", messageID: "wamid.M1"))
        #expect(
            Interpreter.unreadableNote("contacts", "Ana Gómez +57 300 111 2233\nLuis Rojas")
                == "[contacts] Ana Gómez +57 300 111 2233\nLuis Rojas")
    }

    /// Meta's `unsupported` standing for a change to the chat (`unsupported.type` `reaction`, `edit`, …) is read
    /// like the change's native form: not a message the contact wrote to the bot, so no event (no conversation
    /// starts, no menu asks again). Any other `unsupported.type` stays unreadable.
    @Test(arguments: ["reaction", "edit", "revoke", "pin", "keep_in_chat", "poll_update"])
    func anUnsupportedChangeToTheChatIsNoEvent(type: String) throws {
        let part = #""unsupported":{"type":"\#(type)"}"#
        #expect(try event(Fixture.single(type: "unsupported", part: part)) == nil)
    }

    /// How an unreadable message is named when it has no part of its own type to name it: `unsupported` without
    /// its object by `unsupported`, the older `unknown` by `unknown`, a type talkflow does not know by that type
    /// (or by its part's own `type`, when it has one).
    @Test func unreadableMessagesWithoutAPartTypeAreNamedByTheirType() throws {
        let errors = #""errors":[{"code":131051,"title":"Message type unknown"}]"#
        #expect(
            try event(Fixture.single(type: "unsupported", part: errors))
                == .unreadable(type: "unsupported", messageID: "wamid.M1"))
        #expect(
            try event(Fixture.single(type: "unknown", part: errors))
                == .unreadable(type: "unknown", messageID: "wamid.M1"))
        #expect(
            try event(Fixture.single(type: "hologram", part: #""hologram":{"id":"1"}"#))
                == .unreadable(type: "hologram", messageID: "wamid.M1"))
        #expect(
            try event(Fixture.single(type: "hologram", part: #""hologram":{"type":"3d"}"#))
                == .unreadable(type: "3d", messageID: "wamid.M1"))
    }

    /// Messages the contact wrote that a flow cannot read renew the 24-hour window (Meta opens it on any of
    /// them): they are events, named by their part's own type when it has one.
    @Test func ordersFlowsAnswersAndUnsupportedTypesAreUnreadableEvents() throws {
        #expect(
            try event(Fixture.single(type: "unsupported", part: Fixture.unsupported))
                == .unreadable(type: "poll_creation", messageID: "wamid.M1"))
        let order =
            #""order":{"catalog_id":"1","product_items":[{"product_retailer_id":"A","quantity":"1","item_price":"9","currency":"COP"}]}"#
        #expect(
            try event(Fixture.single(type: "order", part: order)) == .unreadable(type: "order", messageID: "wamid.M1"))
        let flowsAnswer =
            #""interactive":{"type":"nfm_reply","nfm_reply":{"response_json":"{}","body":"Sent","name":"flow"}}"#
        #expect(
            try event(Fixture.single(type: "interactive", part: flowsAnswer))
                == .unreadable(type: "nfm_reply", messageID: "wamid.M1"))
        #expect(
            try event(Fixture.single(type: "edit", part: #""edit":{"original_message_id":"w"}"#)) == nil)
        #expect(try event(Fixture.single(type: "request_welcome", part: #""errors":[]"#)) == nil)
    }

    /// A file Meta could not deliver (`errors`, such as 131052) is no file, even when the message names a media id:
    /// unreadable, named by its type, so nothing is fetched or judged.
    @Test func aMediaMessageWithErrorsIsUnreadable() throws {
        let failed =
            #""errors":[{"code":131052,"title":"Media download error","message":"Media download error","#
            + #""error_data":{"details":"Unable to download the media sent by the user."}}]"#
        #expect(
            try event(Fixture.single(type: "image", part: Fixture.image, extra: failed + ","), mediaSize: 10)
                == .unreadable(type: "image", messageID: "wamid.M1"))
        #expect(
            try event(Fixture.single(type: "image", part: failed), mediaSize: 10)
                == .unreadable(type: "image", messageID: "wamid.M1"))
    }

    @Test func reactionsAndNoticesAreNotEvents() throws {
        #expect(try event(Fixture.single(type: "reaction", part: Fixture.reaction)) == nil)
        let system = Fixture.body(
            value: Fixture.messagesValue([Fixture.message(type: "system", part: Fixture.system)], contacts: []))
        #expect(try event(system) == nil)
        #expect(try event(Fixture.single(type: "revoke", part: #""revoke":{"original_message_id":"w"}"#)) == nil)
    }
}
