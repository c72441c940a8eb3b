import Foundation

/// The text of a JSON document the JSON and SARIF renderers print, from what Foundation encoded.
enum JSONOutput {
    /// `data` as printed: an empty array on one line, and every invisible character (`VisibleText.isInvisible`:
    /// DEL and C1 controls, which Foundation leaves raw, U+202E, U+200B, U+FEFF …) written as a JSON escape,
    /// `\u202E`. The decoded strings are exactly the input's, while the bytes on the terminal carry nothing that
    /// drives it or hides; characters beyond U+FFFF are written as their UTF-16 surrogate pair.
    static func text(of data: Data) -> String {
        // Foundation pretty-prints an empty array over three lines; JSON strings never hold a raw newline, so
        // this only touches empty arrays.
        let json = String(decoding: data, as: UTF8.self).replacing(#/\[\n\n *\]/#, with: "[]")
        // Outside strings there is only ASCII punctuation, digits, letters, spaces and line feeds, and inside
        // them Foundation has already escaped every character below U+0020.
        guard json.unicodeScalars.contains(where: escaped) else { return json + "\n" }
        var result = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            guard escaped(scalar) else {
                result.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16, uppercase: true)
                result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            }
        }
        return String(result) + "\n"
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> Bool {
        scalar != " " && scalar != "\n" && VisibleText.isInvisible(scalar)
    }
}
