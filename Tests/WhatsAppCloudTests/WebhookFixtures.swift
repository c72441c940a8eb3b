/// Webhook bodies byte for byte as Meta sends them: compact JSON, non-ASCII escaped (`\u00e9`), `/` escaped as
/// `\/`. Raw strings keep the escapes as written; `\#` at a line end continues the line without a line break.
/// Shapes follow whatsapp-cloud-api.md §5–8 and Meta's webhook reference examples.
enum Fixture {
    static let wabaID = "102290129340398"
    static let phoneNumberID = "106540352242922"
    static let waID = "573001112233"
    static let appSecret = "app-secret-de-prueba"

    /// A complete text-message webhook, written out whole (532 bytes). Its signature with `appSecret`, computed
    /// independently (Python's `hmac`), is `textSignature`.
    static let textBody = Array(
        #"""
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{\#
        "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",\#
        "phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\u00e9 Pe\u00f1a"},\#
        "wa_id":"573001112233"}],"messages":[{"from":"573001112233",\#
        "id":"wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgUM0E0QTY1OTlBRUUwMzgxMDE0NEYA","timestamp":"1749416383",\#
        "text":{"body":"\u00bfTienen cr\u00e9dito? https:\/\/example.com\/tasas"},"type":"text"}]},\#
        "field":"messages"}]}]}
        """#.utf8)
    static let textSignature = "sha256=556043074298f71159d92e8c2530ff55fda40e9242d33a42ffbd22aa0e547aa2"

    static let metadata = #"{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}"#
    static let contact = #"{"profile":{"name":"Jos\u00e9 Pe\u00f1a"},"wa_id":"573001112233"}"#

    /// A body with one change of field `messages` and this value.
    static func body(value: String) -> [UInt8] {
        body(changes: [change(value: value)])
    }

    /// A body with one entry holding these changes.
    static func body(changes: [String]) -> [UInt8] {
        body(entries: [entry(changes: changes)])
    }

    /// A body with these entries.
    static func body(entries: [String]) -> [UInt8] {
        Array(
            (#"{"object":"whatsapp_business_account","entry":["# + entries.joined(separator: ",") + "]}").utf8)
    }

    static func entry(id: String = wabaID, changes: [String]) -> String {
        #"{"id":"\#(id)","changes":["# + changes.joined(separator: ",") + "]}"
    }

    static func change(value: String, field: String = "messages") -> String {
        #"{"value":\#(value),"field":"\#(field)"}"#
    }

    /// A `value` with these messages, from `contact`, to `phoneNumberID` (or another number).
    static func messagesValue(
        _ messages: [String], contacts: [String] = [contact], metadata: String = metadata
    ) -> String {
        #"{"messaging_product":"whatsapp","metadata":\#(metadata),"#
            + (contacts.isEmpty ? "" : #""contacts":["# + contacts.joined(separator: ",") + "],")
            + #""messages":["# + messages.joined(separator: ",") + "]}"
    }

    /// A `value` with these statuses.
    static func statusesValue(_ statuses: [String], metadata: String = metadata) -> String {
        #"{"messaging_product":"whatsapp","metadata":\#(metadata),"statuses":["#
            + statuses.joined(separator: ",") + "]}"
    }

    /// One message from `waID` of `type`, with its part (`"text":{…}`) and any other members before it.
    static func message(
        id: String = "wamid.M1", type: String, part: String, extra: String = "", from: String = waID
    ) -> String {
        #"{\#(extra)"from":"\#(from)","id":"\#(id)","timestamp":"1749416383","type":"\#(type)",\#(part)}"#
    }

    /// A body with one message of `type`.
    static func single(type: String, part: String, extra: String = "") -> [UInt8] {
        body(value: messagesValue([message(type: type, part: part, extra: extra)]))
    }

    static func metadata(phoneNumberID: String) -> String {
        #"{"display_phone_number":"15550000000","phone_number_id":"\#(phoneNumberID)"}"#
    }

    // MARK: Message parts, as in Meta's reference

    static let buttonReply =
        #""interactive":{"type":"button_reply","button_reply":{"id":"consentimiento.accept","title":"Acepto"}}"#
    static let buttonReplyContext = #""context":{"from":"15550783881","id":"wamid.BUTTONS"},"#
    static let listReply =
        #""interactive":{"type":"list_reply","list_reply":{"id":"priority_express","#
        + #""title":"Priority Mail Express","description":"Next Day to 2 Days"}}"#
    static let templateButton = #""button":{"payload":"CONFIRM_APPT","text":"Confirmar cita"}"#
    static let image =
        #""image":{"caption":"Mi c\u00e9dula","mime_type":"image\/jpeg","#
        + #""sha256":"SfInY0gGb5ws6rn1PYgTEdYlT1A6tYbyLYKwWbRPJ08=","id":"1003383421387256","#
        + #""url":"https:\/\/lookaside.fbsbx.com\/whatsapp_business\/attachments\/?mid=1003383421387256"}"#
    static let document =
        #""document":{"caption":"Factura","filename":"factura_mar\u00e7o.pdf","mime_type":"application\/pdf","#
        + #""sha256":"grwfwe\/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=","id":"1234567890987654321"}"#
    static let voice =
        #""audio":{"mime_type":"audio\/ogg; codecs=opus","sha256":"m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=","#
        + #""id":"2234567890987654321","voice":true}"#
    static let video =
        #""video":{"caption":"caption","mime_type":"video\/mp4","#
        + #""sha256":"Jh+2ij6PzUv\/J2y+grrtegr\/ZMzRxkEPwc24Oyib4s03w9Jc=","id":"765756756"}"#
    static let sticker =
        #""sticker":{"mime_type":"image\/webp","sha256":"HcwyCKrTKXHk0a00ms4HWIA76GY0Du6q4Z\/iuwevw=","#
        + #""id":"3234567890987654321","animated":true}"#
    static let currentLocation = #""location":{"latitude":4.6097100,"longitude":-74.0817500}"#
    static let chosenLocation =
        #""location":{"latitude":37.44221496582,"longitude":-122.16165924072,"name":"Facebook HQ","#
        + #""address":"1 Hacker Way, Menlo Park, CA 94025","url":"https:\/\/maps.google.com\/?cid=2000000000000000000"}"#
    static let contacts =
        #""contacts":[{"addresses":[{"city":"Bogot\u00e1","country":"Colombia","type":"HOME"}],"#
        + #""birthday":"1999-01-23","emails":[{"email":"ana@example.com","type":"WORK"}],"#
        + #""name":{"first_name":"Ana","formatted_name":"Ana G\u00f3mez","last_name":"G\u00f3mez"},"#
        + #""org":{"company":"Acme"},"phones":[{"phone":"+57 300 111 2233","type":"MOBILE","wa_id":"573001112233"},"#
        + #"{"phone":"+57 601 555 0000","type":"WORK"}],"urls":[{"url":"https:\/\/acme.example","type":"WORK"}]},"#
        + #"{"name":{"first_name":"Luis","last_name":"Rojas"},"phones":[{"wa_id":"573009998877"}]}]"#
    static let reaction = #""reaction":{"message_id":"wamid.REACTED","emoji":"\ud83d\udc4d"}"#
    static let unsupported =
        #""errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","#
        + #""error_data":{"details":"Message type is currently not supported."}}],"unsupported":{"type":"poll_creation"}"#
    static let system =
        #""system":{"body":"User Jos\u00e9 changed from 573001112233 to 573004445566","wa_id":"573004445566","#
        + #""type":"user_changed_number"}"#
}
