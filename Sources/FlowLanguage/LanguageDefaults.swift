/// Texts and words the bot uses when the flow does not say otherwise, per flow language.
public struct LanguageDefaults: Sendable {
    public var code: FlowLanguageCode
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
    /// Said when the contact sends a file of a type the service does not accept.
    public var attachmentRefused: String
    /// Said when the monthly allowance is used up; `%@` is the date the allowance resets.
    public var attachmentLimit: String
    /// Month names, January first, for the reset date.
    public var months: [String]
    /// Said when the contact stops promotions with a template's opt-out button: the opt-in is withdrawn.
    public var optOutConfirmation: String
    /// The name an `image` or `document` answer sent without a file name is saved under, before its extension:
    /// `archivo.png`, `file.png`, `arquivo.png` (the contact may read it back in a message).
    public var unnamedFile: String

    /// The reset date as the language writes it: "1 de diciembre de 2026", "December 1, 2026".
    public func resetDate(year: Int, month: Int) -> String {
        let name = months[(month - 1) % 12]
        switch code {
        case .en: return "\(name) 1, \(year)"
        case .es, .pt: return "1 de \(name) de \(year)"
        }
    }

    public static func of(_ language: FlowLanguageCode) -> LanguageDefaults {
        switch language {
        case .es:
            return LanguageDefaults(
                code: .es,
                invalidChoice: "No entendí tu respuesta. Elige una de las opciones, por favor.",
                invalidAnswer: "Esa respuesta no es válida. Inténtalo de nuevo, por favor.",
                listButton: "Ver opciones",
                yesWords: ["si", "s", "claro", "por supuesto", "de acuerdo"],
                noWords: ["no", "n", "nop"],
                acceptWords: ["acepto", "autorizo", "si acepto", "si autorizo"],
                declineWords: ["no acepto", "no autorizo"],
                attachmentRefused:
                    "Solo podemos recibir archivos PDF, JPG, JPEG o PNG. Envíalo en uno de esos formatos, por favor.",
                attachmentLimit:
                    "Alcanzaste el límite de 50 MB en archivos de este mes. Podrás enviar más archivos a partir del %@.",
                months: [
                    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                    "noviembre", "diciembre",
                ],
                optOutConfirmation:
                    "Listo, no te enviaremos más promociones. Seguiremos atendiendo tus consultas por este medio.",
                unnamedFile: "archivo")
        case .en:
            return LanguageDefaults(
                code: .en,
                invalidChoice: "Sorry, I did not understand. Please choose one of the options.",
                invalidAnswer: "That answer is not valid. Please try again.",
                listButton: "See options",
                yesWords: ["yes", "y", "yeah", "sure"],
                noWords: ["no", "n", "nope"],
                acceptWords: ["i accept", "accept", "i agree", "i authorize"],
                declineWords: ["i do not accept", "i decline", "decline"],
                attachmentRefused:
                    "We can only receive PDF, JPG, JPEG or PNG files. Please send it in one of those formats.",
                attachmentLimit:
                    "You have reached this month's 50 MB limit for files. You can send files again from %@.",
                months: [
                    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                    "November", "December",
                ],
                optOutConfirmation:
                    "Done, we will not send you any more promotions. We will still answer your questions here.",
                unnamedFile: "file")
        case .pt:
            return LanguageDefaults(
                code: .pt,
                invalidChoice: "Não entendi sua resposta. Escolha uma das opções, por favor.",
                invalidAnswer: "Essa resposta não é válida. Tente novamente, por favor.",
                listButton: "Ver opções",
                yesWords: ["sim", "s", "claro"],
                noWords: ["nao", "n"],
                acceptWords: ["aceito", "autorizo", "sim aceito"],
                declineWords: ["nao aceito", "nao autorizo"],
                attachmentRefused:
                    "Só podemos receber arquivos PDF, JPG, JPEG ou PNG. Envie em um desses formatos, por favor.",
                attachmentLimit:
                    "Você atingiu o limite de 50 MB em arquivos deste mês. Poderá enviar mais a partir de %@.",
                months: [
                    "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
                    "novembro", "dezembro",
                ],
                optOutConfirmation:
                    "Pronto, não enviaremos mais promoções. Continuaremos atendendo suas dúvidas por aqui.",
                unnamedFile: "arquivo")
        }
    }
}
