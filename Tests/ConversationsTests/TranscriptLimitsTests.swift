import Conversations
import FlowCompiler
import Foundation
import Testing

// The edges of what a transcript can write: file sizes up to Int64.max bytes, read exactly, and a clock that
// never goes past 9999-12-31T23:59:59Z nor, east of UTC, past the last local second of 9999, so that a start or
// an `at:` past it is refused instead of leaving the conversation stuck there.

private func failures(_ result: TranscriptResult) -> [String] {
    result.allFailures.map { "\($0.range.start.line):\($0.range.start.column) \($0.id) \($0.message)" }
}

@Suite("Transcript limits")
struct TranscriptLimitsTests {
    /// Sizes are computed in integers: every byte count up to Int64.max is exact, with units and fractions too
    /// (a fraction of a byte is dropped), and anything beyond is too large rather than unreadable.
    @Test func sizesAreExactUpToTheLargest() {
        #expect(TranscriptUnits.readSize("9223372036854775807") == .bytes(.max))
        #expect(TranscriptUnits.readSize("9223372036854775808") == .tooLarge)
        #expect(TranscriptUnits.readSize("99999999999999999999999") == .tooLarge)
        // 2⁵³ + 1, which a Double cannot hold.
        #expect(TranscriptUnits.readSize("9007199254740993") == .bytes(9_007_199_254_740_993))
        #expect(TranscriptUnits.readSize("8589934591GB") == .bytes(9_223_372_035_781_033_984))
        #expect(TranscriptUnits.readSize("8589934591.999999999999GB") == .bytes(.max))
        #expect(TranscriptUnits.readSize("8589934592GB") == .tooLarge)
        #expect(TranscriptUnits.readSize("8796093022207.99 MiB") == .bytes(9_223_372_036_854_765_322))
        #expect(TranscriptUnits.readSize("0.1KB") == .bytes(102))
        #expect(TranscriptUnits.readSize("1.5 mb") == .bytes(1_572_864))
        #expect(TranscriptUnits.readSize("2.9B") == .bytes(2))
        #expect(TranscriptUnits.readSize(".5KB") == .bytes(512))
        #expect(TranscriptUnits.readSize("0000000000000000000000001KB") == .bytes(1024))
        for unreadable in ["", ".", "1..2", "1.2.3", "+5", "-1", "0x10", "5 M B", "1e3", "lots"] {
            #expect(TranscriptUnits.readSize(unreadable) == .unreadable, "\(unreadable)")
        }
    }

    /// A transcript's `size:` takes Int64.max bytes and refuses one more, naming the limit.
    @Test func aTranscriptSizeUpToTheLargest() throws {
        let folder = try TranscriptFolder()
        let largest = try folder.runAgainstDefault(
            TranscriptSamples.acceptedHeader
                + "  - attachment: { type: pdf, size: 9223372036854775807 }\n  - bot: { contains: \"50 MB\" }\n",
            name: "a.test.yaml")
        #expect(largest.status == .passed, "\(failures(largest))")
        let beyond = try folder.runAgainstDefault(
            "flow: default.yaml\nsteps:\n  - attachment: { type: pdf, size: 9223372036854775808 }\n"
                + "  - attachment: { type: pdf, size: 8589934592 GB }\n", name: "b.test.yaml")
        #expect(
            failures(beyond) == [
                "3:36 invalid_value 'size' must be at most 9223372036854775807 bytes, found '9223372036854775808'",
                "4:36 invalid_value 'size' must be at most 9223372036854775807 bytes, found '8589934592 GB'",
            ])
    }

    /// `fixtures.time` past the latest time the clock reaches is refused at its value, naming the latest local
    /// time of the flow's zone (Bogota is five hours behind UTC); the latest itself is a start.
    @Test func aStartPastTheLastInstantIsRefused() throws {
        let folder = try TranscriptFolder()
        let late = try folder.runAgainstDefault(
            "flow: default.yaml\nfixtures:\n  time: \"9999-12-31T23:59:59\"\nsteps:\n  - contact: hola\n",
            name: "late.test.yaml")
        #expect(
            failures(late) == [
                "3:9 invalid_value 'time' is past the latest time the clock reaches, 9999-12-31T18:59:59 in "
                    + "America/Bogota (9999-12-31T23:59:59Z)"
            ])
        #expect(late.stepsRun == 0)
        let latest = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: false\nfixtures:\n  time: \"9999-12-31T18:59:59\"\nsteps:\n"
                + "  - contact: hola\n  - wait: 1d\n  - at: \"9999-12-31T18:59:59\"\n", name: "latest.test.yaml")
        #expect(latest.status == .passed, "\(failures(latest))")
    }

    /// East of UTC the local year 10000 begins before 9999-12-31T23:59:59Z: there the clock stops at the last
    /// local second of 9999 (Pacific/Kiritimati is UTC+14), a date-time that `at:`, `--at` and `/save` can
    /// still write, instead of going on to 10000-01-01T13:59:59.
    @Test func eastOfUTCTheClockStopsAtTheLastLocalSecondOf9999() throws {
        let folder = try TranscriptFolder()
        try folder.copyDefaultFlow()
        let flow = try String(contentsOf: folder.url.appending(path: "default.yaml"), encoding: .utf8)
            .replacing("time_zone: America/Bogota", with: "time_zone: Pacific/Kiritimati")
        try folder.write("kiritimati.yaml", flow)
        let result = TranscriptRunner.run(
            file: try folder.write(
                "k.test.yaml",
                "flow: kiritimati.yaml\nexhaustive: false\nfixtures:\n  time: \"9999-12-31T23:00\"\nsteps:\n"
                    + "  - contact: hola\n  - wait: 1d\n  - at: \"9999-12-31T23:59:59\"\n"))
        #expect(result.status == .passed, "\(failures(result))")

        let timeZone = try #require(TimeZone(identifier: "Pacific/Kiritimati"))
        let start = try #require(TranscriptDateTime(iso: "9999-12-31T23:00"))
        let simulator = Simulator(
            machine: MachineCompiler.compile(try #require(FlowChecker.check(flow).flow)),
            startAt: TranscriptDriver.unixTime(start, in: timeZone))
        simulator.advance(by: 86_400)
        #expect(
            TranscriptDriver.localTime(simulator.now, in: timeZone) == TranscriptDateTime(iso: "9999-12-31T23:59:59"))
        #expect(
            TranscriptDriver.latestTimeText(simulator.interpreter.calendar)
                == "9999-12-31T23:59:59 in Pacific/Kiritimati (9999-12-31T09:59:59Z)")
        // West of UTC the year ends later locally: the limit stays 9999-12-31T23:59:59Z.
        #expect(
            Simulator.lastInstant(in: try #require(TimeZone(identifier: "America/Bogota"))) == Simulator.lastUTCInstant)
    }

    /// `at:` past the latest time the clock reaches fails the transcript as an input that cannot be performed.
    @Test func anAtPastTheLastInstantIsRefused() throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            "flow: default.yaml\nsteps:\n  - at: \"9999-12-31T19:00\"\n", name: "at.test.yaml")
        #expect(
            failures(result) == [
                "3:5 transcript_input 'at: 9999-12-31T19:00' is past the latest time the clock reaches, "
                    + "9999-12-31T18:59:59 in America/Bogota (9999-12-31T23:59:59Z)"
            ])
    }

    /// Keys that take only `true` treat a word that is no boolean (`yes`, a quoted "true") as `exhaustive` does:
    /// `wrong_type`; `false` is a boolean they cannot have: `invalid_value`.
    @Test(arguments: ["handoff_ended", "revoked", "agent_close"])
    func trueOnlyKeysTellWrongTypeFromWrongValue(_ key: String) throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            "flow: default.yaml\nsteps:\n  - \(key): yes\n  - \(key): \"true\"\n  - \(key): false\n",
            name: "b.test.yaml")
        let column = key.count + 7
        #expect(
            failures(result) == [
                "3:\(column) wrong_type '\(key)' must be true, found 'yes'",
                "4:\(column) wrong_type '\(key)' must be true, found the text \"true\"",
                "5:\(column) invalid_value '\(key)' must be true, found 'false'",
            ])
        #expect(result.allFailures.map(\.suggestion) == [nil, "write true without quotes", nil])
    }

    /// A quoted `"true"` or `"false"` for `exhaustive` is text, and said to be: `found 'true'` would read as the
    /// very boolean asked for. The help tells how to write the boolean; another quoted word gets none.
    @Test(arguments: [("\"true\"", "true"), ("'false'", "false"), ("\"yes\"", nil)])
    func aQuotedBooleanIsShownAsText(_ written: String, _ boolean: String?) throws {
        let folder = try TranscriptFolder()
        let result = try folder.runAgainstDefault(
            "flow: default.yaml\nexhaustive: \(written)\nsteps: []\n", name: "b.test.yaml")
        let text = written.dropFirst().dropLast()
        #expect(
            failures(result) == [
                "2:13 wrong_type 'exhaustive' must be true or false, found the text \"\(text)\""
            ])
        #expect(result.allFailures.map(\.suggestion) == [boolean.map { "write \($0) without quotes" }])
    }
}
