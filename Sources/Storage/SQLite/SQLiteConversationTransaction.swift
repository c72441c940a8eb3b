import GRDB

/// The SQLite side of `ConversationTransaction`: the open write transaction of one conversation step.
struct SQLiteConversationTransaction: ConversationTransaction {
    let db: Database
    let tenant: String
    let contact: String
    let at: Int64
    let hasStoredSession: Bool

    func nextAgent(queue: String, agents: [String]) throws -> AgentAssignment? {
        try SQLiteStore.nextAgent(db, tenant: tenant, queue: queue, agents: agents)
    }
}
