import Foundation
import Testing
import WhatsAppCloud

/// `X-Hub-Signature-256` checks and the verification handshake.
@Suite struct WebhookSignatureTests {
    let signature = WebhookSignature(appSecret: Fixture.appSecret)

    @Test func metasSignatureOfTheRawBodyVerifies() {
        // The expected value was computed with Python's hmac over the same bytes, not with the code under test.
        #expect(signature.header(for: Fixture.textBody) == Fixture.textSignature)
        #expect(signature.isValid(header: Fixture.textSignature, body: Fixture.textBody))
        #expect(signature.isValid(header: Fixture.textSignature, body: Data(Fixture.textBody)))
    }

    @Test func aWrongSignatureIsInvalid() {
        var wrong = Array(Fixture.textSignature)
        wrong[wrong.count - 1] = wrong.last == "2" ? "3" : "2"
        #expect(!signature.isValid(header: String(wrong), body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=" + String(repeating: "0", count: 64), body: Fixture.textBody))
    }

    @Test func anotherSecretDoesNotVerify() {
        let other = WebhookSignature(appSecret: "another-app")
        #expect(!other.isValid(header: Fixture.textSignature, body: Fixture.textBody))
    }

    @Test func aChangedBodyDoesNotVerify() {
        var body = Fixture.textBody
        body[body.count - 2] = UInt8(ascii: " ")
        #expect(!signature.isValid(header: Fixture.textSignature, body: body))
        #expect(!signature.isValid(header: Fixture.textSignature, body: Fixture.textBody + [0x0A]))
    }

    @Test func aMissingOrEmptyHeaderIsInvalid() {
        #expect(!signature.isValid(header: nil, body: Fixture.textBody))
        #expect(!signature.isValid(header: "", body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=", body: Fixture.textBody))
    }

    @Test func withoutThePrefixOrWithAnotherItIsInvalid() {
        let hex = String(Fixture.textSignature.dropFirst("sha256=".count))
        #expect(!signature.isValid(header: hex, body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha1=" + hex, body: Fixture.textBody))
        #expect(!signature.isValid(header: "SHA256=" + hex, body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256:" + hex, body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=sha256=" + hex, body: Fixture.textBody))
    }

    @Test func malformedHexIsInvalid() {
        let hex = String(Fixture.textSignature.dropFirst("sha256=".count))
        #expect(!signature.isValid(header: "sha256=" + hex.dropLast(), body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=" + hex + "0", body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=" + hex.dropLast() + "g", body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=" + hex.dropLast(2) + "é", body: Fixture.textBody))
        #expect(!signature.isValid(header: "sha256=" + hex + ",sha256=" + hex, body: Fixture.textBody))
    }

    /// Hex case carries no information: upper-case digits spell the same 32 bytes, which are what is compared.
    @Test func upperCaseHexSpellsTheSameSignature() {
        let upper = "sha256=" + Fixture.textSignature.dropFirst("sha256=".count).uppercased()
        #expect(upper != Fixture.textSignature)
        #expect(signature.isValid(header: upper, body: Fixture.textBody))
    }

    @Test func surroundingSpacesAreTolerated() {
        #expect(signature.isValid(header: " \(Fixture.textSignature) ", body: Fixture.textBody))
    }

    /// The signature covers the raw bytes: the same JSON decoded and re-encoded (unescaped `é`, unescaped `/`)
    /// means the same to a parser but does not verify.
    @Test func aReserialisedBodyDoesNotVerify() throws {
        let object = try JSONSerialization.jsonObject(with: Data(Fixture.textBody))
        let reserialised = try JSONSerialization.data(
            withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(Array(reserialised) != Fixture.textBody)
        #expect(try WebhookParser.parse(reserialised) == WebhookParser.parse(Fixture.textBody))
        #expect(!signature.isValid(header: Fixture.textSignature, body: reserialised))
        // Even the same key order with only the escapes undone does not verify.
        let unescaped = String(decoding: Fixture.textBody, as: UTF8.self)
            .replacingOccurrences(of: #"\/"#, with: "/")
            .replacingOccurrences(of: #"\u00e9"#, with: "é")
        #expect(!signature.isValid(header: Fixture.textSignature, body: Array(unescaped.utf8)))
    }

    @Test func anEmptyBodyCanBeSignedAndChecked() {
        let header = signature.header(for: [UInt8]())
        #expect(signature.isValid(header: header, body: [UInt8]()))
        #expect(!signature.isValid(header: header, body: [UInt8(ascii: "{")]))
    }

    // MARK: Handshake

    let verification = WebhookVerification(verifyToken: "token-de-verificacion")

    @Test func theHandshakeEchoesTheChallenge() {
        #expect(
            verification.challenge(mode: "subscribe", token: "token-de-verificacion", challenge: "1158201444")
                == "1158201444")
    }

    @Test func aWrongTokenIsRefused() {
        #expect(verification.challenge(mode: "subscribe", token: "token-de-verificacio", challenge: "1") == nil)
        #expect(verification.challenge(mode: "subscribe", token: "token-de-verificacionx", challenge: "1") == nil)
        #expect(verification.challenge(mode: "subscribe", token: "TOKEN-DE-VERIFICACION", challenge: "1") == nil)
        #expect(verification.challenge(mode: "subscribe", token: "", challenge: "1") == nil)
        #expect(verification.challenge(mode: "subscribe", token: nil, challenge: "1") == nil)
    }

    @Test func anotherModeIsRefused() {
        #expect(verification.challenge(mode: "unsubscribe", token: "token-de-verificacion", challenge: "1") == nil)
        #expect(verification.challenge(mode: nil, token: "token-de-verificacion", challenge: "1") == nil)
        #expect(verification.challenge(mode: "Subscribe", token: "token-de-verificacion", challenge: "1") == nil)
    }

    @Test func aMissingChallengeIsRefused() {
        #expect(verification.challenge(mode: "subscribe", token: "token-de-verificacion", challenge: nil) == nil)
        #expect(verification.challenge(mode: "subscribe", token: "token-de-verificacion", challenge: "") == nil)
    }
}
