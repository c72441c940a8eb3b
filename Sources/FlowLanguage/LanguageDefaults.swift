/// Texts and words the bot uses when the flow does not say otherwise, per flow language.
public struct LanguageDefaults: Sendable {
    /// Said when a menu reply matches no option.
    public var invalidChoice: String
    /// Said when an answer to an `ask` does not validate.
    public var invalidAnswer: String
    /// Label of the button that opens a list.
    public var listButton: String
    /// Typed words that answer yes / no to a `yes_no` question (normalized).
    public var yesWords: [String]
    public var noWords: [String]
    /// Typed words that accept / decline a consent, besides the step's own labels (normalized).
    public var acceptWords: [String]
    public var declineWords: [String]

    public static func of(_ language: FlowLanguageCode) -> LanguageDefaults {
        switch language {
        case .es:
            return LanguageDefaults(
                invalidChoice: "No entendí tu respuesta. Elige una de las opciones, por favor.",
                invalidAnswer: "Esa respuesta no es válida. Inténtalo de nuevo, por favor.",
                listButton: "Ver opciones",
                yesWords: ["si", "s", "claro", "por supuesto", "de acuerdo"],
                noWords: ["no", "n", "nop"],
                acceptWords: ["acepto", "autorizo", "si acepto", "si autorizo"],
                declineWords: ["no acepto", "no autorizo"])
        case .en:
            return LanguageDefaults(
                invalidChoice: "Sorry, I did not understand. Please choose one of the options.",
                invalidAnswer: "That answer is not valid. Please try again.",
                listButton: "See options",
                yesWords: ["yes", "y", "yeah", "sure"],
                noWords: ["no", "n", "nope"],
                acceptWords: ["i accept", "accept", "i agree", "i authorize"],
                declineWords: ["i do not accept", "i decline", "decline"])
        case .pt:
            return LanguageDefaults(
                invalidChoice: "Não entendi sua resposta. Escolha uma das opções, por favor.",
                invalidAnswer: "Essa resposta não é válida. Tente novamente, por favor.",
                listButton: "Ver opções",
                yesWords: ["sim", "s", "claro"],
                noWords: ["nao", "n"],
                acceptWords: ["aceito", "autorizo", "sim aceito"],
                declineWords: ["nao aceito", "nao autorizo"])
        }
    }
}
