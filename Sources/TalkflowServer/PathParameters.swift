import Foundation
import Hummingbird

extension BasicRequestContext {
    /// The path parameter `name` with its percent escapes decoded (RFC 3986), `""` when the path has none. The
    /// router hands segments over as written, so without this `US%2E1349…` would not be the contact
    /// `US.1349…`, nor `vent%61s` the tenant `ventas`. `nil` for an escape that is not `%` and two hex digits,
    /// or bytes that are not UTF-8 once decoded: the caller answers 400.
    func decodedParameter(_ name: String) -> String? {
        (parameters.get(name) ?? "").removingPercentEncoding
    }
}
