import Testing
import WhatsAppCloud

/// Meta's wording reaches the logs without phone numbers or e-mail addresses, and otherwise as Meta wrote it.
@Suite struct MetaWordingTests {
    @Test(arguments: [
        ("(#100) Invalid parameter to +573005550030", "(#100) Invalid parameter to <number>"),
        ("recipient 573005550030 is not valid", "recipient <number> is not valid"),
        ("call +57 300 555 0030 now", "call <number> now"),
        ("call 300-555-0030 now", "call <number> now"),
        ("+1 (on the list), +1 hour", "+1 (on the list), +1 hour"),
        ("call 300.555.0030 now", "call <number> now"),
        ("+57 (300) 555 0030", "<number>"),
        ("57 300  555 0030", "<number>"),
        ("+57\u{A0}300\u{A0}555\u{A0}0030", "<number>"),
        ("٣٠٠٥٥٥٠٠٣٠", "<number>"),
        // Not a person's: a date, error codes, the business's own ids.
        ("on 2026-08-01", "on 2026-08-01"),
        ("error code 131047, subcode 2494055", "error code 131047, subcode 2494055"),
        ("Object with ID '106540352242922' does not exist", "Object with ID '106540352242922' does not exist"),
        ("phone_number_id=106540352242922", "phone_number_id=106540352242922"),
        // Letters before the digits do not hide a number; dates and times stay, also beside a number.
        (
            "to=573005550030 number573005550030 [573005550030] x573005550030y",
            "to=<number> number<number> [<number>] x<number>y"
        ),
        (
            "2026-08-01 10:30:00, time 10:30:00 2026-08-01T10:30:00",
            "2026-08-01 10:30:00, time 10:30:00 2026-08-01T10:30:00"
        ),
        ("call 300 555 0030 2026-08-01", "call <number> 2026-08-01"),
        // After `code`, a phone number is still one: only a single run of digits is a code.
        ("code +57 300 555 0041", "code <number>"),
        ("wa_id:573005550030,", "wa_id:<number>,"),
        ("write to ana.perez+ventas@example.com.", "write to <email>."),
        ("<ana@mail.example.co> and 573001112233", "<<email>> and <number>"),
        ("(#131047) Re-engagement message", "(#131047) Re-engagement message"),
        ("(#130429) Rate limit hit", "(#130429) Rate limit hit"),
        ("only 12345 left", "only 12345 left"),
        ("at 10:00:00 on 01-Aug-26, version v23.0", "at 10:00:00 on 01-Aug-26, version v23.0"),
        ("a - b, 12 - 34, user@localhost", "a - b, 12 - 34, user@localhost"),
        ("", ""),
    ])
    func phoneNumbersAndEmailAddressesAreReplaced(text: String, logged: String) {
        #expect(MetaWording.redacted(text) == logged)
    }

    /// whatsapp-cloud-api.md §12's synchronous error, as Meta publishes it: every part an operator needs, in
    /// Meta's words, which carry nothing personal.
    @Test func aGraphErrorNamesEveryPartMetaGave() {
        let body =
            #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"#
            + #""error_data":{"messaging_product":"whatsapp","details":"Message failed to send because there were "#
            + #"too many messages sent from this phone number in a short period of time"},"#
            + #""error_subcode":2494055,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"#
        #expect(
            String(describing: GraphError(httpStatus: 400, body: Array(body.utf8)))
                == "graph error 130429 (rate_limited, HTTP 400, subcode 2494055, OAuthException, fbtrace_id "
                + "Az8or2yhqkZfEZ-_4Qn_Bam): (#130429) Rate limit hit — Message failed to send because there were "
                + "too many messages sent from this phone number in a short period of time")
    }

    /// Meta quoting the request in its message or details: the number and the address never reach a log.
    @Test func aGraphErrorQuotingTheContactIsRedacted() {
        let body =
            #"{"error":{"message":"(#100) Invalid parameter to +573005550030","type":"OAuthException","#
            + #""code":100,"error_data":{"messaging_product":"whatsapp","details":"Invalid parameter to "#
            + #"+573005550030 (ana.perez@example.com, 300 555 0030)"},"fbtrace_id":"AbC123"}}"#
        let logged = String(describing: GraphError(httpStatus: 400, body: Array(body.utf8)))
        #expect(
            logged
                == "graph error 100 (invalid_parameter, HTTP 400, OAuthException, fbtrace_id AbC123): (#100) Invalid "
                + "parameter to <number> — Invalid parameter to <number> (<email>, <number>)")
        for personal in ["3005550030", "555 0030", "ana.perez", "example.com"] { #expect(!logged.contains(personal)) }
    }

    /// whatsapp-cloud-api.md §8 and §7's webhook errors: title, then message and details when they say more.
    @Test func aWebhookErrorNamesItsCodeKindAndWording() {
        let throughput = WebhookError(
            code: 130429, title: "Rate limit hit", message: "Rate limit hit",
            details: "Message failed to send because there were too many messages sent from this phone number in a "
                + "short period of time")
        #expect(
            throughput.description
                == "webhook error 130429 (rate_limited): Rate limit hit — Message failed to send because there were "
                + "too many messages sent from this phone number in a short period of time")
        let engagement = WebhookError(
            code: 131049, title: "This message was not delivered to maintain healthy ecosystem engagement.",
            message: "This message was not delivered to maintain healthy ecosystem engagement.",
            details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.")
        #expect(
            engagement.description
                == "webhook error 131049 (blocked ecosystem_engagement): This message was not delivered to maintain "
                + "healthy ecosystem engagement. — In order to maintain a healthy ecosystem engagement, the message "
                + "failed to be delivered.")
        let quoting = WebhookError(
            code: 131026, title: "Message undeliverable to +57 300 555 0030",
            message: "Message undeliverable", details: "Contact ana@example.com cannot receive it")
        #expect(
            quoting.description
                == "webhook error 131026 (blocked undeliverable): Message undeliverable to <number> — Message "
                + "undeliverable — Contact <email> cannot receive it")
    }
}
