import FlowRuntime
import Storage
import Testing

// Each flow version's layout is kept across restarts, per tenant, so that a session stepped before a restart
// with an edited flow can be carried over by name.

@Test(arguments: StoreFactory.all)
func flowLayoutsAreKeptPerTenantAcrossARestartAndNeverReplaced(factory: StoreFactory) throws {
    let folder = try TestFolder()
    let first = FlowLayout(
        steps: ["consentimiento", "menu"], variables: ["contact.name", "contact.phone", "nombre"],
        queues: ["ventas"])
    let other = FlowLayout(steps: ["otro"], variables: ["contact.name", "contact.phone"], queues: [])
    do {
        let store = try factory.open(folder)
        try store.recordFlowLayout(tenant: "tienda", version: "aaaaaaaaaaaaaaaa", layout: first, at: 100)
        // The same version again (another start with the same file) leaves the kept layout as it is.
        try store.recordFlowLayout(tenant: "tienda", version: "aaaaaaaaaaaaaaaa", layout: other, at: 200)
        try store.recordFlowLayout(tenant: "clinica", version: "bbbbbbbbbbbbbbbb", layout: other, at: 300)
    }
    let reopened = try factory.open(folder)
    #expect(try reopened.flowLayouts(tenant: "tienda") == ["aaaaaaaaaaaaaaaa": first])
    #expect(try reopened.flowLayouts(tenant: "clinica") == ["bbbbbbbbbbbbbbbb": other])
    #expect(try reopened.flowLayouts(tenant: "nadie").isEmpty)
}
