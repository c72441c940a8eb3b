import FlowRuntime
import Foundation
import GRDB

extension SQLiteStore {
    public func recordFlowLayout(tenant: String, version: String, layout: FlowLayout, at: Int64) throws {
        let text = try String(decoding: JSONEncoder().encode(layout), as: UTF8.self)
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO flow_layouts (tenant, version, layout, recorded_at) VALUES (?, ?, ?, ?)",
                arguments: [tenant, version, text, at])
        }
    }

    /// The tenants the store has served (a flow layout recorded at start-up, a session or a consent record), in
    /// order: what a command that names a tenant checks its name against.
    public func servedTenants() throws -> [String] {
        try pool.read { db in
            let layouts = try db.tableExists("flow_layouts") ? "SELECT tenant FROM flow_layouts UNION " : ""
            return try String.fetchAll(
                db,
                sql: layouts + "SELECT tenant FROM sessions UNION SELECT tenant FROM consent_ledger ORDER BY tenant")
        }
    }

    public func handoffsByAgent(tenant: String) throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT agent, count(*) FROM sessions
                    WHERE tenant = ? AND agent IS NOT NULL AND status IN (?, ?) GROUP BY agent
                    """,
                arguments: [tenant, ConversationStatus.queued.rawValue, ConversationStatus.withAgent.rawValue])
            while let row = try rows.next() { counts[row[0]] = row[1] }
            return counts
        }
    }

    public func flowLayouts(tenant: String) throws -> [String: FlowLayout] {
        try pool.read { db in
            var layouts: [String: FlowLayout] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT version, layout FROM flow_layouts WHERE tenant = ?", arguments: [tenant])
            while let row = try rows.next() {
                let version: String = row["version"]
                let text: String = row["layout"]
                guard let layout = try? JSONDecoder().decode(FlowLayout.self, from: Data(text.utf8)) else {
                    throw StorageError.corruptRow(table: "flow_layouts", detail: "layout of version \(version)")
                }
                layouts[version] = layout
            }
            return layouts
        }
    }
}
