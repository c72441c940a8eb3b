/// A built-in calendar of national holidays that `business_hours.holidays` may name besides dates: every
/// holiday of every year, computed, so that a flow's list does not rot when movable holidays move.
public enum NationalCalendar: String, Sendable, Hashable, CaseIterable, Codable {
    /// Colombia's national holidays (Ley 51 de 1983, "Ley Emiliani"): the fixed ones, those moved to the
    /// following Monday, and those that follow Easter.
    case colombia
}
