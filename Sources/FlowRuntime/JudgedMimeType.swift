import Foundation

extension Event.Attachment {
    /// The MIME type as talkflow judges it: lower case, without parameters (`Image/JPEG; q=1` is `image/jpeg`).
    /// What decides acceptance is also what the agent and the log are shown, so the two never disagree.
    public var judgedMimeType: String {
        mimeType.lowercased().split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces)
        } ?? ""
    }

    /// The attachment with its MIME type as judged.
    public var withJudgedMimeType: Event.Attachment {
        var judged = self
        judged.mimeType = judgedMimeType
        return judged
    }
}
