import FlowRuntime
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

    func sentMessage(messageID: String) throws -> OutboundMessage? {
        // Through `log_out_by_message_id`; another conversation's message is none of this one's.
        guard
            let text = try String.fetchOne(
                db,
                sql: """
                    SELECT content FROM conversation_log
                    WHERE tenant = ? AND message_id = ? AND direction = 'out' AND contact = ?
                    ORDER BY seq DESC LIMIT 1
                    """, arguments: [tenant, messageID, contact])
        else { return nil }
        return try StoredOutboundMessage.read(text, coder: ColumnCoder()).message
    }

    func latestMessageFailed(offering buttonID: String) throws -> Bool {
        // The conversation's messages newest first, through `log_thread`, to the first offering the button.
        let status = try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT status FROM conversation_log
                    WHERE tenant = ? AND contact = ? AND direction = 'out' AND kind = 'buttons'
                        AND EXISTS (SELECT 1 FROM json_each(content, '$.buttons') WHERE json_extract(value, '$.id') = ?)
                    ORDER BY seq DESC LIMIT 1
                    """), arguments: [tenant, contact, buttonID])
        return status == "failed"
    }
}
