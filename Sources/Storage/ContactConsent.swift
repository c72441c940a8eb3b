import FlowRuntime

/// A contact's consent as it stands, derived from the ledger by reading its records in order (the latest
/// record wins): never stored on its own, so the ledger stays the one source of truth. A returning contact
/// whose accepted version is the flow's current one is not asked again; a revocation clears everything.
public struct ContactConsent: Codable, Sendable, Hashable {
    /// What the latest record about one policy version says.
    public enum Decision: String, Codable, Sendable, Hashable {
        /// The latest record accepted this version.
        case accepted
        /// The latest record declined this version.
        case declined
        /// Accepted, then revoked (a revocation revokes every version accepted before it).
        case revoked
    }

    /// The policy version of the general consent in force; `nil` when none is (never accepted, or revoked).
    public var acceptedVersion: String?
    /// The contact opted in to promotional messages and has not opted out or revoked since.
    public var optIn: Bool
    /// The latest decision on each policy version of the general consent.
    public var versions: [String: Decision]
    /// The ledger sequence of the latest record, `nil` for a contact without records.
    public var lastSequence: Int64?

    enum CodingKeys: String, CodingKey {
        case acceptedVersion = "accepted_version"
        case optIn = "opt_in"
        case versions
        case lastSequence = "last_sequence"
    }

    /// Encodes every key, absent values as `null` (`accepted_version: null` says plainly that none is in force).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(acceptedVersion, forKey: .acceptedVersion)
        try c.encode(optIn, forKey: .optIn)
        try c.encode(versions, forKey: .versions)
        try c.encode(lastSequence, forKey: .lastSequence)
    }

    /// The consent of a contact without records: none.
    public init() {
        acceptedVersion = nil
        optIn = false
        versions = [:]
        lastSequence = nil
    }

    /// Folds the records, in ledger order.
    public init<Records: Sequence>(records: Records) where Records.Element == ConsentRecord {
        self.init()
        for record in records { apply(record) }
    }

    /// Takes one more record into account (records must come in ledger order).
    public mutating func apply(_ record: ConsentRecord) {
        lastSequence = record.sequence
        apply(kind: record.kind, choice: record.choice, sensitive: record.sensitive, version: record.policyVersion)
    }

    /// The fold's step on the few fields it reads, so a store can derive the state without decoding whole
    /// records.
    mutating func apply(kind: ConsentRecord.Kind, choice: String, sensitive: Bool, version: String) {
        switch kind {
        case .revocation:
            acceptedVersion = nil
            optIn = false
            for (accepted, decision) in versions where decision == .accepted { versions[accepted] = .revoked }
        case .consent:
            switch choice {
            case "accepted" where !sensitive:
                acceptedVersion = version
                versions[version] = .accepted
            case "declined" where !sensitive:
                // Declining a newer version leaves an older acceptance as it was: the older version is not the
                // current one, so the contact is asked again anyway. Declining the version accepted in force is
                // the latest decision on it: that consent is no longer in force.
                if acceptedVersion == version {
                    acceptedVersion = nil
                    versions[version] = .declined
                } else if versions[version] != .accepted {
                    versions[version] = .declined
                }
            case "opt_in_accepted":
                optIn = true
            case "opt_in_declined", "opt_in_withdrawn":
                optIn = false
            default:
                // Sensitive consents hold for one conversation only (the session's flag), not across them.
                break
            }
        }
    }

    /// The session's consent fields as the interpreter reads them; `sensitive` is the conversation's own.
    public func sessionConsent(sensitive: Bool = false) -> Session.Consent {
        Session.Consent(acceptedVersion: acceptedVersion, sensitive: sensitive, optIn: optIn)
    }
}
