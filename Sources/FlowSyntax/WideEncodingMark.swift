/// The byte-order mark of a UTF-16 or UTF-32 file (Windows Notepad's "Unicode"), which no UTF-8 file starts with.
enum WideEncodingMark: Equatable {
    case utf32LittleEndian
    case utf32BigEndian
    case utf16LittleEndian
    case utf16BigEndian

    /// The mark `bytes` start with, if any; UTF-32's `FF FE 00 00` is tried before UTF-16's `FF FE`.
    init?(_ bytes: [UInt8]) {
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            self = .utf32LittleEndian
        } else if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            self = .utf32BigEndian
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            self = .utf16LittleEndian
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            self = .utf16BigEndian
        } else {
            return nil
        }
    }

    /// "UTF-16 text (a byte-order mark FF FE)", as the diagnostic says it.
    var description: String {
        switch self {
        case .utf32LittleEndian: return "UTF-32 text (a byte-order mark FF FE 00 00)"
        case .utf32BigEndian: return "UTF-32 text (a byte-order mark 00 00 FE FF)"
        case .utf16LittleEndian: return "UTF-16 text (a byte-order mark FF FE)"
        case .utf16BigEndian: return "UTF-16 text (a byte-order mark FE FF)"
        }
    }
}
