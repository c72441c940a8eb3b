import Conversations
import Testing

/// The JUnit report carries what XML 1.0 can, escaped, and shows an invisible character as the terminal shows it:
/// CI dashboards render the report, and a U+202E in a transcript's name must not reverse what they show.
@Test func junitTextIsEscapedAndShowsInvisibleCharacters() {
    #expect(TranscriptJUnit.escape(#"a<b>&"c'"#) == "a&lt;b&gt;&amp;&quot;c&apos;")
    #expect(TranscriptJUnit.escape("x\u{1B}y\r") == "x\u{FFFD}y&#13;")
    #expect(TranscriptJUnit.escape("nom\u{202E}bre\u{200B}\u{7F}") == #"nom\u{202E}bre\u{200B}"# + "\u{FFFD}")
    #expect(TranscriptJUnit.escape("ñandú tab\there, 👩\u{200D}💻") == "ñandú tab\there, 👩\u{200D}💻")
}
