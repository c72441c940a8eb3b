extension Session {
    /// Ends the conversation: what the interpreter's close does to the session, and what an erasure under a
    /// reclamo does to a conversation it closes, kept in one place so the two cannot drift. The answers were
    /// collected for this conversation and are not kept once it is over (a contact who never writes again would
    /// otherwise leave them in the session for good); the profile name and phone stay, and so do the consent
    /// state and the attachment allowance. The sensitive-data consent was given for this conversation only.
    public mutating func closeConversation(at time: Int64) {
        status = .closed
        endedAt = time
        inactivityDeadline = nil
        agent = nil
        queue = nil
        pendingStep = nil
        if variables.count > 2 { variables.removeSubrange(2...) }
        consent.sensitive = false
    }
}
