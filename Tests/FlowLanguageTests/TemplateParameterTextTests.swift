import FlowLanguage
import SchemaTestSupport
import Testing

/// What Meta refuses in a template parameter (error 132018, and a parameter without text), as every door checks
/// it: blank first, then the first line break, tab or run of more than 4 spaces.
@Test(arguments: [
    ("", TemplateParameterText.Problem.blank),
    ("   ", .blank),
    ("\n\t ", .blank),
    ("lunes\n8:00", .lineBreak),
    ("lunes\r\n8:00", .lineBreak),
    ("lunes\r8:00", .lineBreak),
    ("lunes\u{2028}8:00", .lineBreak),
    ("lunes\u{85}8:00", .lineBreak),
    ("lunes\u{0B}8:00", .lineBreak),
    ("lunes\t8:00", .tab),
    ("lunes     8:00", .consecutiveSpaces),
    ("lunes 8:00     ", .consecutiveSpaces),
])
func aParameterMetaRefusesIsNamed(text: String, problem: TemplateParameterText.Problem) {
    #expect(TemplateParameterText.problem(in: text) == problem)
}

/// Up to 4 spaces in a row, spaces at the ends and other white space (a no-break space) are Meta's to take.
@Test(arguments: ["lunes 8:00", "lunes    8:00", " lunes ", "lunes\u{A0}\u{A0}\u{A0}\u{A0}\u{A0}8:00", "Ana"])
func aParameterMetaTakesHasNoProblem(text: String) {
    #expect(TemplateParameterText.problem(in: text) == nil)
    #expect(TemplateParameterText.normalized(text) == text)
}

/// A filled value is changed as little as Meta needs: a run holding a line break or a tab, or of more than 4
/// spaces, becomes one space, or nothing at either end; shorter runs of spaces stay.
@Test(arguments: [
    ("Calle 1 # 2-3\nApto 401", "Calle 1 # 2-3 Apto 401"),
    ("Calle 1 # 2-3\r\n\r\nApto 401", "Calle 1 # 2-3 Apto 401"),
    ("Calle 1 # 2-3  \n  Apto 401", "Calle 1 # 2-3 Apto 401"),
    ("Calle 1\tApto 401", "Calle 1 Apto 401"),
    ("Bogota          ", "Bogota"),
    ("\nAna", "Ana"),
    ("Ana\n", "Ana"),
    ("  Ana\n", "  Ana"),
    ("Ana     María  López", "Ana María  López"),
    ("a    b\tc", "a    b c"),
    ("\n", "\n"),
])
func aFilledValueIsNormalizedAsLittleAsMetaNeeds(text: String, normalized: String) {
    #expect(TemplateParameterText.normalized(text) == normalized)
}

/// Whatever a value holds, once normalized Meta takes it unless nothing is left.
@Test func aNormalizedValueIsOnlyEverRefusedAsBlank() {
    let pieces = ["a", "ñ", " ", "  ", "\n", "\r\n", "\t", "\u{2029}", "\u{A0}", "😀", "\u{301}"]
    // A fixed seed: a failure names its input and comes back on every run.
    var generator = SplitMix64(seed: 0x2545_F491_4F6C_DD1D)
    for _ in 0..<2000 {
        let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
            pieces.randomElement(using: &generator)!
        }.joined()
        let problem = TemplateParameterText.problem(in: TemplateParameterText.normalized(text))
        #expect(problem == nil || problem == .blank, "\(text.unicodeScalars.map { $0.value })")
    }
}
