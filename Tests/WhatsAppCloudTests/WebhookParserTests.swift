import Foundation
import Testing
@testable import WhatsAppCloud

/// Parsing Meta's webhook bodies, one test per message type, then batches, unknowns and malformed bodies.
@Suite struct WebhookParserTests {
    /// The only update of a body, which must be a message.
    func onlyMessage(_ body: [UInt8]) throws -> InboundMessage {
        let updates = try WebhookParser.parse(body)
        try #require(updates.count == 1)
        guard case .message(let message) = updates[0] else {
            throw TestFailure("expected a message, got \(updates[0])")
        }
        return message
    }

    /// The only update of a body, which must be a status.
    func onlyStatus(_ status: String) throws -> StatusUpdate {
        let updates = try WebhookParser.parse(Fixture.body(value: Fixture.statusesValue([status])))
        try #require(updates.count == 1)
        guard case .status(let update) = updates[0] else {
            throw TestFailure("expected a status, got \(updates[0])")
        }
        return update
    }

    // MARK: Messages

    @Test func textMessageAsMetaSendsIt() throws {
        let message = try onlyMessage(Fixture.textBody)
        #expect(message.phoneNumberID == "106540352242922")
        #expect(message.displayPhoneNumber == "15550783881")
        #expect(message.contactID == "573001112233")
        #expect(message.waID == "573001112233")
        #expect(message.userID == nil)
        #expect(message.profileName == "José Peña")
        #expect(message.id == "wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgUM0E0QTY1OTlBRUUwMzgxMDE0NEYA")
        #expect(message.timestamp == 1_749_416_383)
        #expect(message.type == "text")
        #expect(message.content == .text("¿Tienen crédito? https://example.com/tasas"))
        #expect(message.context == nil)
        #expect(message.errors.isEmpty)
    }

    @Test func replyButton() throws {
        let message = try onlyMessage(
            Fixture.single(type: "interactive", part: Fixture.buttonReply, extra: Fixture.buttonReplyContext))
        #expect(message.content == .buttonReply(id: "consentimiento.accept", title: "Acepto"))
        #expect(message.context == .init(messageID: "wamid.BUTTONS", from: "15550783881"))
    }

    @Test func listReply() throws {
        let message = try onlyMessage(Fixture.single(type: "interactive", part: Fixture.listReply))
        #expect(
            message.content
                == .listReply(id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days")
        )
    }

    @Test func listReplyWithoutDescription() throws {
        let part = #""interactive":{"type":"list_reply","list_reply":{"id":"pay_balance","title":"Saldo"}}"#
        let message = try onlyMessage(Fixture.single(type: "interactive", part: part))
        #expect(message.content == .listReply(id: "pay_balance", title: "Saldo", description: nil))
    }

    @Test func templateQuickReplyButton() throws {
        let message = try onlyMessage(
            Fixture.single(type: "button", part: Fixture.templateButton, extra: Fixture.buttonReplyContext))
        #expect(message.content == .templateButton(payload: "CONFIRM_APPT", text: "Confirmar cita"))
    }

    @Test func image() throws {
        let message = try onlyMessage(Fixture.single(type: "image", part: Fixture.image))
        #expect(
            message.content
                == .media(
                    .init(
                        kind: .image, id: "1003383421387256", mimeType: "image/jpeg",
                        sha256: "SfInY0gGb5ws6rn1PYgTEdYlT1A6tYbyLYKwWbRPJ08=", caption: "Mi cédula",
                        url: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256")))
    }

    @Test func document() throws {
        let message = try onlyMessage(Fixture.single(type: "document", part: Fixture.document))
        #expect(
            message.content
                == .media(
                    .init(
                        kind: .document, id: "1234567890987654321", mimeType: "application/pdf",
                        sha256: "grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=", caption: "Factura",
                        fileName: "factura_março.pdf")))
    }

    @Test func voiceNote() throws {
        let message = try onlyMessage(Fixture.single(type: "audio", part: Fixture.voice))
        guard case .media(let media) = message.content else { throw TestFailure("not media") }
        #expect(media.kind == .audio)
        #expect(media.mimeType == "audio/ogg; codecs=opus")
        #expect(media.isVoice)
        #expect(media.caption == nil)
    }

    @Test func audioWithoutVoiceFlag() throws {
        let part = #""audio":{"mime_type":"audio\/mpeg","sha256":"x","id":"5"}"#
        let message = try onlyMessage(Fixture.single(type: "audio", part: part))
        guard case .media(let media) = message.content else { throw TestFailure("not media") }
        #expect(!media.isVoice)
    }

    @Test func video() throws {
        let message = try onlyMessage(
            Fixture.single(type: "video", part: Fixture.video, extra: #""context":{"forwarded":true},"#))
        guard case .media(let media) = message.content else { throw TestFailure("not media") }
        #expect(
            media
                == .init(
                    kind: .video, id: "765756756", mimeType: "video/mp4",
                    sha256: "Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc=", caption: "caption"))
        #expect(message.context == .init(forwarded: true))
    }

    @Test func animatedSticker() throws {
        let message = try onlyMessage(Fixture.single(type: "sticker", part: Fixture.sticker))
        guard case .media(let media) = message.content else { throw TestFailure("not media") }
        #expect(media.kind == .sticker)
        #expect(media.mimeType == "image/webp")
        #expect(media.isAnimated)
    }

    @Test func currentLocation() throws {
        let message = try onlyMessage(Fixture.single(type: "location", part: Fixture.currentLocation))
        #expect(message.content == .location(.init(latitude: 4.60971, longitude: -74.08175)))
    }

    /// Coordinates written as strings are read by JSON's number grammar: the audit saw `"NaN"`, `"inf"`, `"1e400"`
    /// and `"0x1p3"` taken (Swift's `Double(_:)` reads them), so agents were shown the place `nan,inf`. Numbers past
    /// ±90 (latitude) or ±180 (longitude) are no place either. Each is refused with the location's path.
    @Test(arguments: [
        (#""NaN""#, "-74.0"), (#""inf""#, "-74.0"), (#""Infinity""#, "-74.0"), (#""1e400""#, "-74.0"),
        (#""0x1p3""#, "-74.0"), (#"" 4.5""#, "-74.0"), (#""4,5""#, "-74.0"), (#""+4.5""#, "-74.0"),
        (#""04.5""#, "-74.0"), ("90.5", "-74.0"), ("123456789012345678901234567890", "-74.0"), ("4.6", "-180.01"),
        ("4.6", #""-200""#),
    ])
    func aCoordinateThatIsNoPlaceIsRefused(latitude: String, longitude: String) throws {
        let part = #""location":{"latitude":\#(latitude),"longitude":\#(longitude)}"#
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.single(type: "location", part: part))
        }
        #expect(error?.path.hasPrefix("entry[0].changes[0].value.messages[0]") == true)
    }

    @Test func aCoordinateWrittenAsAJSONNumberInAStringIsRead() throws {
        let part = #""location":{"latitude":"-4.5e0","longitude":"-180"}"#
        let message = try onlyMessage(Fixture.single(type: "location", part: part))
        #expect(message.content == .location(.init(latitude: -4.5, longitude: -180)))
        #expect(Coordinate.number("0") == 0 && Coordinate.number("-0.25E+1") == -2.5)
        #expect(Coordinate.number("") == nil && Coordinate.number("-") == nil && Coordinate.number("1.") == nil)
    }

    @Test func chosenPlace() throws {
        let message = try onlyMessage(Fixture.single(type: "location", part: Fixture.chosenLocation))
        #expect(
            message.content
                == .location(
                    .init(
                        latitude: 37.44221496582, longitude: -122.16165924072, name: "Facebook HQ",
                        address: "1 Hacker Way, Menlo Park, CA 94025",
                        url: "https://maps.google.com/?cid=2000000000000000000")))
    }

    @Test func sharedContacts() throws {
        let message = try onlyMessage(Fixture.single(type: "contacts", part: Fixture.contacts))
        #expect(
            message.content
                == .contacts([
                    .init(
                        formattedName: "Ana Gómez",
                        phones: [
                            .init(phone: "+57 300 111 2233", waID: "573001112233", type: "MOBILE"),
                            .init(phone: "+57 601 555 0000", waID: nil, type: "WORK"),
                        ],
                        emails: ["ana@example.com"]),
                    .init(formattedName: "Luis Rojas", phones: [.init(phone: nil, waID: "573009998877")]),
                ]))
    }

    @Test func reaction() throws {
        let message = try onlyMessage(Fixture.single(type: "reaction", part: Fixture.reaction))
        #expect(message.content == .reaction(messageID: "wamid.REACTED", emoji: "👍"))
    }

    @Test(arguments: [
        #""reaction":{"message_id":"wamid.REACTED"}"#,
        #""reaction":{"message_id":"wamid.REACTED","emoji":""}"#,
    ])
    func removedReaction(part: String) throws {
        let message = try onlyMessage(Fixture.single(type: "reaction", part: part))
        #expect(message.content == .reaction(messageID: "wamid.REACTED", emoji: nil))
    }

    @Test func unsupportedKeepsItsTypeAndErrors() throws {
        let message = try onlyMessage(Fixture.single(type: "unsupported", part: Fixture.unsupported))
        #expect(message.content == .unsupported(type: "unsupported", subtype: "poll_creation"))
        #expect(
            message.errors == [
                WebhookError(
                    code: 131051, title: "Message type unknown", message: "Message type unknown",
                    details: "Message type is currently not supported.")
            ])
        #expect(message.errors.first?.kind == .invalidRequest)
    }

    @Test func olderUnknownType() throws {
        let errors =
            #""errors":[{"code":131051,"details":"Message type is not currently supported","#
            + #""title":"Unsupported message type"}]"#
        let message = try onlyMessage(Fixture.single(type: "unknown", part: errors))
        #expect(message.content == .unsupported(type: "unknown", subtype: nil))
        #expect(message.errors.map(\.code) == [131051])
        #expect(message.errors.first?.title == "Unsupported message type")
    }

    @Test func systemMessageWithoutContacts() throws {
        let value = Fixture.messagesValue(
            [Fixture.message(type: "system", part: Fixture.system)], contacts: [])
        let message = try onlyMessage(Fixture.body(value: value))
        #expect(message.content == .unsupported(type: "system", subtype: "user_changed_number"))
        #expect(message.contactID == Fixture.waID)
        #expect(message.profileName == nil)
    }

    @Test(
        arguments: [
            ("order", #""order":{"catalog_id":"1","product_items":[{"product_retailer_id":"a","quantity":1}]}"#, nil),
            ("edit", #""edit":{"original_message_id":"wamid.O","message":{"type":"text","text":{"body":"x"}}}"#, nil),
            ("revoke", #""revoke":{"original_message_id":"wamid.O"}"#, nil),
            ("interactive", #""interactive":{"type":"nfm_reply","nfm_reply":{"response_json":"{}"}}"#, "nfm_reply"),
            ("poll_vote", #""poll_vote":{"type":"single","options":[1]}"#, "single"),
            ("ephemeral", #""ephemeral":"hidden""#, nil),
        ] as [(String, String, String?)])
    func otherTypesAreKeptByName(type: String, part: String, subtype: String?) throws {
        let message = try onlyMessage(Fixture.single(type: type, part: part))
        #expect(message.type == type)
        #expect(message.content == .unsupported(type: type, subtype: subtype))
    }

    @Test func aKnownTypeWithoutItsPartIsKeptAsUnsupported() throws {
        let part =
            #""errors":[{"code":131052,"title":"Media download error","message":"Media download error","#
            + #""error_data":{"details":"Unable to download the media sent by the user."}}]"#
        let message = try onlyMessage(Fixture.single(type: "image", part: part))
        #expect(message.content == .unsupported(type: "image", subtype: nil))
        #expect(message.errors.first?.details == "Unable to download the media sent by the user.")
    }

    @Test func businessScopedUserWithoutWaID() throws {
        let contact = #"{"profile":{"name":"Ana","username":"ana.g"},"user_id":"CO.13491208655302741918"}"#
        let message =
            #"{"from_user_id":"CO.13491208655302741918","id":"wamid.B1","timestamp":"1749416383","#
            + #""type":"text","text":{"body":"hola"}}"#
        let parsed = try onlyMessage(Fixture.body(value: Fixture.messagesValue([message], contacts: [contact])))
        #expect(parsed.contactID == "CO.13491208655302741918")
        #expect(parsed.waID == nil)
        #expect(parsed.userID == "CO.13491208655302741918")
        #expect(parsed.profileName == "Ana")
    }

    /// Meta's body for a user with a username whose number it withholds: `from` and `wa_id` are empty strings,
    /// which count as absent; the user id names the sender. A batch holding it is read whole.
    @Test func emptyFromAndWaIDAreAbsent() throws {
        let contact =
            #"{"profile":{"name":"Ana","username":"@ana.g"},"wa_id":"","user_id":"user.9373795779eb4ad6a1d2f3"}"#
        let message =
            #"{"from":"","from_user_id":"user.9373795779eb4ad6a1d2f3","id":"wamid.E1","timestamp":"1749416383","#
            + #""type":"text","text":{"body":"hola"}}"#
        let other = Fixture.message(id: "wamid.E2", type: "text", part: #""text":{"body":"b"}"#, from: "222")
        let updates = try WebhookParser.parse(
            Fixture.body(value: Fixture.messagesValue([message, other], contacts: [contact])))
        guard case .message(let parsed) = updates.first else {
            Issue.record("expected a message, got \(updates)")
            return
        }
        #expect(parsed.contactID == "user.9373795779eb4ad6a1d2f3")
        #expect(parsed.waID == nil)
        #expect(parsed.profileName == "Ana")
        #expect(updates.count == 2)
    }

    @Test func waIDWinsOverTheBusinessScopedID() throws {
        let contact = #"{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234","user_id":"US.1349"}"#
        let message =
            #"{"from":"16505551234","from_user_id":"US.1349","id":"wamid.B2","timestamp":"1749416383","#
            + #""type":"text","text":{"body":"Does it come in another color?"}}"#
        let parsed = try onlyMessage(Fixture.body(value: Fixture.messagesValue([message], contacts: [contact])))
        #expect(parsed.contactID == "16505551234")
        #expect(parsed.userID == "US.1349")
        #expect(parsed.profileName == "Sheena Nelson")
    }

    @Test func eachMessageGetsItsOwnContactsName() throws {
        let contacts = [
            #"{"profile":{"name":"Ana"},"wa_id":"111"}"#, #"{"profile":{"name":"Luis"},"wa_id":"222"}"#,
        ]
        let messages = [
            Fixture.message(id: "wamid.L", type: "text", part: #""text":{"body":"b"}"#, from: "222"),
            Fixture.message(id: "wamid.A", type: "text", part: #""text":{"body":"a"}"#, from: "111"),
        ]
        let updates = try WebhookParser.parse(
            Fixture.body(value: Fixture.messagesValue(messages, contacts: contacts)))
        let names = updates.compactMap { update -> String? in
            if case .message(let m) = update { return "\(m.contactID):\(m.profileName ?? "-")" }
            return nil
        }
        #expect(names == ["222:Luis", "111:Ana"])
    }

    /// A card that names another number (or another user id) is not the sender's, even when it is the only one:
    /// read as the sender's, its user id would be linked to the sender's number, so that the other person's later
    /// messages with that id alone would be answered at the sender's number, and its name would become theirs.
    @Test func aCardNamingSomeoneElseIsNotTheSenders() throws {
        let bob = #"{"profile":{"name":"Beto"},"wa_id":"573001350002","user_id":"CO.555"}"#
        let fromAna = Fixture.message(
            id: "wamid.A", type: "text", part: #""text":{"body":"hola"}"#, from: "573001350001")
        let alone = try onlyMessage(Fixture.body(value: Fixture.messagesValue([fromAna], contacts: [bob])))
        #expect(alone.contactID == "573001350001")
        #expect(alone.userID == nil)
        #expect(alone.profileName == nil)
        // Beside a message of its own: Bob's card is Bob's, and only Bob's.
        let fromBob = Fixture.message(
            id: "wamid.B", type: "text", part: #""text":{"body":"hola"}"#, from: "573001350002")
        let both = try WebhookParser.parse(
            Fixture.body(value: Fixture.messagesValue([fromBob, fromAna], contacts: [bob])))
        let senders = both.compactMap { update -> String? in
            if case .message(let m) = update { return "\(m.contactID):\(m.userID ?? "-"):\(m.profileName ?? "-")" }
            return nil
        }
        #expect(senders == ["573001350002:CO.555:Beto", "573001350001:-:-"])
        // A user id that is the message's, on a card naming another number, is not taken either; the message's
        // own ids stand.
        let withUserID =
            #"{"from":"573001350001","from_user_id":"CO.555","id":"wamid.C","timestamp":"1749416383","#
            + #""type":"text","text":{"body":"hola"}}"#
        let crossed = try onlyMessage(Fixture.body(value: Fixture.messagesValue([withUserID], contacts: [bob])))
        #expect(crossed.contactID == "573001350001")
        #expect(crossed.userID == "CO.555")
        #expect(crossed.profileName == nil)
        // A card with the message's user id and no number is the sender's.
        let byUserID = #"{"profile":{"name":"Ana"},"user_id":"CO.555"}"#
        let matched = try onlyMessage(Fixture.body(value: Fixture.messagesValue([withUserID], contacts: [byUserID])))
        #expect(matched.profileName == "Ana")
    }

    @Test func aMessageWithoutSenderIsRefusedWithItsPath() throws {
        let message = #"{"id":"wamid.X","timestamp":"1749416383","type":"text","text":{"body":"x"}}"#
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message], contacts: [])))
        }
        #expect(error?.path == "entry[0].changes[0].value.messages[0]")
    }

    /// Without `from`, the sender is taken from the contact cards only when there is exactly one: with two there
    /// is no telling whose the message is.
    @Test func aMessageWithoutFromTakesItsSenderFromTheOnlyContactCard() throws {
        let message = #"{"id":"wamid.X","timestamp":"1749416383","type":"text","text":{"body":"x"}}"#
        let one = try onlyMessage(Fixture.body(value: Fixture.messagesValue([message])))
        #expect(one.contactID == Fixture.waID)
        let other = #"{"profile":{"name":"Luis"},"wa_id":"573009990000"}"#
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(
                Fixture.body(value: Fixture.messagesValue([message], contacts: [Fixture.contact, other])))
        }
        #expect(error?.path == "entry[0].changes[0].value.messages[0]")
    }

    // MARK: Statuses and errors

    @Test func sentStatusWithCallbackData() throws {
        let status = try onlyStatus(
            #"{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=","status":"sent","#
                + #""timestamp":"1750030073","recipient_id":"16505551234","biz_opaque_callback_data":"outbox-42","#
                + #""conversation":{"id":"72b14d6bd5407799e66f64d1b338e567","expiration_timestamp":"1750116480","#
                + #""origin":{"type":"marketing"}},"pricing":{"billable":true,"pricing_model":"PMP","#
                + #""type":"regular","category":"marketing"}}"#)
        #expect(
            status
                == StatusUpdate(
                    phoneNumberID: Fixture.phoneNumberID,
                    messageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", status: .sent,
                    timestamp: 1_750_030_073, recipientID: "16505551234", callbackData: "outbox-42",
                    conversationID: "72b14d6bd5407799e66f64d1b338e567", pricingCategory: "marketing"))
    }

    @Test(arguments: [("delivered", StatusUpdate.Status.delivered), ("read", .read), ("played", .played)])
    func deliveryStatuses(raw: String, status: StatusUpdate.Status) throws {
        let update = try onlyStatus(
            #"{"id":"wamid.S","status":"\#(raw)","timestamp":"1750030080","recipient_id":"16505551234"}"#)
        #expect(update.status == status)
        #expect(update.status.rawValue == raw)
    }

    @Test func failedStatusWithItsErrors() throws {
        let update = try onlyStatus(
            #"{"id":"wamid.F","status":"failed","timestamp":"1751142888","recipient_id":"16505551234","#
                + #""biz_opaque_callback_data":"outbox-7","errors":[{"code":131049,"#
                + #""title":"This message was not delivered to maintain healthy ecosystem engagement.","#
                + #""message":"This message was not delivered to maintain healthy ecosystem engagement.","#
                + #""error_data":{"details":"In order to maintain a healthy ecosystem engagement, the message "#
                + #"failed to be delivered."},"href":"\/documentation\/business-messaging\/whatsapp\/support\/"#
                + #"error-codes"}]}"#)
        #expect(update.status == .failed)
        #expect(update.callbackData == "outbox-7")
        let error = try #require(update.errors.first)
        #expect(error.code == 131049)
        #expect(error.kind == .blocked(.ecosystemEngagement))
        #expect(
            error.details == "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.")
        #expect(error.href == "/documentation/business-messaging/whatsapp/support/error-codes")
    }

    @Test func failedForTheWindow() throws {
        let update = try onlyStatus(
            #"{"id":"wamid.W","status":"failed","timestamp":"1751142888","recipient_id":"1","errors":[{"#
                + #""code":131047,"title":"Re-engagement message","message":"Re-engagement message","#
                + #""error_data":{"details":"Message failed to send because more than 24 hours have passed since "#
                + #"the customer last replied to this number."}}]}"#)
        #expect(update.errors.first?.kind == .windowClosed)
    }

    @Test func anUnknownStatusIsKept() throws {
        let update = try onlyStatus(#"{"id":"wamid.U","status":"deleted","timestamp":"1751142888"}"#)
        #expect(update.status == .other("deleted"))
        #expect(update.recipientID == nil)
    }

    @Test func statusesOnlyMoveForward() {
        typealias S = StatusUpdate.Status
        #expect(S.sent.supersedes(nil))
        #expect(S.delivered.supersedes(.sent))
        #expect(S.read.supersedes(.sent))
        #expect(S.read.supersedes(.delivered))
        #expect(!S.delivered.supersedes(.read))
        #expect(!S.sent.supersedes(.delivered))
        #expect(!S.read.supersedes(.read))
        #expect(S.failed.supersedes(.read))
        #expect(!S.read.supersedes(.failed))
        #expect(!S.failed.supersedes(.failed))
        #expect(S.played.supersedes(.read))
        #expect(!S.other("x").supersedes(.sent))
        #expect(S.sent.supersedes(.other("x")))
    }

    @Test func systemErrorsOfAValue() throws {
        let value =
            #"{"messaging_product":"whatsapp","metadata":\#(Fixture.metadata),"errors":[{"code":130429,"#
            + #""title":"Rate limit hit","message":"Rate limit hit","error_data":{"details":"Message failed to "#
            + #"send because there were too many messages sent from this phone number in a short period of time"},"#
            + #""href":"https:\/\/developers.facebook.com\/docs\/whatsapp\/cloud-api\/support\/error-codes\/"}]}"#
        let updates = try WebhookParser.parse(Fixture.body(value: value))
        try #require(updates.count == 1)
        guard case .error(let phoneNumberID, let error) = updates[0] else { throw TestFailure("not an error") }
        #expect(phoneNumberID == Fixture.phoneNumberID)
        #expect(error.code == 130429)
        #expect(error.title == "Rate limit hit")
        #expect(error.details?.hasPrefix("Message failed to send") == true)
        #expect(error.kind == .rateLimited)
        #expect(updates[0].phoneNumberID == Fixture.phoneNumberID)
    }

    // MARK: Batches

    @Test func everyEntryChangeMessageAndStatusInOrder() throws {
        let other = Fixture.metadata(phoneNumberID: "200000000000002")
        let text = { (id: String) in Fixture.message(id: id, type: "text", part: #""text":{"body":"\#(id)"}"#) }
        let status = { (id: String, s: String) in
            #"{"id":"\#(id)","status":"\#(s)","timestamp":"1750030073","recipient_id":"573001112233"}"#
        }
        let body = Fixture.body(entries: [
            Fixture.entry(changes: [
                Fixture.change(value: Fixture.messagesValue([text("m1"), text("m2"), text("m3")])),
                Fixture.change(value: Fixture.statusesValue([status("s1", "sent"), status("s1", "delivered")])),
            ]),
            Fixture.entry(
                id: "999",
                changes: [
                    Fixture.change(
                        value: #"{"event":"APPROVED","message_template_id":1}"#,
                        field: "message_template_status_update"),
                    Fixture.change(value: Fixture.messagesValue([text("m4")], metadata: other)),
                    Fixture.change(value: Fixture.statusesValue([status("s2", "read")], metadata: other)),
                ]),
        ])
        let updates = try WebhookParser.parse(body)
        let summary = updates.map { update -> String in
            switch update {
            case .message(let m): return "\(m.phoneNumberID.suffix(1)) message \(m.id)"
            case .status(let s): return "\(s.phoneNumberID.suffix(1)) \(s.status.rawValue) \(s.messageID)"
            case .error(_, let e): return "error \(e.code)"
            case .unknown(let field, let waba): return "unknown \(field) \(waba ?? "-")"
            case .messageWithoutSender(let type, let number): return "senderless \(type) \(number)"
            case .marketingPreference(let p): return "preference \(p.value)"
            case .otherProduct(let object): return "other \(object)"
            case .callStarted(let call): return "call \(call.caller)"
            }
        }
        #expect(
            summary == [
                "2 message m1", "2 message m2", "2 message m3", "2 sent s1", "2 delivered s1",
                "unknown message_template_status_update 999", "2 message m4", "2 read s2",
            ])
        #expect(
            updates.map(\.phoneNumberID) == [
                Fixture.phoneNumberID, Fixture.phoneNumberID, Fixture.phoneNumberID, Fixture.phoneNumberID,
                Fixture.phoneNumberID, nil, "200000000000002", "200000000000002",
            ])
    }

    @Test func messagesAndStatusesInOneValue() throws {
        let value =
            #"{"messaging_product":"whatsapp","metadata":\#(Fixture.metadata),"contacts":[\#(Fixture.contact)],"#
            + #""messages":[\#(Fixture.message(type: "text", part: #""text":{"body":"hola"}"#))],"#
            + #""statuses":[{"id":"wamid.S","status":"read","timestamp":"1750030073"}]}"#
        let updates = try WebhookParser.parse(Fixture.body(value: value))
        #expect(updates.count == 2)
    }

    @Test func anEmptyBatchIsNoUpdates() throws {
        #expect(try WebhookParser.parse(Array(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)).isEmpty)
        #expect(try WebhookParser.parse(Fixture.body(changes: [])).isEmpty)
        #expect(try WebhookParser.parse(Fixture.body(value: #"{"metadata":\#(Fixture.metadata)}"#)).isEmpty)
    }

    // MARK: Unknowns

    @Test func unknownPropertiesAreIgnoredEverywhere() throws {
        let body = Array(
            #"""
            {"object":"whatsapp_business_account","new_top":{"a":[1,2]},"entry":[{"id":"1","time":1749416383,\#
            "changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1",\#
            "phone_number_id":"2","region":"CO"},"contacts":[{"profile":{"name":"A","username":"a"},"wa_id":"3",\#
            "identity_key_hash":"x"}],"messages":[{"from":"3","id":"wamid.4","timestamp":"5","type":"text",\#
            "text":{"body":"hi","markup":[]},"referral":{"source_url":"https:\/\/fb.me\/x","source_type":"ad",\#
            "ctwa_clid":"c"},"future":null}],"other":7},"field":"messages","extra":true}]}]}
            """#.utf8)
        let message = try onlyMessage(body)
        #expect(message.content == .text("hi"))
        #expect(message.phoneNumberID == "2")
    }

    /// Meta's `user_preferences` reference payload: one marketing preference per item; another category, or a
    /// value not in Meta's shape, is an unknown change (acknowledged, as before talkflow read this field).
    @Test func marketingPreferencesAreRead() throws {
        let value =
            #"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","#
            + #""phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\u00e9"},"#
            + #""wa_id":"573001112233"}],"user_preferences":[{"wa_id":"573001112233","#
            + #""detail":"User requested to stop marketing messages","category":"marketing_messages","#
            + #""value":"stop","timestamp":1731705721}]}"#
        let updates = try WebhookParser.parse(
            Fixture.body(changes: [Fixture.change(value: value, field: "user_preferences")]))
        #expect(
            updates == [
                .marketingPreference(
                    MarketingPreference(
                        phoneNumberID: "106540352242922", waID: "573001112233", value: "stop",
                        detail: "User requested to stop marketing messages", timestamp: 1_731_705_721))
            ])
        #expect(updates.first?.phoneNumberID == "106540352242922")
        let other = value.replacingOccurrences(of: "marketing_messages", with: "something_else")
        #expect(
            try WebhookParser.parse(Fixture.body(changes: [Fixture.change(value: other, field: "user_preferences")]))
                == [.unknown(field: "user_preferences", wabaID: Fixture.wabaID)])
        // An item not in Meta's shape does not cancel another contact's choice in the same change.
        let mixed = value.replacingOccurrences(
            of: #""user_preferences":["#,
            with: #""user_preferences":[{"wa_id":"573009998877","category":"marketing_messages","value":"stop"},"#)
        let both = try WebhookParser.parse(
            Fixture.body(changes: [Fixture.change(value: mixed, field: "user_preferences")]))
        #expect(both == updates)
        let noTime = value.replacingOccurrences(of: #","timestamp":1731705721"#, with: "")
        #expect(
            try WebhookParser.parse(Fixture.body(changes: [Fixture.change(value: noTime, field: "user_preferences")]))
                == [.unknown(field: "user_preferences", wabaID: Fixture.wabaID)])
    }

    @Test(arguments: [
        "account_update", "message_template_status_update", "phone_number_quality_update", "calls",
        "user_preferences",
    ])
    func unknownFieldsAreKeptWhateverTheirValue(field: String) throws {
        let value = #"{"strange":[{"shape":true}],"metadata":"not an object"}"#
        let updates = try WebhookParser.parse(Fixture.body(changes: [Fixture.change(value: value, field: field)]))
        #expect(updates == [.unknown(field: field, wabaID: Fixture.wabaID)])
    }

    @Test func timestampsAsNumbersAreAccepted() throws {
        let message = #"{"from":"1","id":"wamid.N","timestamp":1749416383,"type":"text","text":{"body":"x"}}"#
        #expect(try onlyMessage(Fixture.body(value: Fixture.messagesValue([message]))).timestamp == 1_749_416_383)
    }

    /// Another Meta product's webhook (an app subscribed to Instagram or a Page too) is one update naming it,
    /// whatever its entries hold: not WhatsApp's, so not read, and never a parse error (Meta retries those).
    @Test(arguments: [
        #"{"object":"instagram","entry":[{"id":"1","time":1,"messaging":[{"sender":{"id":"1"},"message":{"text":"x"}}]}]}"#,
        #"{"object":"page","entry":[]}"#,
        #"{"object":"page","entry":{"odd":true}}"#,
        #"{"object":"page"}"#,
    ])
    func anotherProductsWebhookIsOneUpdateNamingIt(body: String) throws {
        let object = body.contains("instagram") ? "instagram" : "page"
        #expect(try WebhookParser.parse(Array(body.utf8)) == [.otherProduct(object: object)])
    }

    /// A contact's call start (a user-initiated `connect`, caller by `from` or `from_user_id`) is an update of its
    /// own; the end of a call, a call the business started, or a value not in Meta's shape is an unhandled change.
    @Test func aContactsCallStartIsAnUpdate() throws {
        func body(_ calls: String) -> [UInt8] {
            Array(
                (#"{"object":"whatsapp_business_account","entry":[{"id":"9","changes":[{"value":{"#
                    + #""messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"7"},"#
                    + #""calls":[\#(calls)]},"field":"calls"}]}]}"#).utf8)
        }
        let start =
            #"{"id":"c1","from":"5730","event":"connect","timestamp":"1750000000","direction":"USER_INITIATED"}"#
        let byUserID =
            #"{"id":"c2","from":"","from_user_id":"CO.1","event":"connect","timestamp":1750000001,"#
            + #""direction":"USER_INITIATED"}"#
        #expect(
            try WebhookParser.parse(body(start + "," + byUserID)) == [
                .callStarted(CallStarted(phoneNumberID: "7", caller: "5730", timestamp: 1_750_000_000)),
                .callStarted(CallStarted(phoneNumberID: "7", caller: "CO.1", timestamp: 1_750_000_001)),
            ])
        for other in [
            #"{"id":"c3","from":"5730","event":"terminate","timestamp":"1","direction":"USER_INITIATED"}"#,
            #"{"id":"c4","from":"5730","event":"connect","timestamp":"1","direction":"BUSINESS_INITIATED"}"#,
            #"{"id":"c5","event":"connect","timestamp":"1","direction":"USER_INITIATED"}"#,
            #"{"id":"c6","from":"5730","event":"connect","direction":"USER_INITIATED"}"#,
        ] {
            #expect(try WebhookParser.parse(body(other)) == [.unknown(field: "calls", wabaID: "9")], "\(other)")
        }
    }

    // MARK: Malformed bodies

    /// A malformed body throws a descriptive error, never traps.
    @Test(arguments: [
        ("", "", "the body is empty"),
        ("not json", "", "not valid JSON (line 1, column 1)"),
        (
            #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":["#, "",
            "not valid JSON (line 1, column 69)"
        ),
        (
            "{\n  \"object\": \"whatsapp_business_account\",\n  \"entry\": [x]\n}", "",
            "not valid JSON (line 3, column 13)"
        ),
        ("[]", "", "expected an object"),
        (#""whatsapp""#, "", "expected an object"),
        // Valid JSON, but nested past any webhook: said so, not "not valid JSON".
        (
            #"{"object":"whatsapp_business_account","entry":"# + String(repeating: "[", count: 100_000)
                + String(repeating: "]", count: 100_000) + "}", "", "nests arrays and objects deeper than 32 levels"
        ),
        ("{}", "", "missing required property \"object\""),
        (#"{"object":"whatsapp_business_account","entry":{}}"#, "entry", "expected an array"),
        (#"{"object":"whatsapp_business_account","entry":[{"id":"1"}]}"#, "entry[0]", "\"changes\""),
        (
            #"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":[]}]}]}"#,
            "entry[0].changes[0].value", "expected an object"
        ),
        (
            #"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{}}]}]}"#,
            "entry[0].changes[0].value", "\"metadata\""
        ),
    ])
    func malformedBodies(body: String, path: String, reason: String) throws {
        let error = #expect(throws: WebhookParseError.self) { try WebhookParser.parse(Array(body.utf8)) }
        #expect(error?.path == path)
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (#"{"from":"1","timestamp":"1","type":"text","text":{"body":"x"}}"#, "messages[0]", "\"id\""),
        (#"{"from":"1","id":"w","timestamp":"yesterday","type":"text"}"#, "messages[0].timestamp", "Unix seconds"),
        (#"{"from":"1","id":"w","timestamp":"1","type":"text","text":{"body":7}}"#, "messages[0].text.body", "string"),
        (#"{"from":"1","id":"w","timestamp":"1","type":"text","text":{}}"#, "messages[0].text", "\"body\""),
        // Meta always sends the part of a text, so one without it is refused like an empty one, not stepped.
        (#"{"from":"1","id":"w","timestamp":"1","type":"text"}"#, "messages[0]", "\"text\""),
        (#"{"from":"1","id":"w","timestamp":"1","type":"text","text":null}"#, "messages[0].text", "null"),
        (#"{"from":"1","id":"w","timestamp":"1","type":"reaction"}"#, "messages[0]", "\"reaction\""),
        (#"{"from":"1","id":"w","timestamp":"1","type":"location"}"#, "messages[0]", "\"location\""),
        (
            #"{"from":"1","id":"w","timestamp":"1","type":"image","image":{"mime_type":"x"}}"#, "messages[0].image",
            "\"id\""
        ),
        (#"{"from":1,"id":"w","timestamp":"1","type":"text","text":{"body":"x"}}"#, "messages[0].from", "string"),
        (
            #"{"from":"1","id":"w","timestamp":"1","type":"location","location":{"latitude":"north","longitude":1}}"#,
            "messages[0].location.latitude", "expected a number"
        ),
    ])
    func malformedMessagesNameTheirPath(message: String, path: String, reason: String) throws {
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message])))
        }
        #expect(error?.path == "entry[0].changes[0].value." + path)
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    /// A key twice in one object is refused wherever it is, with where: `JSONDecoder` would keep one of the
    /// values and drop the other unseen (a second message, the product, the sender).
    @Test func aKeyGivenTwiceIsRefusedWithWhere() throws {
        let m1 = Fixture.message(id: "wamid.M1", type: "text", part: #""text":{"body":"uno"}"#)
        let m2 = Fixture.message(id: "wamid.M2", type: "text", part: #""text":{"body":"dos"}"#)
        let twoMessages = Fixture.messagesValue([m1]).replacingOccurrences(
            of: #""messages":["#, with: #""messages":[\#(m2)],"messages":["#)
        let twoSenders = #"{"from":"A","from":"B","id":"w","timestamp":"1","type":"text","text":{"body":"x"}}"#
        let twoProducts = Array(
            #"{"object":"instagram","object":"whatsapp_business_account","entry":[]}"#.utf8)
        for (body, path) in [
            (Fixture.body(value: twoMessages), "entry[0].changes[0].value.messages"),
            (Fixture.body(value: Fixture.messagesValue([twoSenders])), "entry[0].changes[0].value.messages[0].from"),
            (twoProducts, "object"),
        ] {
            let error = #expect(throws: WebhookParseError.self) { try WebhookParser.parse(body) }
            #expect(error?.path == path)
            #expect(error?.reason == "the key is given twice in one object")
        }
    }

    /// One limit for both readers: 32 levels of arrays and objects are read (in a field talkflow ignores too), a
    /// 33rd is refused, though `JSONDecoder` would read it.
    @Test func bodiesNestDeeperThan32LevelsAreRefused() throws {
        // A message is the eighth level (body, entry, its object, changes, change, value, messages, message).
        func nested(_ count: Int) -> String {
            #"{"from":"1","id":"w","timestamp":"1","type":"text","text":{"body":"x"},"referral":"#
                + String(repeating: "[", count: count) + String(repeating: "]", count: count) + "}"
        }
        #expect(try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([nested(24)]))).count == 1)
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([nested(25)])))
        }
        #expect(error?.path == "")
        #expect(error?.reason.contains("deeper than 32 levels") == true, "\(String(describing: error))")
    }

    /// Unix seconds are digits as Meta writes them, or a JSON integer not below 0: a sign, in a string or on an
    /// integer, is refused for a message and a status.
    @Test(arguments: [#""-1""#, #""+5""#, #"" 5""#, #""5.0""#, "-1"])
    func aTimestampWithASignIsRefused(timestamp: String) throws {
        let message = #"{"from":"1","id":"w","timestamp":\#(timestamp),"type":"text","text":{"body":"x"}}"#
        let status = #"{"id":"wamid.OUT","status":"delivered","timestamp":\#(timestamp),"recipient_id":"1"}"#
        for (body, path) in [
            (Fixture.body(value: Fixture.messagesValue([message])), "messages[0].timestamp"),
            (Fixture.body(value: Fixture.statusesValue([status])), "statuses[0].timestamp"),
        ] {
            let error = #expect(throws: WebhookParseError.self) { try WebhookParser.parse(body) }
            #expect(error?.path == "entry[0].changes[0].value." + path, "\(String(describing: error))")
        }
        #expect(try onlyStatus(#"{"id":"wamid.OUT","status":"delivered","timestamp":0}"#).timestamp == 0)
        #expect(try onlyStatus(#"{"id":"wamid.OUT","status":"delivered","timestamp":"007"}"#).timestamp == 7)
    }

    /// A marketing preference or a call whose timestamp has a sign is an item not in Meta's shape: skipped.
    @Test func aPreferenceOrCallWithASignedTimestampIsSkipped() throws {
        let metadata = #""metadata":\#(Fixture.metadata)"#
        let preference = Fixture.change(
            value: #"{\#(metadata),"user_preferences":[{"wa_id":"1","category":"marketing_messages","#
                + #""value":"stop","timestamp":"-1"}]}"#, field: "user_preferences")
        let call = Fixture.change(
            value: #"{\#(metadata),"calls":[{"id":"c","from":"1","event":"connect","direction":"USER_INITIATED","#
                + #""timestamp":-5}]}"#, field: "calls")
        #expect(
            try WebhookParser.parse(Fixture.body(changes: [preference, call])) == [
                .unknown(field: "user_preferences", wabaID: Fixture.wabaID),
                .unknown(field: "calls", wabaID: Fixture.wabaID),
            ])
    }

    /// A file is looked up by its id: an empty one is refused like a missing one, for every file type.
    @Test(arguments: ["image", "document", "audio", "video", "sticker"])
    func anEmptyMediaIDIsRefused(type: String) throws {
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.single(type: type, part: #""\#(type)":{"id":""}"#))
        }
        #expect(error?.path == "entry[0].changes[0].value.messages[0].\(type).id")
        #expect(error?.reason == "is empty")
    }

    /// A message of a type talkflow does not read may come without a sender (a notice of a changed user id): it is
    /// acknowledged as a message without a sender, of its number, not refused, and a status in the same POST still
    /// counts; a text without a sender is still refused.
    @Test func aSenderlessMessageOfATypeNotReadIsAcknowledgedNotRefused() throws {
        let system =
            #"{"id":"wamid.SYS","timestamp":"1","type":"system","system":{"body":"changed","type":"user_changed_user_id"}}"#
        let status = #"{"id":"wamid.OUT","status":"delivered","timestamp":"1","recipient_id":"573001112233"}"#
        let value = Fixture.messagesValue([system], contacts: []).replacingOccurrences(
            of: #""messages":["#, with: #""statuses":[\#(status)],"messages":["#)
        let updates = try WebhookParser.parse(Fixture.body(value: value))
        #expect(updates.first == .messageWithoutSender(type: "system", phoneNumberID: Fixture.phoneNumberID))
        #expect(updates.first?.phoneNumberID == Fixture.phoneNumberID)
        #expect(updates.count == 2)
        for (type, part) in [
            ("order", #""order":{"catalog_id":"1"}"#), ("unsupported", #""unsupported":{"type":"poll_creation"}"#),
        ] {
            let message = #"{"id":"wamid.N","timestamp":"1","type":"\#(type)",\#(part)}"#
            #expect(
                try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message], contacts: [])))
                    == [.messageWithoutSender(type: type, phoneNumberID: Fixture.phoneNumberID)])
        }
        if case .status(let update) = updates.last {
            #expect(update.messageID == "wamid.OUT")
        } else {
            Issue.record("the status was not read: \(updates)")
        }
        let text = #"{"id":"wamid.T","timestamp":"1","type":"text","text":{"body":"x"}}"#
        #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([text], contacts: [])))
        }
    }

    /// Ids key the store, where a NUL would cut them short (two contacts or two messages would become one): an
    /// id or sender with one is not Meta's, and refused; a NUL in a profile name is dropped.
    @Test func idsWithANulAreRefusedAndNamesLoseTheirNuls() throws {
        for (message, path) in [
            (
                #"{"from":"1","id":"wamid.A\u0000x","timestamp":"1","type":"text","text":{"body":"x"}}"#,
                "messages[0].id"
            ),
            (
                #"{"from":"1650555910\u00008","id":"w","timestamp":"1","type":"text","text":{"body":"x"}}"#,
                "messages[0].from"
            ),
        ] {
            let error = #expect(throws: WebhookParseError.self) {
                try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message])))
            }
            #expect(error?.path == "entry[0].changes[0].value." + path)
            #expect(error?.reason == "contains a NUL character")
        }
        let named = String(decoding: Fixture.textBody, as: UTF8.self)
        let withNul = named.replacingOccurrences(of: #""name":""#, with: #""name":"Ana\u0000"#)
        #expect(withNul != named)
        let message = try onlyMessage(Array(withNul.utf8))
        #expect(message.profileName?.contains("\u{0}") == false)
        #expect(message.profileName?.hasPrefix("Ana") == true)
    }

    /// An empty id would key one message for every such webhook: refused. An empty sender is no sender: with no
    /// contact card or user id naming one, the message has none.
    @Test func emptyIdsAreRefused() throws {
        for (message, path, reason) in [
            (#"{"from":"1","id":"","timestamp":"1","type":"text","text":{"body":"x"}}"#, "messages[0].id", "is empty"),
            (
                #"{"from":"","id":"w","timestamp":"1","type":"text","text":{"body":"x"}}"#, "messages[0]",
                "the message has neither \"from\" nor \"from_user_id\""
            ),
        ] {
            let error = #expect(throws: WebhookParseError.self) {
                try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message], contacts: [])))
            }
            #expect(error?.path == "entry[0].changes[0].value." + path)
            #expect(error?.reason == reason)
        }
    }

    /// A refused body is logged by where it broke, never by what it held (the docs: "no content").
    @Test func parseErrorsNeverQuoteTheBody() throws {
        let secret = "Calle 100 #10-20 apto 301"
        for message in [
            #"{"from":"1","id":"w","timestamp":"1","type":"location","location":{"latitude":"\#(secret)","longitude":1}}"#,
            #"{"from":"1","id":"w","timestamp":"\#(secret)","type":"text","text":{"body":"x"}}"#,
        ] {
            let error = #expect(throws: WebhookParseError.self) {
                try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message])))
            }
            #expect(error.map { !$0.description.contains("Calle") } == true, "\(String(describing: error))")
        }
    }

    @Test func invalidUTF8IsRefused() throws {
        var body = Fixture.textBody
        let index = try #require(body.firstIndex(of: UInt8(ascii: "T")))
        body[index] = 0xFF
        #expect(throws: WebhookParseError.self) { try WebhookParser.parse(body) }
    }

    @Test func deepNestingIsRefusedWithoutCrashing() throws {
        let depth = 100_000
        let body =
            #"{"object":"whatsapp_business_account","x":"# + String(repeating: "[", count: depth)
            + String(repeating: "]", count: depth) + #","entry":[]}"#
        #expect(throws: WebhookParseError.self) { try WebhookParser.parse(Array(body.utf8)) }
    }

    @Test func errorsDoNotQuoteMessageBodies() throws {
        let message = #"{"from":"1","id":"w","timestamp":"1","type":"text","text":{"body":["secret text"]}}"#
        let error = #expect(throws: WebhookParseError.self) {
            try WebhookParser.parse(Fixture.body(value: Fixture.messagesValue([message])))
        }
        #expect(error.map { String(describing: $0).contains("secret") } == false)
    }

    // MARK: Size

    @Test func aThousandMessagesInOnePost() throws {
        let messages = (0..<1000).map {
            Fixture.message(id: "wamid.\($0)", type: "text", part: #""text":{"body":"mensaje \#($0) caf\u00e9"}"#)
        }
        let body = Fixture.body(value: Fixture.messagesValue(messages))
        let started = ContinuousClock.now
        let updates = try WebhookParser.parse(body)
        // A guard against a hang, not a speed figure (the benchmarks measure speed): generous for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(updates.count == 1000)
        let last = InboundMessage(
            phoneNumberID: Fixture.phoneNumberID, displayPhoneNumber: "15550783881", contactID: Fixture.waID,
            waID: Fixture.waID, profileName: "José Peña", id: "wamid.999", timestamp: 1_749_416_383, type: "text",
            content: .text("mensaje 999 café"))
        #expect(updates.last == .message(last))
    }

    @Test func aHugeTextBody() throws {
        let text = String(repeating: "a\\u00e9\\/", count: 500_000)  // 4 MB of escapes
        let body = Fixture.single(type: "text", part: #""text":{"body":"\#(text)"}"#)
        #expect(body.count > 4_000_000)
        let message = try onlyMessage(body)
        guard case .text(let decoded) = message.content else { throw TestFailure("not text") }
        #expect(decoded.count == 1_500_000)
        #expect(decoded.hasPrefix("aé/aé/"))
    }

    @Test func dataAndBytesParseAlike() throws {
        #expect(try WebhookParser.parse(Data(Fixture.textBody)) == WebhookParser.parse(Fixture.textBody))
    }
}

/// A test expectation that failed in a way that stops the test.
struct TestFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
