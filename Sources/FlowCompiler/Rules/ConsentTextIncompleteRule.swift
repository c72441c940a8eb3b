import FlowDiagnostics
import FlowLanguage

/// The consent text itself must tell the contact what the data are for, who the Responsable is and where the
/// policy is (habeas-data item 2; Ley 1581 art. 12(a), (d); Decreto 1377 arts. 5, 15): a link alone is not
/// enough for the art. 12 items. Each item may be written out or given by its `{{policy.…}}` placeholder.
struct ConsentTextIncompleteRule: LintRule {
    static let descriptor = RuleDescriptor(
        id: "consent_text_incomplete", severity: .error,
        summary: "a consent text lacks a purpose, the responsible party's name or contact, or the policy link",
        fix: "Write each covered purpose's description, the responsible party's name and one way to reach it "
            + "(email, phone or address) and the policy URL in the text, or use {{policy.purposes}}, "
            + "{{policy.responsible}} and {{policy.url}} (Ley 1581, art. 12).",
        pointsAt: "the consent step's `text` value")

    var descriptors: [RuleDescriptor] { [Self.descriptor] }

    /// One diagnostic per consent step, listing everything its text lacks.
    func check(_ context: RuleContext) -> [Diagnostic] {
        guard let policy = context.flow.policy else { return [] }
        return HabeasData.consents(in: context.flow).compactMap { entry in
            check(entry, policy: policy)
        }
    }

    /// The diagnostic of one consent step, listing every missing item, or `nil` when the text is complete.
    private func check(_ entry: HabeasData.ConsentEntry, policy: Policy) -> Diagnostic? {
        let text = entry.consent.text
        guard HabeasData.isWritten(text) else { return nil }
        let folded = HabeasData.fold(text.value)
        var missing: [String] = []
        var placeholders: [PolicyPlaceholder] = []
        if !HabeasData.uses(.purposes, in: text.value) {
            let absent = Self.coveredPurposes(of: entry.consent, in: policy).filter { purpose in
                let description = HabeasData.fold(purpose.description.value)
                return !description.isEmpty && !folded.contains(description)
            }
            for purpose in absent {
                missing.append("the purpose '\(purpose.description.value)' ('\(purpose.id.value)')")
            }
            if !absent.isEmpty { placeholders.append(.purposes) }
        }
        let name = policy.responsible.name.value
        if !HabeasData.uses(.responsible, in: text.value), !HabeasData.fold(name).isEmpty,
            !folded.contains(HabeasData.fold(name))
        {
            missing.append("the responsible party's name '\(name)'")
            placeholders.append(.responsible)
        }
        // And how to reach it (art. 12(d) asks for its contact details): its email, phone or address, any one.
        let contacts = [policy.responsible.email, policy.responsible.phone, policy.responsible.address]
            .compactMap { $0?.value }.filter { !HabeasData.fold($0).isEmpty }
        if !HabeasData.uses(.responsible, in: text.value), !contacts.isEmpty,
            !contacts.contains(where: { folded.contains(HabeasData.fold($0)) })
        {
            missing.append(
                "how to reach the responsible party (" + contacts.map { "'\($0)'" }.joined(separator: " or ") + ")")
            if !placeholders.contains(.responsible) { placeholders.append(.responsible) }
        }
        let url = policy.url.value
        if !HabeasData.uses(.url, in: text.value), !HabeasData.fold(url).isEmpty,
            !folded.contains(HabeasData.fold(url))
        {
            missing.append("the policy link '\(url)'")
            placeholders.append(.url)
        }
        guard !missing.isEmpty else { return nil }
        let list =
            missing.count == 1
            ? missing[0] : missing.dropLast().joined(separator: ", ") + " and " + missing[missing.count - 1]
        let uses = placeholders.map { "{{\($0.rawValue)}}" }.joined(separator: ", ")
        return Self.descriptor.diagnostic(
            "the text of consent step '\(entry.step.id.value)' lacks \(list); the contact must read them before "
                + "accepting: write them in the text or use \(uses)", at: text.range)
    }

    /// The purposes a consent covers: those it lists (unknown ids are `unknown_purpose`'s), or else every
    /// non-optional purpose of the policy.
    static func coveredPurposes(of consent: ConsentStep, in policy: Policy) -> [Purpose] {
        guard !consent.purposes.isEmpty else { return policy.purposes.filter { !$0.optional } }
        var seen = Set<String>()
        return consent.purposes.compactMap { reference in
            guard seen.insert(reference.value).inserted else { return nil }
            return policy.purposes.first { $0.id.value == reference.value }
        }
    }
}
